import {statfs} from 'node:fs/promises'
import type {Factory, MountCheck, MountCheckResult} from 'transporter/plugin-api'
import {checkAllowList, fsAllowed, fsTypeName} from './fs-types.js'
import {optionBag, stringListOption} from './options.js'

/**
 * A failed syscall as a mount-check result: the errno name decides the exit
 * code (the engine maps ENOENT → 2, EACCES/EPERM → 13, EROFS → 30, others →
 * 255) and the reason is the errno text, e.g. `no such file or directory, statfs '/x'`.
 */
export function syscallFailure(err: unknown): MountCheckResult {
  const e = err as NodeJS.ErrnoException | undefined
  const message = e instanceof Error ? e.message : String(err)
  const code = typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) ? e.code : undefined
  // Node prefixes the text with the code ("ENOENT: no such file..."); the code travels separately
  const reason = code && message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message
  return code ? {ok: false, errno: code, reason} : {ok: false, reason}
}

export interface StatfsOptions {
  /** filesystem type names (as `stat -f -c %T` prints them); absent: any reachable path passes */
  allow?: string[] | undefined
}

const COMPONENT = "mount check 'statfs'"

export function parseStatfsOptions(options: unknown): StatfsOptions {
  const bag = optionBag(COMPONENT, options, ['allow'])
  const allow = stringListOption(COMPONENT, bag, 'allow')
  if (allow) checkAllowList(COMPONENT, allow)
  return {allow}
}

/** The Go tool's check: statfs the path, optionally require an allowed filesystem type. */
export class StatfsCheck implements MountCheck {
  constructor(readonly options: StatfsOptions) {}

  async check(path: string, role: 'src' | 'dest'): Promise<MountCheckResult> {
    let type: number
    try {
      type = (await statfs(path)).type
    } catch (err) {
      return syscallFailure(err)
    }
    const {allow} = this.options
    if (!allow) return {ok: true}
    const name = fsTypeName(type)
    if (fsAllowed(name, allow)) return {ok: true}
    return {ok: false, reason: `${role} ${path} is on ${name}, allowed: ${allow.join(', ')}`}
  }
}

export const statfsCheck: Factory<MountCheck> = {
  description:
    "statfs() src and dest's parent: they must be reachable and, with allow (e.g. [nfs, lustre], names as `stat -f -c %T` prints them), on an allowed filesystem type",
  create(options) {
    return new StatfsCheck(parseStatfsOptions(options))
  },
}
