import {readFile, realpath, stat} from 'node:fs/promises'
import type {Factory, MountCheck, MountCheckResult} from 'transporter/plugin-api'
import {checkAllowList, fsAllowed} from './fs-types.js'
import {findMount, isReadOnly, MOUNTINFO_PATH, parseMountInfo, splitDev} from './mountinfo.js'
import {syscallFailure} from './mount-statfs.js'
import {boolOption, optionBag, stringListOption} from './options.js'

export interface MountpointOptions {
  /** filesystem type names (stat names or the kernel's: ext4, nfs4 ...); absent: any type */
  allow?: string[] | undefined
  /** a dest on a read-only mount fails the check (→ EROFS, exit 30) */
  readOnlyIsError: boolean
}

const COMPONENT = "mount check 'mountpoint'"

export function parseMountpointOptions(options: unknown): MountpointOptions {
  const bag = optionBag(COMPONENT, options, ['allow', 'readOnlyIsError'])
  const allow = stringListOption(COMPONENT, bag, 'allow')
  if (allow) checkAllowList(COMPONENT, allow)
  return {allow, readOnlyIsError: boolOption(COMPONENT, bag, 'readOnlyIsError', true)}
}

/**
 * Catches the classic container failure: the volume was not mounted, so the
 * copy would land on (or read from) the container's own root filesystem.
 */
export class MountpointCheck implements MountCheck {
  constructor(
    readonly options: MountpointOptions,
    private readonly mountinfoPath = MOUNTINFO_PATH,
  ) {}

  async check(path: string, role: 'src' | 'dest'): Promise<MountCheckResult> {
    let real: string
    let dev: bigint
    try {
      // mount points are symlink-free; so must the path be to compare them
      real = await realpath(path)
      dev = (await stat(real, {bigint: true})).dev
    } catch (err) {
      return syscallFailure(err)
    }

    let text: string
    try {
      text = await readFile(this.mountinfoPath, 'utf8')
    } catch (err) {
      // not the path's fault: no errno, so the engine reports a plain mount-check failure (255)
      return {ok: false, reason: `cannot read ${this.mountinfoPath} to check ${role} ${path}: ${(err as Error).message}`}
    }

    const mount = findMount(parseMountInfo(text), real, splitDev(dev))
    if (!mount) {
      return {ok: false, reason: `${role} ${path} lies on no mount listed in ${this.mountinfoPath}`}
    }
    if (mount.mountPoint === '/') {
      return {ok: false, reason: `${role} ${path} is on the root filesystem (/), not on a mounted volume`}
    }
    const {allow, readOnlyIsError} = this.options
    if (allow && !fsAllowed(mount.fsType, allow)) {
      return {
        ok: false,
        reason: `${role} ${path} is on ${mount.fsType} (mounted at ${mount.mountPoint}), allowed: ${allow.join(', ')}`,
      }
    }
    if (role === 'dest' && readOnlyIsError && isReadOnly(mount)) {
      return {ok: false, errno: 'EROFS', reason: `dest ${path} is on a read-only mount (${mount.mountPoint})`}
    }
    return {ok: true}
  }
}

export const mountpointCheck: Factory<MountCheck> = {
  description:
    "requires src and dest's parent to lie on a mounted volume, not the root filesystem (per /proc/self/mountinfo); optional fs-type allow list; a read-only dest fails unless readOnlyIsError is false",
  create(options) {
    return new MountpointCheck(parseMountpointOptions(options))
  },
}
