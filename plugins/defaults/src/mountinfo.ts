/**
 * /proc/self/mountinfo, parsed as proc(5) describes it:
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2) (3)   (4)   (5)         (6)      (7)     (8) (9)   (10)      (11)
 *
 * (7) is zero or more optional fields ended by the `-` separator (8). Paths
 * escape space, tab, newline and backslash as octal (`\040`).
 */

export const MOUNTINFO_PATH = '/proc/self/mountinfo'

export interface MountInfo {
  mountId: number
  parentId: number
  major: number
  minor: number
  /** the root of the mount within its filesystem */
  root: string
  /** where it is mounted, relative to the process's root */
  mountPoint: string
  /** per-mount options (`rw`/`ro`, `nosuid`, `relatime`, ...) */
  mountOptions: string[]
  /** `shared:N`, `master:N`, `propagate_from:N`, `unbindable` */
  optionalFields: string[]
  /** the kernel's name: `ext4`, `tmpfs`, `nfs4`, `overlay`, `fuse.sshfs` ... */
  fsType: string
  source: string
  superOptions: string[]
}

/** Decodes the kernel's octal escapes (`\040` → space, `\134` → backslash). */
export function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)))
}

/** One line, or undefined when it does not have the proc(5) shape. */
export function parseMountInfoLine(line: string): MountInfo | undefined {
  const fields = line.trim().split(' ')
  const sep = fields.indexOf('-', 6)
  if (sep < 0 || fields.length < sep + 3) return undefined
  const [id, parent, devno, root, mountPoint, options] = fields
  const dev = /^(\d+):(\d+)$/.exec(devno ?? '')
  if (!id || !/^\d+$/.test(id) || !parent || !/^\d+$/.test(parent) || !dev) return undefined
  if (root === undefined || mountPoint === undefined || options === undefined) return undefined
  return {
    mountId: Number(id),
    parentId: Number(parent),
    major: Number(dev[1]),
    minor: Number(dev[2]),
    root: unescapeMountField(root),
    mountPoint: unescapeMountField(mountPoint),
    mountOptions: options.split(','),
    optionalFields: fields.slice(6, sep),
    fsType: fields[sep + 1] ?? '',
    source: unescapeMountField(fields[sep + 2] ?? ''),
    superOptions: (fields[sep + 3] ?? '').split(',').filter((o) => o !== ''),
  }
}

/** Every well-formed line; malformed ones are skipped rather than failing the check. */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = []
  for (const line of text.split('\n')) {
    const mount = line.trim() === '' ? undefined : parseMountInfoLine(line)
    if (mount) mounts.push(mount)
  }
  return mounts
}

/** Whether `path` is `dir` or inside it, by whole path components (`/mnt/a` is not under `/mnt/ab`). */
export function isUnder(path: string, dir: string): boolean {
  if (dir === '/') return path.startsWith('/')
  const d = dir.endsWith('/') ? dir.slice(0, -1) : dir
  return path === d || path.startsWith(`${d}/`)
}

/**
 * The mount an absolute, symlink-free path lies on: the longest mount point
 * containing it. Mounts stacked on one mount point: the one with the path's
 * device wins when `dev` is given, else the last one mounted (the visible one).
 */
export function findMount(mounts: readonly MountInfo[], path: string, dev?: {major: number; minor: number}): MountInfo | undefined {
  let best: MountInfo | undefined
  for (const mount of mounts) {
    if (!isUnder(path, mount.mountPoint)) continue
    if (!best || mount.mountPoint.length > best.mountPoint.length) {
      best = mount
      continue
    }
    if (mount.mountPoint.length < best.mountPoint.length) continue
    const bestMatchesDev = dev !== undefined && best.major === dev.major && best.minor === dev.minor
    const matchesDev = dev !== undefined && mount.major === dev.major && mount.minor === dev.minor
    if (matchesDev || !bestMatchesDev) best = mount
  }
  return best
}

/** Read-only for writers: the mount or its superblock is `ro`. */
export function isReadOnly(mount: MountInfo): boolean {
  return mount.mountOptions.includes('ro') || mount.superOptions.includes('ro')
}

/** major/minor of a Linux dev_t (glibc's gnu_dev_major/minor). */
export function splitDev(dev: bigint): {major: number; minor: number} {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n)
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n)
  return {major: Number(major), minor: Number(minor)}
}
