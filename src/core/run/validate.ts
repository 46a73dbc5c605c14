import {usageError} from '../codes/errors.js'
import {MSG_MISS_PARTNER, MSG_REPORT_ADDR, MSG_SRC_OR_DEST} from '../codes/messages.js'
import {redactUrl} from '../secrets/redact.js'

export interface ValidationInput {
  src: string | undefined
  dest: string | undefined
  progress: boolean
  stderr: boolean
  reportAddr?: string | undefined
}

// control characters (C0 and DEL) are refused in paths and URLs: a stray newline from a script
const CONTROL = /[\u0000-\u001f\u007f]/
const REMOTE = /^(?:rsync:\/\/|[^/]*::|[^/:]+:)/

/** Steps 2–4 of spec §3, in that order; nothing has touched the disk yet. */
export function validateRunInput(input: ValidationInput): void {
  const src = input.src ?? ''
  const dest = input.dest ?? ''
  for (const [role, path] of [
    ['src', src],
    ['dest', dest],
  ] as const) {
    if (REMOTE.test(path)) {
      throw usageError(
        `${role} ${JSON.stringify(path)}: remote endpoints (rsync://, host:path) are not supported yet`,
        'mount the remote volume and give its local absolute path',
      )
    }
  }
  if (!src.startsWith('/') || !dest.startsWith('/')) {
    throw usageError(
      `${MSG_SRC_OR_DEST} (src=${JSON.stringify(src)}, dest=${JSON.stringify(dest)})`,
      'give both --src and --dest as absolute paths, e.g. --src /data/in --dest /data/out',
    )
  }
  for (const [role, path] of [
    ['src', src],
    ['dest', dest],
  ] as const) {
    if (CONTROL.test(path)) {
      throw usageError(
        `${role} path contains a control character: ${JSON.stringify(path)}`,
        'check for a stray newline or tab in the script that builds the command line',
      )
    }
  }
  if (input.progress && !input.reportAddr) {
    throw usageError(`${MSG_MISS_PARTNER}: --progress needs --report-addr`, 'add --report-addr http://host/path, or drop --progress')
  }
  if (input.stderr && !input.reportAddr) {
    throw usageError(`${MSG_MISS_PARTNER}: --stderr needs --report-addr`, 'add --report-addr http://host/path, or drop --stderr')
  }
  if (input.reportAddr !== undefined) checkReportAddr(input.reportAddr)
}

export function checkReportAddr(addr: string): void {
  let url: URL | undefined
  try {
    url = new URL(addr)
  } catch {
    url = undefined
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '' || CONTROL.test(addr)) {
    throw usageError(
      `${MSG_REPORT_ADDR}: ${JSON.stringify(redactUrl(addr))} is not an http(s) URL with a host`,
      'e.g. --report-addr http://api.example:8080/report',
    )
  }
}
