/**
 * transporter's exit codes (spec §2): data only, read by `explain-exit` and
 * the classifier. Written for the operator paged at 3 a.m.: what it means,
 * what usually causes it, what to look at next.
 */
import {constants} from 'node:os'
import {MSG_CHECK_MOUNT, MSG_MISS_PARTNER, MSG_REPORT_ADDR, MSG_SRC_OR_DEST, MSG_SUCCEED} from './messages.js'
import {EXIT} from './exit.js'

export interface ExitCodeInfo {
  code: number
  name: string
  /** the seed's ErrMsg string, where one exists */
  message?: string | undefined
  summary: string
  causes: readonly string[]
  next: readonly string[]
}

export const EXIT_CODES: readonly ExitCodeInfo[] = [
  {
    code: EXIT.Succeed,
    name: 'Succeed',
    message: MSG_SUCCEED,
    summary: 'The copy finished; the destination matches the source.',
    causes: ['rsync exited 0.', 'Files vanished from the source during the copy (rsync 24) and nothing else failed: a warning is logged.'],
    next: ['Nothing to do. If a warning about vanished files was logged, check whether the source was still being written.'],
  },
  {
    code: EXIT.ErrNoSuchFileOrDir,
    name: 'ErrNoSuchFileOrDir',
    summary: 'A path does not exist: the source, the destination parent, or a mount point.',
    causes: [
      'rsync could not select the files (rsync 3), or reported ENOENT (2) while copying.',
      'The source directory is missing or was removed while the copy ran.',
      'The destination parent directory does not exist (use --dest-dir to create dest).',
      'A mount check could not find src or the parent of dest.',
    ],
    next: [
      'ls -ld the src path and the parent of dest; check for typos and a trailing slash.',
      'In Kubernetes: is the volume mounted at the path the Job uses (kubectl describe pod)?',
      'Run `transporter classify <rsync-code> --stderr-file <log>` on the stderr tail to see which line decided.',
    ],
  },
  {
    code: EXIT.ErrIOError,
    name: 'ErrIOError',
    summary: 'rsync hit an I/O error (socket, file, stream or message IO) and the retries ran out.',
    causes: [
      'rsync exit 10, 11, 12 or 13 without a more specific errno.',
      'EIO (5) or a stale NFS handle ESTALE (116): the storage or the NFS server hiccuped.',
      '--verify found files that differ after the copy.',
    ],
    next: [
      'Read the stderr tail in the error report or log: the rsync line before `rsync error:` names the file and the errno.',
      'Check the storage: dmesg for I/O or NFS errors, the NFS/Lustre server health, network drops.',
      'Re-run: rsync resumes partial files (--partial).',
    ],
  },
  {
    code: EXIT.ErrPermissionDenied,
    name: 'ErrPermissionDenied',
    summary: 'Permission denied, or rsync transferred only part of the files (rsync 23).',
    causes: [
      'EACCES (13) or EPERM (1): the user transporter runs as cannot read the source or write the destination.',
      'rsync 23 (partial transfer) after all retries, for a reason not listed as an errno.',
      'A mount check got EACCES/EPERM on src or dest.',
    ],
    next: [
      'id; ls -ld on src and dest: compare owner, mode and the container securityContext (runAsUser, fsGroup).',
      'Root squashing on NFS maps root to nobody: check the export options.',
      'The stderr tail lists each file that failed; fix those, then re-run.',
    ],
  },
  {
    code: EXIT.ErrDeviceIsBusy,
    name: 'ErrDeviceIsBusy',
    summary: 'A device or resource was busy (EBUSY, 16) and the retries ran out.',
    causes: ['rsync reported EBUSY: a file or mount in use, often during an unmount or a snapshot.'],
    next: ['Look for a concurrent unmount, snapshot or another writer on the destination (fuser -vm <path>).', 'Re-run once the other operation finished.'],
  },
  {
    code: EXIT.ErrInvalidArgument,
    name: 'ErrInvalidArgument',
    summary: 'The invocation is wrong: flags, paths, report address, config or plugins. Nothing was copied.',
    causes: [
      `${MSG_SRC_OR_DEST}: --src or --dest is empty or relative.`,
      `${MSG_MISS_PARTNER}: --progress or --stderr without --report-addr.`,
      `${MSG_REPORT_ADDR}: --report-addr is not an http(s) URL with a host.`,
      'Unknown flag, missing value, bad number, leftover argument; a bad config file or a plugin it needs.',
      'rsync itself rejected the arguments (rsync 1 or 4): an extra rsync option from the config.',
    ],
    next: [
      'Read the one-line error and its hint; `transporter copy --help` lists every flag.',
      'Check the Job/container args: the legacy form is `-src /abs -dest /abs`.',
      'With a config file, check the key the error names.',
    ],
  },
  {
    code: EXIT.ErrNoSpaceLeftOnDevice,
    name: 'ErrNoSpaceLeftOnDevice',
    summary: 'The destination is full (ENOSPC, 28) or over quota (EDQUOT, 122). Not retried: a full disk stays full.',
    causes: ['rsync reported ENOSPC or EDQUOT while writing the destination.'],
    next: [
      'df -h and df -i on the destination (inodes can run out too); check quotas (quota -s, lfs quota).',
      'Free space or grow the volume, then re-run: partial files resume.',
    ],
  },
  {
    code: EXIT.ErrFileSystemIsReadOnly,
    name: 'ErrFileSystemIsReadOnly',
    summary: 'The destination file system is read-only (EROFS, 30). Not retried.',
    causes: [
      'The volume is mounted read-only (readOnly: true in the pod spec, ro export, or remounted ro after errors).',
      'The mountpoint check found dest on a read-only mount.',
    ],
    next: [
      'grep the dest mount in /proc/self/mountinfo: look for `ro`.',
      'Check the pod volumeMounts (readOnly), the NFS export, and dmesg for a remount after I/O errors.',
    ],
  },
  {
    code: EXIT.ErrFileNameTooLong,
    name: 'ErrFileNameTooLong',
    summary: 'A file name or path is too long for the destination (ENAMETOOLONG, 36). Not retried.',
    causes: ['A name component over 255 bytes, or a path over the limit of the destination file system.'],
    next: [
      'The stderr tail names the path; shorten it or exclude it (rsync.extraArgs: --exclude).',
      'Multi-byte (UTF-8) names take more bytes than characters.',
    ],
  },
  {
    code: EXIT.ErrSystem,
    name: 'ErrSystem',
    summary: 'Everything else: rsync failed in a way that is not a file problem, or a precondition failed.',
    causes: [
      `${MSG_CHECK_MOUNT}: a mount check failed (wrong file system type, not a mount).`,
      'rsync could not start (not installed, not on PATH), was killed by a signal (OOM killer), timed out, or crashed.',
      'rsync protocol or client start errors (rsync 2, 5), and any rsync code not listed.',
      '--dest-dir could not create dest (exists but is not a directory, or took longer than 120 s on a hung NFS).',
    ],
    next: [
      'Read the log line before exit: it names the failed check or the rsync reason (e.g. `signal: killed`).',
      'signal: killed usually means the OOM killer: check the container memory limit and `dmesg | grep -i oom`.',
      'rsync --version on the image; `transporter explain-exit --rsync <code>` for the rsync code in the log.',
    ],
  },
]

/** The signals transporter handles itself (spec §12); any 128+n is explained by rule. */
const HANDLED_SIGNALS: Readonly<Record<string, string>> = {
  SIGHUP: 'the terminal or the parent went away',
  SIGINT: 'Ctrl-C, or an interrupt from a supervisor',
  SIGTERM: 'a normal stop: `kubectl delete`, pod eviction, node drain, `docker stop`, Job activeDeadlineSeconds',
}

export function signalName(n: number): string | undefined {
  for (const [name, value] of Object.entries(constants.signals)) if (value === n) return name
  return undefined
}

export function signalNumber(name: string): number | undefined {
  const key = name.toUpperCase().startsWith('SIG') ? name.toUpperCase() : `SIG${name.toUpperCase()}`
  return (constants.signals as Record<string, number | undefined>)[key]
}

/** 128+n: transporter itself was stopped by signal n. */
function signalExit(code: number): ExitCodeInfo | undefined {
  const n = code - 128
  const sig = signalName(n)
  if (sig === undefined) return undefined
  const why = HANDLED_SIGNALS[sig]
  if (why !== undefined) {
    return {
      code,
      name: `StoppedBy${sig}`,
      summary: `transporter was stopped by ${sig} (128+${n}); it stopped rsync, sent the final reports and exited.`,
      causes: [`${sig}: ${why}.`],
      next: [
        'Not a data problem: re-run the copy; rsync resumes partial files (--partial).',
        'If it happened at a deadline, raise the Job deadline or the pod terminationGracePeriodSeconds.',
      ],
    }
  }
  return {
    code,
    name: `KilledBy${sig}`,
    summary: `The process was killed by ${sig} (128+${n}); transporter does not handle this signal, so no final report was sent.`,
    causes:
      sig === 'SIGKILL'
        ? ['The OOM killer, or a SIGKILL after the grace period of a stop (Kubernetes, docker stop -t).']
        : [`${sig} was delivered to the process.`],
    next: ['dmesg | grep -i oom; kubectl describe pod (Reason: OOMKilled); check the memory limit.', 'Re-run: rsync resumes partial files (--partial).'],
  }
}

/** The explanation of a transporter exit code, or undefined when transporter never exits with it. */
export function explainExitCode(code: number): ExitCodeInfo | undefined {
  const known = EXIT_CODES.find((e) => e.code === code)
  if (known !== undefined) return known
  if (Number.isInteger(code) && code > 128 && code < 128 + 65) return signalExit(code)
  return undefined
}

/** The codes `explain-exit --all` lists: the table plus the handled signals. */
export function allExitCodes(): ExitCodeInfo[] {
  const signals = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL']
    .map((s) => signalNumber(s))
    .filter((n): n is number => n !== undefined)
    .map((n) => signalExit(128 + n))
    .filter((e): e is ExitCodeInfo => e !== undefined)
  return [...EXIT_CODES, ...signals].sort((a, b) => a.code - b.code)
}
