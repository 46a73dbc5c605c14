import {killAllGroups} from '../core/rsync/children.js'
import {loadConfig} from '../core/config/load.js'
import {runCopy} from '../core/run/copy.js'
import type {CopyOutcome} from '../core/run/outcome.js'
import {DEFAULT_TAIL_BYTES} from '../core/rsync/ring-buffer.js'
import {StopController} from '../core/run/stop.js'
import {validateRunInput} from '../core/run/validate.js'
import {validateExtraArgs} from '../core/rsync/args.js'
import type {CopyFlags} from '../core/config/copy-options.js'
import {nonEmpty, resolveCopySettings} from './copy-settings.js'
import {loadComponents} from './load-components.js'
import {factoryEnv} from './factory-env.js'
import type {PluginHost} from './plugin-host.js'
import {guardBrokenPipes, isBroken} from './broken-pipe.js'
import {exposeCollector, keepYoungGenerationSmall} from './gc.js'
import {createLogger} from './logger.js'
import {terminalSinks} from './status-line.js'
import {outcomeObject} from './render.js'
import {summaryLine} from './summary.js'

const DEFAULT_GRACE_MS = 10_000
const DEFAULT_FLUSH_BUDGET_MS = 10_000

export interface CopyCommandResult {
  exitCode: number
  json?: unknown
}

/** The copy command's glue: config → settings → components → core.runCopy → exit code. */
export async function runCopyCommand(host: PluginHost, flags: CopyFlags, onConfig: (file: string | null) => void): Promise<CopyCommandResult> {
  // rsync never outlives transporter, whatever ends it (an uncaught error included).
  process.once('exit', cleanupOnExit)
  guardBrokenPipes(process.stdout, process.stderr)
  exposeCollector()
  // one owner of the terminal's last line: log lines, rsync's stderr and plugins' writes go around the bar
  const terminal = terminalSinks(process.stdout, process.stderr)
  process.once('exit', terminal.clear)
  const {stdout, stderr} = terminal
  const cfg = await loadConfig({cwd: process.cwd(), file: flags.config ?? nonEmpty(process.env.TRANSPORTER_CONFIG)})
  onConfig(cfg.filepath ?? null)
  const resolved = resolveCopySettings(flags, process.env, cfg)
  const {settings} = resolved
  // pure checks first: no plugin hook or factory runs for an obvious usage error
  validateRunInput(settings)
  validateExtraArgs(resolved.rsyncArgs, 'the command line')
  // before the split lists the source: the flag applies to the young generation's next growth
  if (resolved.parallel > 1 || resolved.shard !== undefined) keepYoungGenerationSmall()
  const log = createLogger(stderr, {level: resolved.logLevel})
  log.info(`config: ${cfg.filepath ?? 'none'}`)
  const env = factoryEnv(host.version, cfg, settings, log, {stdout, stderr})
  const components = await loadComponents(host, cfg, env, {retries: resolved.retries})
  for (const warning of components.warnings) log.warn(warning)
  log.debug(
    `settings: ${JSON.stringify({...settings, destDir: resolved.destDir, retries: resolved.retries, parallel: resolved.parallel, shard: resolved.shard, verify: resolved.verify})}`,
  )
  log.debug(`plugins: from ${host.source}`)
  log.debug(
    `components: reporters ${components.reporters.map((r) => r.id).join(', ') || 'none'}; mount checks ${components.mountChecks.map((m) => m.id).join(', ') || 'none'}; retry policy up to ${components.retryPolicy.maxAttempts ?? '?'} attempts`,
  )

  const stop = new StopController()
  const removeHandlers = installSignalHandlers(stop, log)
  let outcome: CopyOutcome
  try {
    outcome = await runCopy(
      {
        settings,
        destDir: resolved.destDir,
        rsyncPath: resolved.rsyncPath,
        // the command line's rules first: rsync applies the first filter rule that matches
        extraArgs: [...resolved.rsyncArgs, ...cfg.rsync.extraArgs],
        stderrTailBytes: cfg.rsync.stderrTailBytes ?? DEFAULT_TAIL_BYTES,
        graceMs: cfg.signals.graceMs ?? DEFAULT_GRACE_MS,
        flushBudgetMs: cfg.reports.flushBudgetMs ?? DEFAULT_FLUSH_BUDGET_MS,
        parallel: resolved.parallel,
        shard: resolved.shard,
        verify: resolved.verify,
      },
      components,
      {log, stop, ...(settings.quiet ? {} : {onStderr: (chunk: Buffer) => echoStderr(terminal.echo, chunk)})},
    )
  } finally {
    removeHandlers()
    // whatever ended the run, no live bar is left under what is printed next
    terminal.clear()
  }
  log.info(summaryLine(outcome))
  return {exitCode: outcome.exitCode, ...(settings.json ? {json: outcomeObject(outcome, cfg.filepath ?? null)} : {})}
}

/** SIGTERM/SIGINT/SIGHUP stop the copy gracefully; a second SIGINT kills at once. */
function installSignalHandlers(stop: StopController, log: ReturnType<typeof createLogger>): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGTERM', 'SIGINT', 'SIGHUP'] as const).map((signal) => [
    signal,
    () => {
      if (stop.stopped && signal === 'SIGINT' && stop.signal === 'SIGINT') {
        // rsync is SIGKILLed now; the run still sweeps its temp files and exits 130 without further waiting
        log.warn('second SIGINT: killing rsync now')
        stop.stop(signal, true)
        return
      }
      if (!stop.stopped) log.warn(`received ${signal}: stopping rsync, sending final reports (no further attempts)`)
      stop.stop(signal)
    },
  ])
  for (const [signal, handler] of handlers) process.on(signal, handler)
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}

/**
 * rsync's stderr echoed to ours. When whoever reads our stderr is slower than
 * rsync writes, wait for 'drain' (rsync then blocks on its pipe) instead of
 * queueing without bound in memory. `write` goes around the live status line.
 */
function echoStderr(write: (chunk: Buffer) => boolean, chunk: Buffer): void | Promise<void> {
  if (isBroken(process.stderr)) return
  if (write(chunk)) return
  return new Promise((resolve) => process.stderr.once('drain', resolve))
}

/** SIGTERM, so rsync removes its own temp file; its pdeathsig covers a transporter that cannot run this. */
function cleanupOnExit(): void {
  killAllGroups('SIGTERM')
}
