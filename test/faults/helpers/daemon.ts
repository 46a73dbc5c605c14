import {spawn, type ChildProcess} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {createServer, connect} from 'node:net'
import {waitFor} from '../../helpers/wait.js'
import type {Sandbox} from './sandbox.js'
import {childrenOf, REAL_RSYNC} from './sandbox.js'

export interface Daemon {
  port: number
  url: string
  listener: ChildProcess
  /** the per-connection processes (children of the listener) */
  connections: () => number[]
  stop: () => Promise<void>
}

async function freePort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as {port: number}).port
  await new Promise<void>((resolve) => srv.close(() => resolve()))
  return port
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

/** An rsync daemon on 127.0.0.1 serving `dir` as module `mod` (no chroot: runs without a jail). */
export async function startDaemon(sb: Sandbox, name: string, dir: string): Promise<Daemon> {
  const port = await freePort()
  const config = sb.path(`rsyncd-${name}.conf`)
  writeFileSync(config, `use chroot = no\nuid = root\ngid = root\npid file = ${sb.path(`rsyncd-${name}.pid`)}\n[mod]\npath = ${dir}\nread only = no\n`)
  const listener = spawn(REAL_RSYNC, ['--daemon', '--no-detach', '--port', String(port), '--config', config], {stdio: 'ignore'})
  await waitFor(() => accepting(port), `the rsync daemon on port ${port}`, 5000, 50)
  return {
    port,
    url: `rsync://127.0.0.1:${port}/mod/`,
    listener,
    connections: () => (listener.pid ? childrenOf(listener.pid) : []),
    stop: async () => {
      if (listener.exitCode !== null || listener.signalCode !== null) return
      const gone = new Promise((r) => listener.once('close', r))
      listener.kill('SIGKILL')
      await gone
    },
  }
}

/**
 * transporter only copies between local paths; this rsync wrapper turns its
 * local DEST into the daemon URL, so the real network transfer runs under transporter's control.
 */
export function daemonWrapperScript(log: string, daemonUrl: string): string {
  return `#!/bin/bash
echo "start $$" >> '${log}'
args=("$@")
n=\${#args[@]}
out=()
for ((i = 0; i < n - 1; i++)); do
  out+=("\${args[i]}")
done
exec ${REAL_RSYNC} "\${out[@]}" '${daemonUrl}'
`
}
