import {spawn, type ChildProcess} from 'node:child_process'

export interface Finished {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface LaunchOptions {
  cwd?: string
  /** laid over process.env; undefined removes a variable */
  env?: Record<string, string | undefined>
  /** written to stdin, which is then closed; without it stdin is /dev/null */
  input?: string
  /** SIGKILLed after this long, so a test's waits are bounded */
  timeoutMs?: number
}

/** A running process the test keeps hold of (for signals), its output so far, and its end. */
export interface Launched {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  done: Promise<Finished>
}

/** The one way tests start a process: real argv, output collected, a bounded life. */
export function launch(cmd: string, args: readonly string[], options: LaunchOptions = {}): Launched {
  const env: Record<string, string | undefined> = {...process.env, ...options.env}
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
  const child = spawn(cmd, args, {
    cwd: options.cwd,
    env: env as NodeJS.ProcessEnv,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const done = new Promise<Finished>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 50_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({code, signal, stdout, stderr})
    })
  })
  if (options.input !== undefined) child.stdin!.end(options.input)
  return {child, stdout: () => stdout, stderr: () => stderr, done}
}

/** Runs a command to its end. */
export function run(cmd: string, args: readonly string[], options: LaunchOptions = {}): Promise<Finished> {
  return launch(cmd, args, options).done
}
