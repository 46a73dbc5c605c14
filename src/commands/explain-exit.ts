import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {allRsync, errorCodes, explainRsync, formatAll, formatErrorCode, formatRsync} from '../cli/explain.js'
import {parseCode} from '../cli/parse-code.js'
import {usageError} from '../core/codes/errors.js'
import {allExitCodes} from '../core/codes/exit-codes.js'
import {renderExplainCode} from '../cli/explain-fast.js'

// Only tables and the classifier are imported: this command must start fast (spec §11).
export default class ExplainExit extends BaseCommand {
  static override summary = 'Explain a transporter or rsync exit code.'

  static override description = `Prints the name of a transporter exit code, the message it logs, what usually causes it and what to check next.
With --rsync, explains an rsync exit code and what transporter turns it into (class, retried or not, exit code), from the same rules a copy uses; codes 3, 11 and 23 also list the errno refinements.
Negative rsync codes (-1 killed by a signal, -10 pipe, -11 could not start, -12 wait failed) work as --rsync -11 or --rsync=-11.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> 28',
    '<%= config.bin %> <%= command.id %> 143',
    '<%= config.bin %> <%= command.id %> --rsync 23',
    '<%= config.bin %> <%= command.id %> --rsync=-11',
    '<%= config.bin %> <%= command.id %> --all',
    '<%= config.bin %> <%= command.id %> 30 --json',
  ]

  static override args = {
    code: Args.string({description: 'a transporter exit code (0, 2, 5, 13, 16, 22, 28, 30, 36, 255, 128+n), or an error code (E_CONFIG, …)'}),
  }

  static override flags = {
    rsync: Flags.string({description: 'explain this rsync exit code instead', helpValue: '<code>'}),
    all: Flags.boolean({description: 'print every transporter and rsync exit code'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ExplainExit)
    const given = [args.code !== undefined, flags.rsync !== undefined, flags.all].filter(Boolean).length
    if (given !== 1) {
      throw usageError(
        given === 0 ? 'missing exit code' : 'give one of <code>, --rsync <code> or --all',
        'e.g. `transporter explain-exit 28`, `transporter explain-exit --rsync 23`, `transporter explain-exit --all`',
      )
    }
    if (flags.all) return this.all()
    if (flags.rsync !== undefined) return this.rsync(flags.rsync)
    return this.transporter(args.code ?? '')
  }

  private all(): void {
    const codes = allExitCodes()
    const rsync = allRsync()
    if (this.jsonMode) this.printJson({transporter: codes, rsync, errors: errorCodes()})
    else process.stdout.write(formatAll(codes, rsync))
  }

  private rsync(text: string): void {
    const code = parseCode(text, 'rsync exit code', 'e.g. `transporter explain-exit --rsync 23`')
    const r = explainRsync(code)
    if (r === undefined) {
      throw usageError(
        `${code} is not an exit code rsync documents`,
        'transporter treats such codes as retryable and exits 255 at the retry limit; see `transporter explain-exit --all`',
      )
    }
    if (this.jsonMode) this.printJson(r)
    else process.stdout.write(formatRsync(r))
  }

  private transporter(text: string): void {
    if (/^E_[A-Z_]+$/i.test(text)) return this.errorCode(text)
    const code = parseCode(text, 'exit code', 'e.g. `transporter explain-exit 28`')
    const rendered = renderExplainCode(code, this.jsonMode)
    if (rendered === undefined) {
      throw usageError(
        `${code} is not a transporter exit code`,
        'transporter exits with 0, 2, 5, 13, 16, 22, 28, 30, 36, 255 or 128+n; see `transporter explain-exit --all`',
      )
    }
    process.stdout.write(rendered)
  }

  private errorCode(text: string): void {
    const rendered = formatErrorCode(text)
    if (rendered === undefined) {
      throw usageError(
        `${text} is not a transporter error code`,
        `error codes: ${errorCodes()
          .map((e) => e.code)
          .join(', ')}`,
      )
    }
    if (this.jsonMode) this.printJson(errorCodes().find((e) => e.code === text.toUpperCase()))
    else process.stdout.write(rendered)
  }
}
