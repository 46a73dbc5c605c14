/**
 * Turns the `classify` command line into a ClassifyInput: the code or
 * `signal:NAME|N`, and the stderr text from a file, stdin or the flag itself.
 */
import {readFile} from 'node:fs/promises'
import {usageError} from '../core/codes/errors.js'
import {decodeUtf8LikeGo, DEFAULT_TAIL_BYTES} from '../core/rsync/ring-buffer.js'
import {signalName, signalNumber} from '../core/codes/exit-codes.js'
import {parseCode} from './parse-code.js'

const CODE_HINT = 'give an rsync exit code (`23`, `-- -11`) or `signal:KILL` / `signal:9`'

export function parseCodeArg(text: string): {code: number; signal?: string} {
  const m = /^signal:(.+)$/i.exec(text.trim())
  if (m?.[1] === undefined) return {code: parseCode(text, 'rsync exit code', CODE_HINT)}
  const spec = m[1].trim()
  const name = /^\d+$/.test(spec) ? signalName(Number(spec)) : signalNumber(spec) === undefined ? undefined : normalise(spec)
  if (name === undefined) throw usageError(`unknown signal ${JSON.stringify(spec)}`, 'use a name or number: signal:KILL, signal:TERM, signal:9')
  return {code: -1, signal: name}
}

function normalise(name: string): string {
  const upper = name.toUpperCase()
  return upper.startsWith('SIG') ? upper : `SIG${upper}`
}

/** copy keeps this much of rsync's stderr, decoded the same way; classify looks at the same tail. */
function tail(buf: Buffer): string {
  return decodeUtf8LikeGo(buf.subarray(Math.max(0, buf.length - DEFAULT_TAIL_BYTES)))
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** `--stderr-file F`, or `--stderr -` (stdin), or `--stderr "<text>"`; empty when neither. */
export async function readStderr(file: string | undefined, inline: string | undefined): Promise<string> {
  if (file !== undefined) {
    try {
      return tail(await readFile(file))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error)
      throw usageError(`cannot read --stderr-file ${file}: ${code}`, 'give the path of a file holding rsync stderr, or use --stderr - to read stdin')
    }
  }
  if (inline === '-') return tail(await readStdin())
  return inline ?? ''
}
