import type {Config} from '@oclif/core'
import type {RegisterOptions} from '../plugin-api.js'
import {writeHookCache} from './hook-cache.js'
import {HOOK_EVENT} from './oclif-hooks.js'

/** What the installed plugins' `transporter:register` hooks answered. */
export interface HookAnswers {
  successes: Array<{plugin: string; result: unknown}>
  failures: Array<{plugin: string; error: unknown}>
}

/**
 * Where the installed plugins come from: oclif's discovery (every command), or
 * the hook cache that oclif's discovery keeps fresh (the fast copy path,
 * src/cli/fast-copy.ts). Both run the same hook modules with the same options.
 */
export interface PluginHost {
  /** transporter's version, for FactoryEnv.version */
  readonly version: string
  /** where the hooks come from, for the debug log */
  readonly source: string
  runRegisterHook(options: RegisterOptions, timeoutMs: number): Promise<HookAnswers>
}

export function oclifHost(config: Config): PluginHost {
  return {
    version: config.version,
    source: "oclif's plugin discovery",
    async runRegisterHook(options, timeoutMs) {
      // oclif warns that a linked ESM plugin "cannot be auto-transpiled"; transporter
      // never transpiles plugins (they ship JavaScript), so the warning is only noise.
      process.env.OCLIF_DISABLE_LINKED_ESM_WARNING ??= '1'
      const {successes, failures} = await config.runHook(HOOK_EVENT, {...options}, timeoutMs, true)
      // what oclif found is what the next copy may load without it
      writeHookCache(config, process.env)
      return {
        successes: successes.map((s) => ({plugin: s.plugin.name, result: s.result as unknown})),
        failures: failures.map((f) => ({plugin: f.plugin.name, error: f.error as unknown})),
      }
    },
  }
}
