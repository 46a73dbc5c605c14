import {existsSync, readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {isAbsolute, join} from 'node:path'

export const MODULE_NAME = 'transporter'

/**
 * The names looked for in the working directory, in this order. Only there:
 * transporter runs as root in shared data directories, so a parent directory
 * (or /tmp on the way up to /) is nobody's promise of a trusted file.
 */
export const CWD_PLACES = [
  `.${MODULE_NAME}rc`,
  `.${MODULE_NAME}rc.json`,
  `.${MODULE_NAME}rc.yaml`,
  `.${MODULE_NAME}rc.yml`,
  `.${MODULE_NAME}rc.js`,
  `.${MODULE_NAME}rc.mjs`,
  `.${MODULE_NAME}rc.cjs`,
  `${MODULE_NAME}.config.js`,
  `${MODULE_NAME}.config.mjs`,
  `${MODULE_NAME}.config.cjs`,
  'package.json',
] as const

/** Names in the per-user and system directories: data formats only. */
export const DIR_PLACES = ['config.yaml', 'config.yml', 'config.json'] as const

export const SYSTEM_CONFIG_DIR = `/etc/${MODULE_NAME}`

export interface PlaceOptions {
  cwd: string
  env: Readonly<Record<string, string | undefined>>
  /** /etc/transporter unless a test says otherwise */
  systemDir?: string | undefined
}

/** `$XDG_CONFIG_HOME/transporter` (a relative XDG_CONFIG_HOME is ignored, as the XDG spec says), else `~/.config/transporter`. */
export function userConfigDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env.XDG_CONFIG_HOME
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, MODULE_NAME)
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()
  return join(home, '.config', MODULE_NAME)
}

/** The directories searched and the names in each, in order (spec §7). */
export function searchPlaces(opts: PlaceOptions): Array<{dir: string; names: readonly string[]}> {
  return [
    {dir: opts.cwd, names: CWD_PLACES},
    {dir: userConfigDir(opts.env), names: DIR_PLACES},
    {dir: opts.systemDir ?? SYSTEM_CONFIG_DIR, names: DIR_PLACES},
  ]
}

/** The first config file that exists, or undefined. Reads package.json only to see whether it has a `transporter` key. */
export function findConfigFile(opts: PlaceOptions): string | undefined {
  for (const {dir, names} of searchPlaces(opts)) {
    for (const name of names) {
      const file = join(dir, name)
      if (!existsSync(file)) continue
      if (name === 'package.json' && !hasConfigKey(file)) continue
      return file
    }
  }
  return undefined
}

/** A package.json another tool owns (even a broken one) is simply not a config. */
function hasConfigKey(file: string): boolean {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'))
    return typeof json === 'object' && json !== null && MODULE_NAME in json
  } catch {
    return false
  }
}
