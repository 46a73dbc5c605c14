import {spawn} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/run-cli.js'
import {createScratch} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

describe('a log stream that breaks never changes the run (spec §8.4)', () => {
  it("stderr closed by its reader (`| head`): the copy goes on, the reports arrive, the exit code is the copy's", async () => {
    const {ws, fake} = scratch.withFake([
      {
        stderr: 'rsync: [sender] send_files failed to open "/x/locked": Permission denied (13)\n'.repeat(50),
        progress: [
          [1, 40],
          [10, 40],
          [20, 40],
          [30, 40],
          [40, 40],
        ],
        progressDelayMs: 150,
        exit: 0,
      },
    ])
    const srv = await scratch.server()
    const child = spawn(
      process.execPath,
      [BIN, 'copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', srv.url, '--report-interval', '1', '--rsync-path', fake.path],
      {
        cwd: ws.cwd,
        env: {...process.env, ...fake.env, NODE_EXTRA_CA_CERTS: ''},
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    )
    // the reader goes away after the first line, as `| head -1` would
    child.stderr.once('data', () => child.stderr.destroy())
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(code).toBe(0)
    // the final progress report still reached the receiver, with the last counters
    expect(srv.json().at(-1)).toEqual({current_count: 40, total_count: 40, message: '', errcode: 0, reason: ''})
  })
})

describe('a failed rsync spawn is an attempt that could not start, never a crash (spec §6)', () => {
  it('EMFILE with --parallel 48 under `ulimit -n 80`: classified (-11), reported in --json, no stack trace', async () => {
    const ws = scratch.workspace((src) => {
      for (let i = 0; i < 400; i++) writeFileSync(join(src, `f${i}`), `${i}\n`)
    })
    const command = `ulimit -n 80; exec "$0" "$@"`
    const child = spawn('sh', ['-c', command, process.execPath, BIN, 'copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--parallel', '48', '--json'], {
      cwd: ws.cwd,
      env: {...process.env, NODE_EXTRA_CA_CERTS: ''},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(stderr).not.toMatch(/Unhandled 'error' event|\n\s+at /)
    const out = JSON.parse(stdout) as {exitCode: number; attempts: Array<{code: number}>}
    expect(out.exitCode).toBe(code)
    expect(out.attempts.some((a) => a.code === -11)).toBe(true)
  })
})
