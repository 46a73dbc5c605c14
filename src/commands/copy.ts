import {BaseCommand} from '../cli/base-command.js'
import {copyOclifFlags} from '../cli/oclif-flags.js'
import type {CopyFlags} from '../core/config/copy-options.js'

export default class Copy extends BaseCommand {
  static override summary = 'Copy a tree with rsync, report progress and errors, retry what can be recovered.'

  static override description = `Runs rsync -rlptgo --partial from --src to --dest (a trailing slash on --src keeps rsync's meaning), classifies every failure, retries what can be recovered and exits with a code that names the problem (see \`transporter explain-exit --all\`).

The old Go-style form works unchanged: transporter -dest-dir -progress -report-addr URL -src /a -dest /b
Every flag also reads TRANSPORTER_<NAME> from the environment. Precedence: flag > environment > config file > default.`

  static override examples = [
    '<%= config.bin %> copy --src /data/in/ --dest /data/out --dest-dir',
    '<%= config.bin %> copy --src /mnt/a --dest /mnt/b --progress --stderr --report-addr http://api/report --report-interval 10',
    '<%= config.bin %> -dest-dir -progress -report-interval 10 -report-addr http://api/report -src /src -dest /dest',
    '<%= config.bin %> copy --src /data/in/ --dest /data/out --parallel 4 --verify --json',
  ]

  static override flags = copyOclifFlags()

  async run(): Promise<void> {
    const {flags} = await this.parse(Copy)
    const [{runCopyCommand}, {oclifHost}] = await Promise.all([import('../cli/copy-run.js'), import('../cli/plugin-host.js')])
    const result = await runCopyCommand(oclifHost(this.config), flags as CopyFlags, (file) => (this.configFile = file))
    if (result.json !== undefined) this.printJson(result.json)
    process.exitCode = result.exitCode
  }
}
