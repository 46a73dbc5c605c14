import {Flags} from '@oclif/core'
import {BaseCommand} from '../cli/base-command.js'
import {envName} from '../cli/copy-flag-spec.js'

const env = (flag: string) => `[env: ${envName(flag)}]`

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

  static override baseFlags = {
    ...BaseCommand.baseFlags,
    // the legacy form spells a false bool `--no-<name>` (`-json=false`), as for every other copy flag
    json: Flags.boolean({
      allowNo: true,
      description: 'Print one JSON object on stdout instead of text (errors too).',
      env: 'TRANSPORTER_JSON',
      helpGroup: 'GLOBAL',
    }),
  }

  static override flags = {
    src: Flags.string({description: `source path, absolute ${env('src')}`}),
    dest: Flags.string({description: `destination path, absolute ${env('dest')}`}),
    'dest-dir': Flags.boolean({allowNo: true, description: `create dest as a directory first (mkdir -p) ${env('dest-dir')}`}),
    progress: Flags.boolean({allowNo: true, description: `POST progress reports to --report-addr ${env('progress')}`}),
    stderr: Flags.boolean({allowNo: true, description: `POST rsync's stderr to --report-addr when the run fails ${env('stderr')}`}),
    'report-addr': Flags.string({description: `http(s) URL the reports are POSTed to ${env('report-addr')}`}),
    'report-interval': Flags.integer({description: `seconds between progress reports; ≤ 0 means 5 ${env('report-interval')}`}),
    config: Flags.string({description: 'config file to load instead of searching for .transporterrc* [env: TRANSPORTER_CONFIG]'}),
    'dry-run': Flags.boolean({allowNo: true, description: `rsync -n: check everything, copy nothing, send no reports ${env('dry-run')}`}),
    retries: Flags.integer({description: `attempts the retry policy may make (its maxAttempts) ${env('retries')}`}),
    parallel: Flags.integer({description: `split the tree into N balanced parts copied by N rsync processes ${env('parallel')}`}),
    shard: Flags.string({description: `copy only part i of a deterministic N-way split (i/N, 0-based; auto: from a Kubernetes Indexed Job or a Slurm array) ${env('shard')}`}),
    verify: Flags.boolean({allowNo: true, description: `checksum pass after the copy; exit 5 when anything differs ${env('verify')}`}),
    quiet: Flags.boolean({allowNo: true, description: `no info logs, no progress, no echo of rsync's stderr ${env('quiet')}`}),
    'progress-bar': Flags.boolean({allowNo: true, description: `live progress bar on a terminal (--no-progress-bar for plain lines) ${env('progress-bar')}`}),
    'rsync-path': Flags.string({description: `rsync binary ${env('rsync-path')}`}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Copy)
    const {runCopyCommand} = await import('../cli/copy-run.js')
    const result = await runCopyCommand(this.config, flags)
    if (result.json !== undefined) this.printJson(result.json)
    process.exitCode = result.exitCode
  }
}
