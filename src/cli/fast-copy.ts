/**
 * `copy` without oclif: what bin/run.js runs for a copy whose argv it can
 * read and whose plugins the hook cache knows (src/cli/hook-cache.ts). It
 * does exactly what the oclif command does — the same runCopyCommand, the
 * same renderer, the same hooks — so anything it cannot vouch for (help, a
 * value oclif would refuse, a stale or missing cache) returns undefined and
 * the oclif path runs instead, which also refreshes the cache.
 * docs/adr/0012-copy-without-oclif.md has the figures.
 */
import {resolve} from 'node:path'
import {COPY_OPTIONS, type CopyFlags, type CopyOption} from '../core/config/copy-options.js'
import {cachedHost} from './cached-host.js'
import {runCopyCommand} from './copy-run.js'
import {readHookCache} from './hook-cache.js'
import {jsonRequested} from './json-mode.js'
import {debugEnabled, jsonLine, renderFailure, toUserError} from './render.js'

/** The exit code of the copy it ran, or undefined: nothing was done, let oclif run it. */
export async function fastCopy(args: readonly string[], root: string): Promise<number | undefined> {
  const flags = canonicalCopyFlags(args)
  if (flags === undefined) return undefined
  const found = readHookCache(resolve(root), process.env)
  if (found === undefined) return undefined
  let configFile: string | null = null
  try {
    const result = await runCopyCommand(cachedHost(found.cache, found.file), flags, (file) => (configFile = file))
    if (result.json !== undefined) process.stdout.write(jsonLine(result.json))
    return result.exitCode
  } catch (error) {
    // what BaseCommand.catch renders for the oclif command
    const out = renderFailure(toUserError(error, {parsing: false, commandId: 'copy'}), {
      json: jsonRequested(args, process.env),
      config: configFile,
      debug: debugEnabled(),
    })
    process.stdout.write(out.stdout)
    process.stderr.write(out.stderr)
    return out.exitCode
  }
}

/**
 * Reads the canonical argv rewriteArgv makes (`--name=value`, `--name`,
 * `--no-name`) into what oclif's parser would give, or undefined for anything
 * oclif might answer differently (help, a repeated flag, an empty or refused
 * value): then oclif parses it and says what is wrong.
 */
export function canonicalCopyFlags(args: readonly string[]): CopyFlags | undefined {
  const options = COPY_OPTIONS as Readonly<Record<string, CopyOption>>
  const flags: Record<string, string | number | boolean | string[]> = {}
  for (const arg of args) {
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg)
    if (m === null) return undefined
    const [, given = '', value] = m
    const negated = value === undefined && options[given] === undefined && given.startsWith('no-')
    const name = negated ? given.slice(3) : given
    const option = Object.hasOwn(options, name) ? options[name] : undefined
    if (option === undefined) return undefined
    if (option.type === 'list') {
      if (value === undefined || value === '') return undefined
      const list = flags[name]
      if (Array.isArray(list)) list.push(value)
      else flags[name] = [value]
      continue
    }
    if (name in flags) return undefined
    if (option.type === 'bool') {
      if (value !== undefined) return undefined
      flags[name] = !negated
      continue
    }
    if (negated || value === undefined || value === '') return undefined
    if (option.type === 'int') {
      if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) return undefined
      flags[name] = Number(value)
      continue
    }
    if (option.choices !== undefined && !option.choices.includes(value)) return undefined
    flags[name] = value
  }
  return flags as CopyFlags
}
