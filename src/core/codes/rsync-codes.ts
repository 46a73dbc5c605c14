/**
 * rsync's exit codes (rsync errcode.h, rsync 3.x man page) and the codes the
 * wrapper itself uses for an attempt that did not end with an exit status.
 */
export interface RsyncCodeInfo {
  code: number
  /** errcode.h constant, or the seed's name for the wrapper's own codes */
  name: string
  meaning: string
}

export const RSYNC_CODES: readonly RsyncCodeInfo[] = [
  {code: 0, name: 'RERR_OK', meaning: 'success'},
  {code: 1, name: 'RERR_SYNTAX', meaning: 'syntax or usage error'},
  {code: 2, name: 'RERR_PROTOCOL', meaning: 'protocol incompatibility'},
  {code: 3, name: 'RERR_FILESELECT', meaning: 'errors selecting input/output files, dirs'},
  {code: 4, name: 'RERR_UNSUPPORTED', meaning: 'requested action not supported'},
  {code: 5, name: 'RERR_STARTCLIENT', meaning: 'error starting client-server protocol'},
  {code: 6, name: 'RERR_LOG_FAILURE', meaning: 'daemon unable to append to log-file'},
  {code: 10, name: 'RERR_SOCKETIO', meaning: 'error in socket IO'},
  {code: 11, name: 'RERR_FILEIO', meaning: 'error in file IO'},
  {code: 12, name: 'RERR_STREAMIO', meaning: 'error in rsync protocol data stream'},
  {code: 13, name: 'RERR_MESSAGEIO', meaning: 'errors with program diagnostics'},
  {code: 14, name: 'RERR_IPC', meaning: 'error in IPC code'},
  {code: 15, name: 'RERR_CRASHED', meaning: 'sibling process crashed'},
  {code: 16, name: 'RERR_TERMINATED', meaning: 'sibling process terminated abnormally'},
  {code: 19, name: 'RERR_SIGNAL1', meaning: 'status returned when sent SIGUSR1'},
  {code: 20, name: 'RERR_SIGNAL', meaning: 'received SIGINT, SIGTERM, or SIGHUP'},
  {code: 21, name: 'RERR_WAITCHILD', meaning: 'some error returned by waitpid()'},
  {code: 22, name: 'RERR_MALLOC', meaning: 'error allocating core memory buffers'},
  {code: 23, name: 'RERR_PARTIAL', meaning: 'partial transfer due to error (some files/attrs were not transferred)'},
  {code: 24, name: 'RERR_VANISHED', meaning: 'partial transfer due to vanished source files'},
  {code: 25, name: 'RERR_DEL_LIMIT', meaning: 'the --max-delete limit stopped deletions'},
  {code: 30, name: 'RERR_TIMEOUT', meaning: 'timeout in data send/receive'},
  {code: 35, name: 'RERR_CONTIMEOUT', meaning: 'timeout waiting for daemon connection'},
  {code: 124, name: 'RERR_CMD_FAILED', meaning: 'remote shell failed'},
  {code: 125, name: 'RERR_CMD_KILLED', meaning: 'remote shell killed'},
  {code: 126, name: 'RERR_CMD_RUN', meaning: 'remote command could not be run'},
  {code: 127, name: 'RERR_CMD_NOTFOUND', meaning: 'remote command not found'},
  {code: -1, name: 'errSignal', meaning: 'rsync was killed by a signal (no exit status)'},
  {code: -10, name: 'errCreatePipe', meaning: 'failed to create the pipes for rsync stdin/stdout/stderr'},
  {code: -11, name: 'errStartCmd', meaning: 'rsync could not be started (binary missing or not executable)'},
  {code: -12, name: 'errWaitProcess', meaning: 'failed to wait for the rsync process'},
]

export function rsyncCode(code: number): RsyncCodeInfo | undefined {
  return RSYNC_CODES.find((r) => r.code === code)
}
