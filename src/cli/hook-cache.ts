/**
 * The hook cache: which installed plugins answer `transporter:register`, as
 * oclif's discovery last found them, so that `copy` can run those hooks
 * without importing oclif (~150 ms of a copy's start-up, docs/adr/0012).
 *
 * Every command that runs the hook through oclif rewrites the cache. It is
 * used only while nothing it was made from has changed: transporter's own
 * package.json, the plugin data directory's package.json (what `plugins
 * install/link/uninstall` edit), every plugin's package.json, and the
 * environment that decides where oclif looks. Anything else — a plugin with
 * an init/prerun/postrun hook the fast path would not run, an untrusted or
 * unreadable file — sends `copy` through oclif as before.
 */
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import type {Config} from '@oclif/core'
import {configTrustProblem, effectiveUid} from '../core/config/trust.js'

type Env = Readonly<Record<string, string | undefined>>

export interface CachedHook {
  /** the module, relative to the plugin's root */
  target: string
  /** the export oclif would call ('default': the default export, or the module's only function) */
  identifier: string
  /** an ES module (import) or CommonJS (require), decided as oclif decides: .mjs, .cjs, else the package's type */
  esm: boolean
}

export interface CachedPlugin {
  name: string
  root: string
  hooks: CachedHook[]
}

export interface HookCache {
  format: typeof FORMAT
  root: string
  version: string
  dataDir: string
  fingerprint: Record<string, string>
  plugins: CachedPlugin[]
}

const FORMAT = 1
const HOOK_EVENT = 'transporter:register'
/** hooks oclif runs around a command; the fast path runs none of them, so a plugin with one keeps copy on oclif */
const COMMAND_HOOKS = ['init', 'prerun', 'postrun', 'finally', 'preparse']
/** the environment that decides where oclif looks for plugins */
const DISCOVERY_ENV = ['HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'TRANSPORTER_DATA_DIR', 'TRANSPORTER_CACHE_DIR', 'NODE_ENV']

/** oclif's data and cache directories on Linux (Config.dir, scopedEnvVar). */
export function oclifDirs(env: Env): {dataDir: string; cacheDir: string} {
  const home = env.HOME || homedir() || tmpdir()
  return {
    dataDir: env.TRANSPORTER_DATA_DIR || join(env.XDG_DATA_HOME || join(home, '.local/share'), 'transporter'),
    cacheDir: env.TRANSPORTER_CACHE_DIR || join(env.XDG_CACHE_HOME || join(home, '.cache'), 'transporter'),
  }
}

/** One cache per install and plugin data directory, so two installs sharing a HOME do not evict each other. */
export function hookCachePath(root: string, env: Env): string {
  return discoveryCachePath('register-hooks', root, env)
}

/** `<cacheDir>/<kind>-<hash of install and data dir>.json`: the hook cache, the help cache. */
export function discoveryCachePath(kind: string, root: string, env: Env): string {
  const {dataDir, cacheDir} = oclifDirs(env)
  // two 32-bit hashes: one install and data directory per file name
  const key = fnv1a(Buffer.from(`${root}\0${dataDir}`)) + fnv1a(Buffer.from(`${dataDir}\0${root}`))
  return join(cacheDir, `${kind}-${key}.json`)
}

/** Records what oclif found. Best effort: a cache that cannot be written only means the next copy starts through oclif. */
export function writeHookCache(config: Config, env: Env): void {
  const plugins = config.getPluginsList()
  if (plugins.some((p) => COMMAND_HOOKS.some((event) => (p.hooks[event]?.length ?? 0) > 0))) return
  const fingerprint = discoveryFingerprint(config, env)
  if (fingerprint === undefined) return
  const cache: HookCache = {
    format: FORMAT,
    root: config.root,
    version: config.version,
    dataDir: config.dataDir,
    fingerprint,
    plugins: plugins
      .map((p) => ({
        name: p.name,
        root: p.root,
        hooks: (p.hooks[HOOK_EVENT] ?? []).map((h) => ({target: h.target, identifier: h.identifier, esm: isEsm(h.target, p.moduleType)})),
      }))
      .filter((p) => p.hooks.length > 0),
  }
  writeCacheFile(hookCachePath(config.root, env), cache)
}

/** What oclif's plugin discovery depends on, as found now; undefined when this module could not check it later. */
export function discoveryFingerprint(config: Config, env: Env): Record<string, string> | undefined {
  const {dataDir} = oclifDirs(env)
  if (dataDir !== config.dataDir) return undefined // discovery this module cannot reproduce
  return fingerprint(
    config.root,
    dataDir,
    config.getPluginsList().map((p) => p.root),
    env,
  )
}

/** Whether what discovery depended on is unchanged. */
export function discoveryUnchanged(recorded: Record<string, string>, root: string, env: Env): boolean {
  const pluginRoots = Object.keys(recorded)
    .filter((k) => k.startsWith('plugin:'))
    .map((k) => k.slice('plugin:'.length))
  return sameRecord(fingerprint(root, oclifDirs(env).dataDir, pluginRoots, env), recorded)
}

/** Atomically, private to this user; never throws (a read-only or full home: no cache). */
export function writeCacheFile(file: string, value: unknown): void {
  try {
    writeCacheBytes(file, JSON.stringify(value))
  } catch {
    // no cache
  }
}

/** Atomically, private to this user, making ~/.cache and ~/.cache/transporter when missing; throws what fs throws. */
export function writeCacheBytes(file: string, bytes: string | Uint8Array): void {
  // not `recursive`, which never returns under /proc (Node 20)
  const cacheDir = dirname(file)
  for (const d of [dirname(cacheDir), cacheDir]) makeDir(d)
  const temp = `${file}.${process.pid}.tmp`
  writeFileSync(temp, bytes, {mode: 0o600})
  renameSync(temp, file)
}

/** A cache file's JSON, if it may be trusted like a config file (only its owner or root could have written it). */
export function readCacheFile<T>(file: string): T | undefined {
  const bytes = readCacheBytes(file)
  try {
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as T)
  } catch {
    return undefined
  }
}

/** A cache file's bytes, if it may be trusted like a config file; undefined when missing or not. */
export function readCacheBytes(file: string): Buffer | undefined {
  try {
    const bytes = readFileSync(file)
    return configTrustProblem(file, effectiveUid()) === undefined ? bytes : undefined
  } catch {
    return undefined
  }
}

/**
 * The cache for this install, when it is still what oclif would find and may
 * be trusted like a config file (it names modules to import); else undefined.
 */
export function readHookCache(root: string, env: Env): {cache: HookCache; file: string} | undefined {
  const file = hookCachePath(root, env)
  const cache = readCacheFile<HookCache>(file)
  if (cache?.format !== FORMAT || cache.root !== root || cache.dataDir !== oclifDirs(env).dataDir) return undefined
  return discoveryUnchanged(cache.fingerprint, root, env) ? {cache, file} : undefined
}

function fingerprint(root: string, dataDir: string, pluginRoots: readonly string[], env: Env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of DISCOVERY_ENV) out[`env:${name}`] = env[name] ?? ''
  out['root'] = stamp(join(root, 'package.json'))
  out['data'] = stamp(join(dataDir, 'package.json'))
  for (const pluginRoot of pluginRoots) {
    out[`plugin:${pluginRoot}`] = stamp(join(pluginRoot, 'package.json'))
    // the commands, flags and texts help shows: a rebuild or an update changes it
    out[`manifest:${pluginRoot}`] = stamp(join(pluginRoot, 'oclif.manifest.json'))
  }
  return out
}

function isEsm(target: string, moduleType: string): boolean {
  if (target.endsWith('.mjs')) return true
  if (target.endsWith('.cjs')) return false
  return moduleType === 'module'
}

function makeDir(dir: string): void {
  try {
    mkdirSync(dir, {mode: 0o700})
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

/**
 * What a file holds: its size, mtime and a hash of its bytes. Not its inode,
 * device or ctime, which an image layer gets anew on every machine that pulls
 * it (a cache made when the image was built stays valid in its containers);
 * the hash catches an npm update that keeps size and npm's fixed mtime.
 */
function stamp(file: string): string {
  try {
    const st = statSync(file, {bigint: true})
    return `${st.size}:${st.mtimeNs}:${fnv1a(readFileSync(file))}`
  } catch {
    return 'absent'
  }
}

/**
 * FNV-1a over 32-bit words, then the odd bytes: a change detector and a file
 * name, not a secret (node:crypto costs ~7 ms to load, and a byte-wise loop
 * over the ~40 KB of manifests ~3 ms before the JIT has it).
 */
function fnv1a(bytes: Uint8Array): string {
  const words = bytes.byteLength >>> 2
  const view = bytes.byteOffset % 4 === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, words) : new Int32Array(bytes.slice(0, words * 4).buffer)
  let hash = 0x811c9dc5 ^ bytes.byteLength
  for (let i = 0; i < words; i++) hash = Math.imul(hash ^ view[i]!, 0x01000193)
  for (let i = words * 4; i < bytes.byteLength; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
  return (hash >>> 0).toString(16).padStart(8, '0')
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a)
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])
}
