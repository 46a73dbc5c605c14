#!/usr/bin/env node
// A scriptable stand-in for rsync, for sequences real rsync cannot be made to
// produce on demand. Driven by environment variables:
//   FAKE_RSYNC_LOG        file; one line is appended per start (the start count)
//   FAKE_RSYNC_CODES      comma-separated exit codes, one per start; the last repeats
//   FAKE_RSYNC_VANISHED   a path printed in rsync's "file has vanished" lines on code 24
//   FAKE_RSYNC_TRAP       1: ignore SIGTERM/SIGINT/SIGHUP, print progress and wait forever
//   FAKE_RSYNC_STDERR_BYTES / FAKE_RSYNC_PROGRESS_LINES: floods for the memory bench
//   FAKE_RSYNC_LAST_LINE  the last stderr text (replaces the generic failure line)
import {appendFileSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const env = process.env
let start = 1
if (env.FAKE_RSYNC_LOG) {
  try {
    start = readFileSync(env.FAKE_RSYNC_LOG, 'utf8').split('\n').filter(Boolean).length + 1
  } catch {
    // no log yet: this is the first start
  }
  appendFileSync(env.FAKE_RSYNC_LOG, `start ${start} pid ${process.pid} ${process.argv.slice(2).join(' ')}\n`)
}
const codes = (env.FAKE_RSYNC_CODES ?? '0').split(',').map(Number)
const code = codes[Math.min(start, codes.length) - 1] ?? 0
// rsync writes its temp file beside the destination file; dest is the last argument
const destDir = process.argv.at(-1)

function write(stream, text) {
  return new Promise((resolve) => (stream.write(text) ? resolve() : stream.once('drain', resolve)))
}

async function flood() {
  const total = Number(env.FAKE_RSYNC_STDERR_BYTES ?? 0)
  const lines = Number(env.FAKE_RSYNC_PROGRESS_LINES ?? 0)
  const chunk = Buffer.alloc(64 * 1024, 'rsync: [sender] noise line for the memory bench, no errno here\n')
  const perChunk = 2000
  let sentErr = 0
  let sentLines = 0
  while (sentErr < total || sentLines < lines) {
    if (sentErr < total) {
      const n = Math.min(chunk.length, total - sentErr)
      await write(process.stderr, chunk.subarray(0, n))
      sentErr += n
    }
    if (sentLines < lines) {
      let text = ''
      const n = Math.min(perChunk, lines - sentLines)
      for (let i = 0; i < n; i++) {
        const x = sentLines + i + 1
        text += `\r  ${x * 10} 50%  1.00MB/s  0:00:01 (xfr#${x}, to-chk=${lines - x}/${lines})`
      }
      await write(process.stdout, text)
      sentLines += n
    }
  }
  if (env.FAKE_RSYNC_LAST_LINE) await write(process.stderr, `\n${env.FAKE_RSYNC_LAST_LINE}\n`)
  await write(process.stdout, '\n')
}

async function main() {
  if (env.FAKE_RSYNC_TRAP === '1') {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => process.stderr.write(`fake rsync: ignoring ${s}\n`))
    // what a real rsync would have in flight: a temporary file (mode 0600) beside its target
    if (destDir) writeFileSync(join(destDir, '.f1.txt.AbC123'), 'partial', {mode: 0o600})
    process.stdout.write('\r  100 10%  1.00kB/s  0:00:01 (xfr#1, to-chk=9/10)')
    setInterval(() => {}, 1000)
    return
  }
  await flood()
  if (code === 24) {
    const path = env.FAKE_RSYNC_VANISHED ?? '/src/f1'
    await write(process.stderr, `file has vanished: "${path}"\nrsync warning: some files vanished before they could be transferred (code 24) at main.c(1383) [sender=3.5.0]\n`)
  } else if (code !== 0 && !env.FAKE_RSYNC_LAST_LINE) {
    await write(process.stderr, `rsync error: fake failure (code ${code}) at main.c(1) [sender=3.5.0]\n`)
  }
  process.exitCode = code
}

main()
