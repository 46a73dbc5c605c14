import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {runCli, type CliResult} from '../helpers/run-cli.js'
import type {Workspace} from '../helpers/trees.js'

export interface CopyRunOptions {
  env?: Record<string, string | undefined>
  timeoutMs?: number
}

/**
 * Runs the built CLI in the workspace's cwd. NODE_EXTRA_CA_CERTS only slows
 * every Node start (reports go to 127.0.0.1), and TRANSPORTER_* from the
 * outer environment must not leak into the run under test.
 */
export function runCopy(args: string[], ws: Workspace, options: CopyRunOptions = {}): Promise<CliResult> {
  const clean: Record<string, string | undefined> = {NODE_EXTRA_CA_CERTS: undefined}
  for (const key of Object.keys(process.env)) if (key.startsWith('TRANSPORTER_') && key !== 'TRANSPORTER_SKIP_BUILD') clean[key] = undefined
  return runCli(args, {cwd: ws.cwd, env: {...clean, ...options.env}, ...(options.timeoutMs ? {timeoutMs: options.timeoutMs} : {})})
}

/** A `.transporterrc.yaml` in the run's cwd. */
export function writeConfig(ws: Workspace, yaml: string): void {
  writeFileSync(join(ws.cwd, '.transporterrc.yaml'), yaml)
}

/** The bytes of a progress report as the Go tool encoded it. */
export function progressBody(current: number, total: number): string {
  return `{"current_count":${current},"total_count":${total},"message":"","errcode":0,"reason":""}`
}

