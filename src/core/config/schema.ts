import {z} from 'zod'
import {COPY_OPTIONS, type CopyOption} from './copy-options.js'

/**
 * The shape of a transporter config file (spec §7). Every object is strict so a
 * typo (`mountCheck:`, `maxAttemps`) is an error instead of a silently ignored key.
 * Messages are phrased as "expected …"; config.ts adds the file, the key path and
 * what was found.
 */

export const ENTRY_EXPECTED = 'expected an entry (id, [id] or [id, options])'

/** `id`, `[id]` or `[id, options]`, normalised to `{id, options}`. */
export const entrySchema = z.unknown().transform((value, ctx) => {
  const fail = (message = ENTRY_EXPECTED) => {
    ctx.addIssue({code: z.ZodIssueCode.custom, message})
    return z.NEVER
  }
  if (typeof value === 'string') return value.trim() === '' ? fail('expected a component id, found an empty string') : {id: value, options: {}}
  if (!Array.isArray(value) || value.length === 0 || value.length > 2) return fail()
  const [id, options] = value as [unknown, unknown]
  if (typeof id !== 'string' || id.trim() === '') return fail()
  if (value.length === 1 || options === null) return {id, options: {}}
  if (typeof options !== 'object' || Array.isArray(options)) {
    return fail(`expected the options of "${id}" as a mapping of keys ({key: value})`)
  }
  return {id, options: options as unknown}
})

const int = z.number().int()

export const classifyRuleSchema = z
  .object({
    id: z.string().min(1),
    codes: z.array(int).optional(),
    errnos: z.array(int.positive()).optional(),
    signal: z.boolean().optional(),
    class: z.enum(['ok', 'partial', 'vanished', 'retryable', 'fatal', 'usage']),
    exitCode: int.min(0).max(255),
    severity: z.number().optional(),
    description: z.string().optional(),
  })
  .strict()

function optionSchema(option: CopyOption): z.ZodTypeAny {
  if (option.type === 'bool') return z.boolean()
  if (option.type === 'list') return z.array(z.string())
  if (option.type === 'string') return option.choices === undefined ? z.string() : z.enum(option.choices as [string, ...string[]])
  let n = int
  if (option.min !== undefined) n = n.min(option.min)
  if (option.max !== undefined) n = n.max(option.max)
  return n
}

/** `copy:` defaults for the flags a config may set, typed and bounded as the flags are (one table). */
export const copyDefaultsSchema = z
  .object(
    Object.fromEntries(
      Object.values(COPY_OPTIONS as Readonly<Record<string, CopyOption>>)
        .filter((o): o is CopyOption & {config: string} => o.config !== undefined)
        .map((o) => [o.config, optionSchema(o)]),
    ),
  )
  .strict()
  .partial()

// A YAML section whose children are all commented out parses as null: treat it as absent.
const section = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (v === null ? undefined : v), schema.optional())

const classifySchema = z.object({rules: z.array(classifyRuleSchema).default([])}).strict()
const rsyncSchema = z
  .object({
    path: z.string().min(1).optional(),
    extraArgs: z.array(z.string()).default([]),
    stderrTailBytes: int.positive().optional(),
  })
  .strict()
const signalsSchema = z.object({graceMs: int.min(0).optional()}).strict()
const reportsSchema = z.object({flushBudgetMs: int.min(0).optional()}).strict()

export const configFileSchema = z
  .object({
    reporters: section(z.array(entrySchema)),
    retry: section(entrySchema),
    mountChecks: section(z.array(entrySchema)),
    classify: section(classifySchema),
    rsync: section(rsyncSchema),
    copy: section(copyDefaultsSchema),
    signals: section(signalsSchema),
    reports: section(reportsSchema),
  })
  .strict()

/** The keys each strict object accepts, by key path (list indexes dropped), for "expected one of". */
export const ALLOWED_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(configFileSchema.shape),
  classify: Object.keys(classifySchema.shape),
  'classify.rules': Object.keys(classifyRuleSchema.shape),
  rsync: Object.keys(rsyncSchema.shape),
  copy: Object.keys(copyDefaultsSchema.shape),
  signals: Object.keys(signalsSchema.shape),
  reports: Object.keys(reportsSchema.shape),
}
