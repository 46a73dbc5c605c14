import {explainRsync, formatExitCode, formatRsync} from './explain.js'
import {explainExitCode} from '../core/codes/exit-codes.js'

/**
 * What `explain-exit <code>` prints, or undefined for a code that is neither
 * a transporter nor an rsync exit code. People paste whatever code they saw:
 * an rsync code (23 from a log line) is explained as rsync's, with a note
 * that transporter itself never exits with it.
 */
export function renderExplainCode(code: number, json: boolean): string | undefined {
  const info = explainExitCode(code)
  if (info !== undefined) return json ? `${JSON.stringify(info)}\n` : formatExitCode(info)
  const rsync = explainRsync(code)
  if (rsync === undefined) return undefined
  const note = `${code} is not a transporter exit code; transporter never exits with it. As an rsync exit code:`
  return json ? `${JSON.stringify({code, transporter: null, note, rsync})}\n` : `${note}\n\n${formatRsync(rsync)}`
}

/**
 * `transporter explain-exit <code> [--json]` answered without loading oclif:
 * oclif's start-up is most of this command's cost. Every other form (help,
 * --rsync, --all, an unknown code, an error) returns undefined and goes
 * through oclif, which prints the same thing for this form.
 */
export function explainExitFast(argv: readonly string[]): string | undefined {
  if (argv[0] !== 'explain-exit') return undefined
  const rest = argv.slice(1)
  const codes = rest.filter((a) => a !== '--json')
  if (codes.length !== 1 || rest.length - codes.length > 1 || !/^\d{1,3}$/.test(codes[0]!)) return undefined
  return renderExplainCode(Number(codes[0]), rest.length === 2)
}
