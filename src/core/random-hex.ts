import {closeSync, openSync, readSync} from 'node:fs'

/**
 * `bytes` random bytes from the kernel, as hex: run ids and marker names.
 * Not node:crypto's randomBytes: loading node:crypto costs ~7 ms of every
 * copy's start-up, a tenth of the budget for a whole empty copy (spec §11).
 */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes)
  const fd = openSync('/dev/urandom', 'r')
  try {
    let got = 0
    while (got < bytes) got += readSync(fd, buf, got, bytes - got, null)
  } finally {
    closeSync(fd)
  }
  return buf.toString('hex')
}
