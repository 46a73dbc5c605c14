import {Args, Flags, type Config} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {parseCodeArg, readStderr} from '../cli/classify-input.js'
import {classify} from '../core/classify/classify.js'
import {errnoName} from '../core/classify/stderr-errno.js'
import {explainExitCode} from '../core/codes/exit-codes.js'
import {rsyncCode} from '../core/codes/rsync-codes.js'
import {goReason} from '../core/codes/go-reason.js'
import type {ClassifyRule} from '../plugin-api.js'

export interface ExtraRulesContext {
  /** `--config <file>`, when given */
  configFile: string | undefined
  /** oclif's config, to run the `transporter:register` hook */
  oclif: Config
}

/**
 * The rules copy would use: SEED_RULES, then plugin and config rules (later
 * rules win), resolved exactly as `copy` resolves them. Plugin and config
 * problems are warnings here unless the config itself is invalid (22).
 */
async function copyRules(ctx: ExtraRulesContext): Promise<{rules: ClassifyRule[]; configFile: string | undefined}> {
  const [{loadConfig}, {loadClassifyRules}, {oclifHost}, {createLogger, streamSink}, {factoryEnv, NO_RUN_SETTINGS}, {debugEnabled}] = await Promise.all([
    import('../core/config/load.js'),
    import('../cli/load-components.js'),
    import('../cli/plugin-host.js'),
    import('../cli/logger.js'),
    import('../cli/factory-env.js'),
    import('../cli/render.js'),
  ])
  const cfg = await loadConfig({cwd: process.cwd(), file: ctx.configFile})
  const log = createLogger(streamSink(process.stderr), {level: debugEnabled() ? 'debug' : 'info'})
  // a config changes the answer, so say which one; without one stderr stays empty
  if (cfg.filepath !== undefined) log.info(`config: ${cfg.filepath}`)
  const host = oclifHost(ctx.oclif)
  const {rules, warnings} = await loadClassifyRules(host, cfg, factoryEnv(host.version, cfg, NO_RUN_SETTINGS, log))
  for (const warning of warnings) log.warn(warning)
  return {rules, configFile: cfg.filepath}
}

export default class Classify extends BaseCommand {
  static override summary = 'Show how copy would treat an rsync attempt: class, retried, exit code.'

  static override description = `Classifies an rsync exit code, and optionally rsync's stderr, with the same rules copy uses (built-in, plugin and config rules).
Prints the class (ok, partial, vanished, retryable, fatal, usage), whether copy retries it, the transporter exit code it maps to, the errno read from stderr that decided (if any), the rule and the Go-style reason text.
For codes 3, 11 and 23 the errno in parentheses at the end of rsync's error lines refines the result; like copy, only the last 64 KiB of stderr are read.
Negative codes (-1 killed, -10, -11, -12) are accepted as they are or after \`--\`.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 23',
    '<%= config.bin %> <%= command.id %> 11 --stderr-file rsync.err',
    'rsync -a /src/ /dst 2>&1 >/dev/null | <%= config.bin %> <%= command.id %> 23 --stderr -',
    '<%= config.bin %> <%= command.id %> signal:KILL',
    '<%= config.bin %> <%= command.id %> -11',
    '<%= config.bin %> <%= command.id %> --json -- -11',
  ]

  static override args = {
    code: Args.string({
      description: 'rsync exit code (e.g. 23, -11), or signal:NAME / signal:N when rsync was killed',
      required: true,
    }),
  }

  static override flags = {
    'stderr-file': Flags.string({description: "file holding rsync's stderr", helpValue: '<file>', exclusive: ['stderr']}),
    stderr: Flags.string({
      description: "rsync's stderr: `-` reads it from stdin, any other value is the text itself",
      helpValue: '<-|text>',
    }),
    config: Flags.string({description: 'config file whose classify rules apply (as in copy)', helpValue: '<file>', env: 'TRANSPORTER_CONFIG'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Classify)
    const input = parseCodeArg(args.code)
    const stderr = await readStderr(flags['stderr-file'], flags.stderr)
    const extra = await copyRules({configFile: flags.config, oclif: this.config})
    const c = classify({...input, stderr}, extra.rules)
    const result = {
      code: input.code,
      ...(input.signal === undefined ? {} : {signal: input.signal}),
      class: c.class,
      retried: c.retryable,
      exitCode: c.exitCode,
      errno: c.errno ?? null,
      errnoName: c.errno === undefined ? null : (errnoName(c.errno) ?? null),
      line: c.line ?? null,
      rule: c.rule,
      reason: goReason(input.code, input.signal),
      description: c.description,
      config: extra.configFile ?? null,
    }
    if (this.jsonMode) return this.printJson(result)

    const meaning = rsyncCode(input.code)
    const exitName = explainExitCode(c.exitCode)?.name
    const rows: Array<[string, string]> = [
      ['code', `${input.code}${meaning === undefined ? ' (not a code rsync documents)' : ` (${meaning.name}: ${meaning.meaning})`}`],
      ['reason', result.reason],
      ['class', c.class],
      ['retried', c.retryable ? 'yes' : 'no'],
      ['exit code', `${c.exitCode}${exitName === undefined ? '' : ` ${exitName}`}`],
      ['errno', c.errno === undefined ? '-' : `${c.errno}${result.errnoName === null ? '' : ` ${result.errnoName}`}`],
    ]
    if (c.line !== undefined) rows.push(['from', c.line])
    rows.push(['rule', c.rule], ['why', c.description])
    process.stdout.write(rows.map(([k, v]) => `${`${k}:`.padEnd(11)}${v}\n`).join(''))
  }
}
