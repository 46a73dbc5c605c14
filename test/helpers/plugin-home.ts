import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli, type CliResult, type RunOptions} from './run-cli.js'

/**
 * A private oclif home: user-installed and linked plugins go to XDG dirs under a
 * temp dir, so tests never touch the real user's plugins. `project` is a temp
 * project dir (with a package.json, so config search stops there).
 */
export interface PluginHome {
  root: string
  project: string
  env: Record<string, string | undefined>
  run(args: string[], options?: RunOptions): Promise<CliResult>
  /** `transporter plugins link <dir> --no-install`; throws when it fails */
  link(dir: string): Promise<void>
  writeConfig(yaml: string, name?: string): string
  cleanup(): void
}

export function createPluginHome(prefix = 'transporter-plugins-'): PluginHome {
  const root = mkdtempSync(join(tmpdir(), prefix))
  const project = join(root, 'project')
  mkdirSync(project)
  writeFileSync(join(project, 'package.json'), '{"name": "project", "private": true}\n')
  const env = {
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_CACHE_HOME: join(root, 'cache'),
    // npm (used by `plugins install`) must not touch the user's cache either.
    npm_config_cache: join(root, 'npm-cache'),
    TRANSPORTER_CONFIG: undefined,
  }
  const run = (args: string[], options: RunOptions = {}) => runCli(args, {cwd: project, ...options, env: {...env, ...options.env}})
  return {
    root,
    project,
    env,
    run,
    async link(dir) {
      const r = await run(['plugins', 'link', dir, '--no-install'])
      if (r.code !== 0) throw new Error(`plugins link ${dir} failed (${r.code}): ${r.stderr}`)
    },
    writeConfig(yaml, name = '.transporterrc.yaml') {
      const file = join(project, name)
      writeFileSync(file, yaml)
      return file
    },
    cleanup() {
      rmSync(root, {recursive: true, force: true})
    },
  }
}
