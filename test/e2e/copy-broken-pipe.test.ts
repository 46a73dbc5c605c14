import {spawn} from 'node:child_process'
import {afterAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/run-cli.js'
import {createScratch} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

describe('a log stream that breaks never changes the run (spec §8.4)', () => {
  it('stderr closed by its reader (`| head`): the copy goes on, the reports arrive, the exit code is the copy\'s', async () => {
    const {ws, fake} = scratch.withFake([
      {stderr: 'rsync: [sender] send_files failed to open "/x/locked": Permission denied (13)\n'.repeat(50), progress: [[1, 40], [10, 40], [20, 40], [30, 40], [40, 40]], progressDelayMs: 150, exit: 0},
    ])
    const srv = await scratch.server()
    const child = spawn(process.execPath, [BIN, 'copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', srv.url, '--report-interval', '1', '--rsync-path', fake.path], {
      cwd: ws.cwd,
      env: {...process.env, ...fake.env, NODE_EXTRA_CA_CERTS: ''},
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    // the reader goes away after the first line, as `| head -1` would
    child.stderr.once('data', () => child.stderr.destroy())
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(code).toBe(0)
    // the final progress report still reached the receiver, with the last counters
    expect(srv.json().at(-1)).toEqual({current_count: 40, total_count: 40, message: '', errcode: 0, reason: ''})
  })
})
