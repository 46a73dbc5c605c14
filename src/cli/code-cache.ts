/**
 * Loads a CommonJS bundle (dist/fast/start.cjs) through V8's code cache, so
 * a copy does not compile the same 120 KB again on every start (~7 ms of an
 * empty-dir copy, docs/adr/0012). Node 20 has no module compile cache
 * (module.enableCompileCache is Node 22).
 *
 * The cache is bytecode: it is kept in transporter's cache directory under
 * the same ownership check as a config file, and named after the bundle's
 * identity (inode, size, mtime, ctime), so an upgrade or a rebuild never
 * meets an old cache; V8 itself refuses one made by another Node or with
 * other flags. It is written once, after the first run that had none, when
 * the run has compiled what a copy needs.
 */
import {readdirSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {basename, dirname, join} from 'node:path'
import {Script} from 'node:vm'
import {oclifDirs, readCacheBytes, writeCacheBytes} from './hook-cache.js'

type Env = Readonly<Record<string, string | undefined>>

export interface CachedModule {
  exports: Record<string, unknown>
  /** writes the code cache when there was none (or V8 refused it); never throws */
  save(): void
}

export function requireWithCodeCache(file: string, env: Env): CachedModule {
  const source = readFileSync(file, 'utf8')
  const cacheFile = codeCachePath(file, env)
  const cached = cacheFile === undefined ? undefined : readCacheBytes(cacheFile)
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cached === undefined ? {} : {cachedData: cached}),
  })
  const module = {exports: {} as Record<string, unknown>}
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file))
  return {
    exports: module.exports,
    save() {
      if (cacheFile === undefined || (cached !== undefined && !script.cachedDataRejected)) return
      try {
        writeCacheBytes(cacheFile, script.createCachedData())
        // the caches of earlier builds of the same bundle
        const prefix = `${basename(file)}-`
        for (const old of readdirSync(dirname(cacheFile))) {
          if (old.startsWith(prefix) && old.endsWith('.v8') && old !== basename(cacheFile)) rmSync(join(dirname(cacheFile), old), {force: true})
        }
      } catch {
        // no cache
      }
    },
  }
}

function codeCachePath(file: string, env: Env): string | undefined {
  try {
    const st = statSync(file, {bigint: true})
    const identity = [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].map((n) => n.toString(36)).join('-')
    return join(oclifDirs(env).cacheDir, `${basename(file)}-${identity}-${process.version}.v8`)
  } catch {
    return undefined
  }
}
