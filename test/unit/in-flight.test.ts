import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {inFlightFiles} from '../../src/core/rsync/in-flight.js'
import {waitFor} from '../helpers/wait.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

describe("inFlightFiles: the files rsync's processes are writing, by their final names", () => {
  it('finds a temp file held open by a grandchild of the group leader, as its final path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'in-flight-'))
    dirs.push(dir)
    // leader → child → grandchild, like rsync's client, receiver and generator; the grandchild writes
    const script = `( ( exec 3>"$0/.big.bin.Ab12Cd"; exec sleep 5 ) & wait ) & wait`
    const leader = spawn('bash', ['-c', script, dir], {detached: true, stdio: 'ignore'})
    try {
      await waitFor(() => inFlightFiles(leader.pid!).length > 0, 'the grandchild opened its temp file', 5000)
      expect(inFlightFiles(leader.pid!).map((p) => p.toString())).toEqual([join(dir, 'big.bin')])
    } finally {
      process.kill(-leader.pid!, 'SIGKILL')
    }
  })

  it("still finds it when the leader was killed from outside and its children are no one's now (the group is scanned)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'in-flight-'))
    dirs.push(dir)
    const script = `( ( exec 3>"$0/.big.bin.Ab12Cd"; exec sleep 5 ) & wait ) & wait`
    const leader = spawn('bash', ['-c', script, dir], {detached: true, stdio: 'ignore'})
    const pgid = leader.pid!
    try {
      await waitFor(() => inFlightFiles(pgid).length > 0, 'the grandchild opened its temp file', 5000)
      const gone = new Promise((resolve) => leader.once('exit', resolve))
      process.kill(pgid, 'SIGKILL') // the leader only, as a kill from outside may
      await gone
      expect(inFlightFiles(pgid).map((p) => p.toString())).toEqual([join(dir, 'big.bin')])
    } finally {
      process.kill(-pgid, 'SIGKILL')
    }
  })
})
