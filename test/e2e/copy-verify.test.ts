import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

interface VerifyJson {
  exitCode: number
  mismatches: number | null
  extras?: number
  mismatchSample?: string[]
}

function fill(src: string): void {
  writeFileSync(join(src, 'small.txt'), 'small\n')
  writeFileSync(join(src, 'big.bin'), Buffer.alloc(4096, 1))
}

describe("--verify follows the copy's meaning (spec §10)", () => {
  it.concurrent.each([
    ['--max-size=1k (big.bin not copied)', '--max-size=1k'],
    ['--chmod=F600', '--chmod=F600'],
    ['--exclude=*.bin', '--exclude=*.bin'],
  ])('a correct copy made with %s verifies clean', async (_what, option) => {
    const ws = scratch.workspace(fill)
    writeConfig(ws, `rsync: {extraArgs: [${JSON.stringify(option)}]}\n`)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--verify', '--json'], ws)
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({exitCode: 0, mismatches: 0})
  })

  it('counts entries only in dest as extras; they fail the verify only with --delete', async () => {
    const ws = scratch.workspace(fill)
    const first = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(first.code).toBe(0)
    writeFileSync(join(ws.dest, 'only-in-dest.txt'), 'stray\n')
    const plain = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--verify', '--json'], ws)
    expect(plain.code).toBe(0)
    expect(JSON.parse(plain.stdout) as VerifyJson).toMatchObject({mismatches: 0, extras: 1})
    expect(plain.stderr).toContain('verify: source and destination match (1 entry only in dest; the copy did not use --delete)')
  })

  it('a mismatch names its files in the error report and --json', async () => {
    const ws = scratch.workspace(fill)
    const wrapper = join(ws.root, 'damaging-rsync.sh')
    writeFileSync(wrapper, `#!/bin/sh\nrsync "$@" || exit $?\ncase "$*" in *--dry-run*) ;; *) printf x >> "${ws.dest}/small.txt";; esac\n`, {mode: 0o755})
    const srv = await scratch.server()
    const r = await runCopy(
      ['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--verify', '--json', '--stderr', '--report-addr', srv.url, '--rsync-path', wrapper],
      ws,
    )
    expect(r.code).toBe(5)
    const out = JSON.parse(r.stdout) as VerifyJson
    expect(out.mismatches).toBe(1)
    expect(out.mismatchSample).toEqual([expect.stringMatching(/ small\.txt$/)])
    const report = srv.json().at(-1)!
    expect(report.errcode).toBe(5)
    expect(String(report.message)).toMatch(/verify: 1 file\(s\) differ between src and dest, e\.g\.:\n.* small\.txt/)
  })

  it("--shard i/N verifies the shard's own part only: every shard of a correct copy passes", async () => {
    const ws = scratch.workspace((src) => {
      for (let i = 0; i < 20; i++) writeFileSync(join(src, `f${i}.txt`), `${i}\n`)
    })
    for (const index of [0, 1, 2]) {
      const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--dest-dir', '--shard', `${index}/3`, '--verify', '--json'], ws)
      expect(r.code, r.stderr).toBe(0)
      expect((JSON.parse(r.stdout) as VerifyJson).mismatches).toBe(0)
    }
  })
})
