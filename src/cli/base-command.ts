/**
 * What every transporter command shares: the `--json` flag and error
 * rendering. oclif's own `enableJsonFlag` is not used: its error object has a
 * different shape and it would print parse errors with oclif's formatting.
 */
import {Command, Flags} from '@oclif/core'
import {redactText} from '../core/secrets/redact.js'
import {debugEnabled, renderJson, renderText, toUserError} from './render-error.js'

const JSON_ENV = 'TRANSPORTER_JSON'

function truthy(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false', 'no', 'off'].includes(value.toLowerCase())
}

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: 'Print one JSON object on stdout instead of text (errors too).',
      env: JSON_ENV,
      helpGroup: 'GLOBAL',
    }),
  }

  /**
   * Whether output is JSON. Read from argv, not from parsed flags, so that a
   * parse error is reported as JSON too.
   */
  protected get jsonMode(): boolean {
    for (const arg of this.argv) {
      if (arg === '--') break
      if (arg === '--json' || arg === '-json' || arg === '--json=true') return true
    }
    return truthy(process.env[JSON_ENV])
  }

  /** One JSON document on stdout: the only thing `--json` puts there. */
  protected printJson(value: unknown): void {
    process.stdout.write(redactText(`${JSON.stringify(value)}\n`))
  }

  protected override async catch(err: Error & {code?: string | undefined}): Promise<never> {
    // this.exit() (and oclif's own exits) throw ExitError: pass it through.
    if (err.code === 'EEXIT') throw err
    const user = toUserError(err, {parsing: !this.parsed, commandId: this.id})
    if (this.jsonMode) process.stdout.write(renderJson(user))
    else process.stderr.write(renderText(user))
    if (debugEnabled() && user.stack !== undefined) process.stderr.write(redactText(`${user.stack}\n`))
    this.exit(user.exitCode)
    throw err // unreachable: this.exit throws
  }
}
