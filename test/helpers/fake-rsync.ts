import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {ROOT} from './run-cli.js'

export const FAKE_RSYNC = join(ROOT, 'test/fixtures/fake-rsync/fake-rsync.mjs')

/** One invocation of the fake rsync, as a rsync run would be. */
export interface FakeStep {
  /** wait before printing anything */
  startDelayMs?: number
  exit?: number
  stdout?: string
  stderr?: string
  /** raw bytes, hex-encoded (invalid UTF-8 and the like) */
  stdoutHex?: string
  stderrHex?: string
  /** stock `--info=progress2` updates: [xfr#, total] */
  progress?: Array<[number, number]>
  /** the patched rsync's `N-M` lines; null prints an empty N */
  legacy?: Array<[number | null, number]>
  progressDelayMs?: number
  /** print `stderr` after this many `progress` updates (mid-copy) instead of after the last */
  stderrAfter?: number
  sleepMs?: number
  killSelf?: NodeJS.Signals
}

export interface FakeInvocation {
  index: number
  argv: string[]
  pid: number
  pgid?: number
  /** where fd 0 pointed (/dev/null expected) */
  stdin?: string
  /** /proc/self/environ, as `NAME=value` */
  environ: string[]
}

export interface FakeRsync {
  path: string
  /** env that points the fake at its script and log */
  env: Record<string, string>
  invocations(): FakeInvocation[]
}

/** Writes `steps` as a script in `dir` and returns the fake's path, env and invocation log. */
export function fakeRsync(dir: string, steps: FakeStep[]): FakeRsync {
  const script = join(dir, 'fake-rsync-script.json')
  const log = join(dir, 'fake-rsync-log.jsonl')
  writeFileSync(script, JSON.stringify(steps))
  return {
    path: FAKE_RSYNC,
    env: {FAKE_RSYNC_SCRIPT: script, FAKE_RSYNC_LOG: log},
    invocations: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((l) => l !== '')
            .map((l) => JSON.parse(l) as FakeInvocation)
        : [],
  }
}
