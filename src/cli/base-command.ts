/**
 * What every transporter command shares: the `--json` flag and the one error
 * renderer. oclif's own `enableJsonFlag` is not used: its error object has a
 * different shape and it would print parse errors with oclif's formatting.
 */
import {Command} from '@oclif/core'
import {COPY_OPTIONS} from '../core/config/copy-options.js'
import {jsonRequested} from './json-mode.js'
import {boolFlag} from './oclif-flags.js'
import {debugEnabled, jsonLine, renderFailure, toUserError} from './render.js'

export abstract class BaseCommand extends Command {
  static override baseFlags = {
    json: boolFlag('json', COPY_OPTIONS.json),
  }

  /** The config file the command loaded, for `config` in --json (null: none, or not loaded yet). */
  protected configFile: string | null = null

  /**
   * Whether output is JSON. Read from argv, not from parsed flags, so that a
   * parse error is reported as JSON too.
   */
  protected get jsonMode(): boolean {
    return jsonRequested(this.argv, process.env)
  }

  /** One JSON document on stdout: the only thing `--json` puts there. */
  protected printJson(value: unknown): void {
    process.stdout.write(jsonLine(value))
  }

  protected override async catch(err: Error & {code?: string | undefined}): Promise<never> {
    // this.exit() (and oclif's own exits) throw ExitError: pass it through.
    if (err.code === 'EEXIT') throw err
    const user = toUserError(err, {parsing: !this.parsed, commandId: this.id})
    const out = renderFailure(user, {json: this.jsonMode, config: this.configFile, debug: debugEnabled()})
    process.stdout.write(out.stdout)
    process.stderr.write(out.stderr)
    this.exit(out.exitCode)
    throw err // unreachable: this.exit throws
  }
}
