import {fileURLToPath} from 'node:url'
import {launch, type Finished, type LaunchOptions} from './launch.js'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const BIN = `${ROOT}/bin/run.js`

export type CliResult = Finished
export type RunOptions = LaunchOptions

/** Runs the built CLI as a user would: a separate node process, real argv (stdin a closed pipe unless `input`). */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return launch(process.execPath, [BIN, ...args], {cwd: ROOT, input: '', ...options}).done
}
