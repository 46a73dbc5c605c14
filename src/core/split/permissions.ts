import {readFileSync} from 'node:fs'

/** CAP_DAC_OVERRIDE's bit in /proc's capability masks. */
const CAP_DAC_OVERRIDE = 1n << 1n

let known: boolean | undefined

/**
 * Whether this process (and the rsync it starts) writes into a directory
 * whatever its mode: root with CAP_DAC_OVERRIDE. Root without it (a
 * container's dropped capabilities, `setpriv --bounding-set`) meets a 0555
 * directory as any other user does, so the split must treat it like one.
 */
export function bypassesPermissions(): boolean {
  if (known !== undefined) return known
  if (process.getuid?.() !== 0) return (known = false)
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'latin1'))
    known = m === null || (BigInt(`0x${m[1]}`) & CAP_DAC_OVERRIDE) !== 0n
  } catch {
    known = true // no /proc to ask: root as it is everywhere else
  }
  return known
}
