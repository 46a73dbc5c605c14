import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

/** A terminal a person would look at: a detached tmux session on its own server, read with capture-pane. */
export interface TmuxPane {
  /** the screen as a person sees it, scrolled-off lines included, trailing blank lines dropped */
  screen(): string[]
  sendKeys(...keys: string[]): void
  /** the command's exit status once it has ended (128+n when a signal killed it), else undefined */
  exitStatus(): number | undefined
  /** polls the screen until `check` holds; throws with the last screen after `limitMs` */
  waitFor(check: (lines: string[]) => boolean, what: string, limitMs?: number): Promise<string[]>
  kill(): void
}

/**
 * Starts `argv` in a `columns`×`rows` tmux pane with `env`. The pane stays
 * after the command ends (remain-on-exit) so its last screen and exit status
 * can be read; tmux's own "Pane is dead" note is left out of the screen.
 */
export function startTmux(
  dir: string,
  argv: string[],
  options: {env?: Record<string, string | undefined>; cwd?: string; columns?: number; rows?: number} = {},
): TmuxPane {
  const socket = `transporter-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`
  const conf = join(dir, 'tmux.conf')
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 2000\n')
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'})
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`
  const vars = Object.entries(options.env ?? {}).map(([k, v]) => (v === undefined ? `-u ${k}` : `${k}=${quote(v)}`))
  // tmux does not always learn a dead pane's status: a wrapper in the same process group (Ctrl-C reaches the
  // command too) waits for the command and writes its exit status down
  const statusFile = join(dir, 'tmux-exit-status')
  const wrapper = join(dir, 'tmux-wrapper.mjs')
  writeFileSync(
    wrapper,
    `import {spawn} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {constants} from 'node:os'
const [file, command, ...args] = process.argv.slice(2)
process.on('SIGINT', () => {})
const child = spawn(command, args, {stdio: 'inherit'})
child.on('exit', (code, signal) => {
  const status = code ?? 128 + (constants.signals[signal] ?? 0)
  writeFileSync(file, String(status))
  process.exit(status)
})
`,
  )
  const command = `cd ${quote(options.cwd ?? dir)} && exec env ${vars.join(' ')} ${[process.execPath, wrapper, statusFile, ...argv].map(quote).join(' ')}`
  execFileSync(
    'tmux',
    ['-L', socket, '-f', conf, 'new-session', '-d', '-s', 'run', '-x', String(options.columns ?? 120), '-y', String(options.rows ?? 30), command],
    {
      // tmux and the CLI inside see a terminal of their own; nothing of the test runner's colour settings
      env: serverEnv(),
    },
  )
  const screen = () => {
    const lines = tmux('capture-pane', '-p', '-S', '-', '-t', 'run')
      .split('\n')
      .filter((l) => !/^Pane is dead \(/.test(l))
      .map((l) => l.trimEnd())
    while (lines.length > 0 && lines.at(-1) === '') lines.pop()
    return lines
  }
  return {
    screen,
    sendKeys: (...keys) => void tmux('send-keys', '-t', 'run', ...keys),
    exitStatus() {
      return existsSync(statusFile) ? Number(readFileSync(statusFile, 'utf8')) : undefined
    },
    async waitFor(check, what, limitMs = 20_000) {
      const until = Date.now() + limitMs
      for (;;) {
        const lines = screen()
        if (check(lines)) return lines
        if (Date.now() > until) {
          const pane = tmux(
            'display-message',
            '-p',
            '-t',
            'run',
            'dead=#{pane_dead} status=#{pane_dead_status} signal=#{pane_dead_signal} pid=#{pane_pid}',
          ).trim()
          throw new Error(`timed out waiting for ${what} (${pane}); the screen:\n${lines.join('\n')}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    kill() {
      try {
        tmux('kill-server')
      } catch {
        // already gone
      }
    },
  }
}

/** The tmux server's environment (what the pane inherits): a terminal of its own, none of the runner's colour or TRANSPORTER_* settings. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, TERM: 'xterm-256color'}
  for (const key of Object.keys(env)) {
    if ((key.startsWith('TRANSPORTER_') && key !== 'TRANSPORTER_SKIP_BUILD') || ['FORCE_COLOR', 'NO_COLOR', 'CI', 'TMUX', 'NODE_EXTRA_CA_CERTS'].includes(key))
      delete env[key]
  }
  return env
}
