/**
 * `--help` without oclif: the text oclif rendered for the same request, while
 * nothing oclif's discovery depends on has changed (the hook cache's
 * fingerprint, src/cli/hook-cache.ts) and the terminal is the same (width,
 * colour). Help is static for an install, and importing oclif to render it
 * costs ~4× a bare Node start (spec §11 budgets 4× for all of `--help`).
 */
import type {Config} from '@oclif/core'
import {discoveryCachePath, discoveryFingerprint, discoveryUnchanged, readCacheFile, writeCacheFile} from './hook-cache.js'

type Env = Readonly<Record<string, string | undefined>>

interface HelpCache {
  format: 1
  root: string
  fingerprint: Record<string, string>
  texts: Record<string, string>
}

/** at most this many requests × terminals are kept */
const MAX_ENTRIES = 64
const MAX_TEXT = 256 * 1024
/** what decides oclif's width and colours */
const TERMINAL_ENV = ['OCLIF_COLUMNS', 'COLUMNS', 'NO_COLOR', 'FORCE_COLOR', 'TERM', 'COLORTERM', 'CI']

/** `--help`, `copy --help`, `help`, `help copy`, `plugins install --help`: command words and a help flag only. */
export function isHelpRequest(argv: readonly string[]): boolean {
  if (argv.length === 0 || !(argv[0] === 'help' || argv.includes('--help'))) return false
  return argv.every((a) => a === '--help' || /^[a-z][a-z0-9:-]*$/.test(a))
}

export function cachedHelp(argv: readonly string[], root: string, env: Env, out: NodeJS.WriteStream): string | undefined {
  const cache = readCacheFile<HelpCache>(discoveryCachePath('help', root, env))
  if (cache?.format !== 1 || cache.root !== root) return undefined
  const text = cache.texts[requestKey(argv, env, out)]
  if (text === undefined) return undefined
  return discoveryUnchanged(cache.fingerprint, root, env) ? text : undefined
}

/** Keeps what oclif printed for a help request that succeeded. */
export function storeHelp(config: Config, argv: readonly string[], text: string, env: Env, out: NodeJS.WriteStream): void {
  if (text.length === 0 || text.length > MAX_TEXT) return
  const fingerprint = discoveryFingerprint(config, env)
  if (fingerprint === undefined) return
  const file = discoveryCachePath('help', config.root, env)
  const old = readCacheFile<HelpCache>(file)
  const same = old?.format === 1 && old.root === config.root && JSON.stringify(old.fingerprint) === JSON.stringify(fingerprint)
  const kept = same ? Object.entries(old.texts).slice(-(MAX_ENTRIES - 1)) : []
  const cache: HelpCache = {format: 1, root: config.root, fingerprint, texts: {...Object.fromEntries(kept), [requestKey(argv, env, out)]: text}}
  writeCacheFile(file, cache)
}

/** Tees what is written to `out` until `stop()`; bounded. */
export function captureWrites(out: NodeJS.WriteStream): {stop(): string} {
  const original = out.write
  let text = ''
  out.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (text.length <= MAX_TEXT) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8')
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof out.write
  return {
    stop() {
      out.write = original
      return text
    },
  }
}

function requestKey(argv: readonly string[], env: Env, out: NodeJS.WriteStream): string {
  return JSON.stringify([argv, out.isTTY === true, out.columns ?? null, TERMINAL_ENV.map((k) => env[k] ?? null)])
}
