/**
 * Runs the `transporter:register` hooks the hook cache names, the way oclif's
 * Config.runHook does (src/cli/plugin-host.ts): every plugin at once, a
 * plugin's hooks in order, each under the timeout; a hook that throws or
 * times out is that plugin's failure. The hook gets the documented options
 * (spec §7.1); there is no oclif Config to hand it.
 */
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {importModule} from '../core/import-module.js'
import type {RegisterOptions} from '../plugin-api.js'
import type {CachedHook, CachedPlugin, HookCache} from './hook-cache.js'
import type {HookAnswers, PluginHost} from './plugin-host.js'

export function cachedHost(cache: HookCache, file: string): PluginHost {
  return {
    version: cache.version,
    source: `the hook cache ${file}`,
    runRegisterHook: (options, timeoutMs) => runHooks(cache.plugins, options, timeoutMs),
  }
}

async function runHooks(plugins: readonly CachedPlugin[], options: RegisterOptions, timeoutMs: number): Promise<HookAnswers> {
  const answers: HookAnswers = {successes: [], failures: []}
  await Promise.all(
    plugins.map(async (plugin) => {
      for (const hook of plugin.hooks) {
        try {
          const fn = hookFunction(await loadModule(plugin, hook), hook)
          if (fn === undefined) continue
          answers.successes.push({plugin: plugin.name, result: await withTimeout(timeoutMs, fn.call(HOOK_CONTEXT, {...options}))})
        } catch (error) {
          answers.failures.push({plugin: plugin.name, error})
        }
      }
    }),
  )
  return answers
}

async function loadModule(plugin: CachedPlugin, hook: CachedHook): Promise<Record<string, unknown>> {
  const file = join(plugin.root, hook.target)
  if (hook.esm) return (await importModule(pathToFileURL(file).href)) as Record<string, unknown>
  return createRequire(join(plugin.root, 'package.json'))(file) as Record<string, unknown>
}

/** oclif's choice: the named export; for 'default', the default export or else the module's first function. */
function hookFunction(module: Record<string, unknown> | ((...args: unknown[]) => unknown), hook: CachedHook): Hook | undefined {
  const named = (module as Record<string, unknown>)[hook.identifier]
  if (named !== undefined) return named as Hook
  if (hook.identifier !== 'default') return undefined
  if (typeof module === 'function') return module as Hook
  return Object.values(module).find((v) => typeof v === 'function') as Hook | undefined
}

type Hook = (this: unknown, options: RegisterOptions) => unknown

/** What oclif hands a hook as `this`, minus its Config. */
const HOOK_CONTEXT = {
  debug() {},
  log(message: string) {
    process.stdout.write(`${message}\n`)
  },
  warn(message: string) {
    process.stderr.write(`Warning: ${message}\n`)
  },
  error(message: string) {
    throw new Error(message)
  },
}

function withTimeout<T>(ms: number, value: T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms.`)), ms).unref()
  })
  return Promise.race([Promise.resolve(value), timeout]).finally(() => clearTimeout(timer))
}
