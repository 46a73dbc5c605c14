/**
 * Filesystem type names, spelled the way `stat -f -c %T` (GNU coreutils)
 * prints them, keyed by the statfs f_type magic numbers of linux/magic.h.
 * Users write these names in `allow` lists; a few aliases cover the names
 * they write in practice (`ext4`) and the kernel's names in /proc/self/mountinfo
 * (`nfs4`, `overlay`, `fuse.sshfs`).
 */

const MAGIC_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x61636673, 'acfs'],
  [0xadf5, 'adfs'],
  [0xadff, 'affs'],
  [0x5346414f, 'afs'],
  [0x09041934, 'anon-inode FS'],
  [0x61756673, 'aufs'],
  [0x0187, 'autofs'],
  [0x13661366, 'balloon-kvm-fs'],
  [0xca451a4e, 'bcachefs'],
  [0x62646576, 'bdevfs'],
  [0x42465331, 'befs'],
  [0x1badface, 'bfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0xcafe4a11, 'bpf_fs'],
  [0x9123683e, 'btrfs'],
  [0x73727279, 'btrfs_test'],
  [0x00c36400, 'ceph'],
  [0x0027e0eb, 'cgroupfs'],
  [0x63677270, 'cgroup2fs'],
  [0xff534d42, 'cifs'],
  [0x73757245, 'coda'],
  [0x62656570, 'configfs'],
  [0x28cd3d45, 'cramfs'],
  [0x453dcd28, 'cramfs-wend'],
  [0x64646178, 'daxfs'],
  [0x64626720, 'debugfs'],
  [0x1373, 'devfs'],
  [0x1cd1, 'devpts'],
  [0xf15f, 'ecryptfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x00414a53, 'efs'],
  [0xe0f5e1e2, 'erofs'],
  [0x2011bab0, 'exfat'],
  [0xef53, 'ext2/ext3'],
  [0xf2f52010, 'f2fs'],
  [0x4006, 'fat'],
  [0x19830326, 'fhgfs'],
  // the kernel uses one magic for every FUSE filesystem, block-backed or not
  [0x65735546, 'fuseblk'],
  [0x65735543, 'fusectl'],
  [0x01161970, 'gfs/gfs2'],
  [0x47504653, 'gpfs'],
  [0x4244, 'hfs'],
  [0x482b, 'hfs+'],
  [0x4858, 'hfsx'],
  [0x00c0ffee, 'hostfs'],
  [0xf995e849, 'hpfs'],
  [0x958458f6, 'hugetlbfs'],
  [0x013111a8, 'ibrix'],
  [0x11307854, 'inodefs'],
  [0x2bad1dea, 'inotifyfs'],
  [0x9660, 'isofs'],
  [0x72b6, 'jffs2'],
  [0x3153464a, 'jfs'],
  [0x6b414653, 'k-afs'],
  [0x0bd00bd0, 'lustre'],
  [0x137f, 'minix'],
  [0x4d5a, 'minix3'],
  [0x19800202, 'mqueue'],
  [0x4d44, 'msdos'],
  [0x6969, 'nfs'],
  [0x6e667364, 'nfsd'],
  [0x3434, 'nilfs'],
  [0x564c, 'novell'],
  [0x6e736673, 'nsfs'],
  [0x5346544e, 'ntfs'],
  [0x7461636f, 'ocfs2'],
  [0x9fa1, 'openprom'],
  [0x794c7630, 'overlayfs'],
  [0xaad7aaea, 'panfs'],
  [0x50495045, 'pipefs'],
  [0x7c7c6673, 'prl_fs'],
  [0x9fa0, 'proc'],
  [0x6165676c, 'pstorefs'],
  [0x002f, 'qnx4'],
  [0x68191122, 'qnx6'],
  [0x858458f6, 'ramfs'],
  [0x07655821, 'rdt'],
  [0x52654973, 'reiserfs'],
  [0x7275, 'romfs'],
  [0x67596969, 'rpc_pipefs'],
  [0x73636673, 'securityfs'],
  [0xf97cff8c, 'selinux'],
  [0x43415d53, 'smackfs'],
  [0x517b, 'smb'],
  [0xfe534d42, 'smb2'],
  [0xbeefdead, 'snfs'],
  [0x534f434b, 'sockfs'],
  [0x73717368, 'squashfs'],
  [0x62656572, 'sysfs'],
  [0x01021994, 'tmpfs'],
  [0x74726163, 'tracefs'],
  [0x24051905, 'ubifs'],
  [0x15013346, 'udf'],
  [0x00011954, 'ufs'],
  [0x9fa2, 'usbdevfs'],
  [0x01021997, 'v9fs'],
  [0xbacbacbc, 'vmhgfs'],
  [0xa501fcf5, 'vxfs'],
  [0x565a4653, 'vzfs'],
  [0x53464846, 'wslfs'],
  [0xabba1974, 'xenfs'],
  [0x58465342, 'xfs'],
  [0x2fc12fc1, 'zfs'],
  [0x5a4f4653, 'zonefs'],
  [0x58295829, 'zsmallocfs'],
]

const NAME_BY_MAGIC = new Map<number, string>(MAGIC_NAMES)
const NAMES = new Set<string>(MAGIC_NAMES.map(([, name]) => name))
/** lower-case spelling → stat spelling (only `anon-inode FS` differs) */
const BY_LOWER = new Map<string, string>(MAGIC_NAMES.map(([, name]) => [name.toLowerCase(), name]))

/**
 * Other spellings → the stat name. Covers what users write and what the
 * kernel calls the same filesystems in /proc/self/mountinfo.
 */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['ext2', 'ext2/ext3'],
  ['ext3', 'ext2/ext3'],
  ['ext4', 'ext2/ext3'],
  ['nfs4', 'nfs'],
  ['overlay', 'overlayfs'],
  ['fuse', 'fuseblk'],
  ['cgroup', 'cgroupfs'],
  ['cgroup2', 'cgroup2fs'],
  ['bpf', 'bpf_fs'],
  ['pstore', 'pstorefs'],
  ['9p', 'v9fs'],
  ['vfat', 'msdos'],
  ['iso9660', 'isofs'],
  ['gfs2', 'gfs/gfs2'],
  ['smb3', 'smb2'],
  // devtmpfs is shmem-backed: statfs reports the tmpfs magic for it
  ['devtmpfs', 'tmpfs'],
])

/** The stat name for a statfs f_type; unknown types print like stat does: `UNKNOWN (0x1234)`. */
export function fsTypeName(magic: number | bigint): string {
  // f_type is a signed long on some ABIs: normalise to the unsigned 32-bit magic
  const key = Number(BigInt.asUintN(32, BigInt(magic)))
  return NAME_BY_MAGIC.get(key) ?? `UNKNOWN (0x${key.toString(16)})`
}

/** The stat name a type name stands for (`ext4` → `ext2/ext3`, `nfs4` → `nfs`, `fuse.sshfs` → `fuseblk`). */
export function canonicalFsName(name: string): string {
  const lower = name.trim().toLowerCase()
  const alias = ALIASES.get(lower)
  if (alias) return alias
  if (lower.startsWith('fuse.') || lower.startsWith('fuseblk.')) return 'fuseblk'
  return BY_LOWER.get(lower) ?? lower
}

export function isKnownFsName(name: string): boolean {
  return NAMES.has(canonicalFsName(name))
}

/** Every accepted name, stat names first, for error messages. */
export function knownFsNames(): string[] {
  return [...NAMES, ...ALIASES.keys()]
}

/** Whether a filesystem (by stat or kernel name) is in an allow-list of names. */
export function fsAllowed(actual: string, allow: readonly string[]): boolean {
  const canonical = canonicalFsName(actual)
  return allow.some((name) => canonicalFsName(name) === canonical)
}

/** Throws when an allow-list names a filesystem type nobody can have. */
export function checkAllowList(component: string, allow: readonly string[]): void {
  const unknown = allow.filter((name) => !isKnownFsName(name))
  if (unknown.length > 0) {
    throw new Error(
      `${component}: option 'allow' names unknown filesystem type${unknown.length > 1 ? 's' : ''} ${unknown
        .map((n) => `'${n}'`)
        .join(', ')} (known: ${knownFsNames().join(', ')})`,
    )
  }
}
