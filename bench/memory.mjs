#!/usr/bin/env node
// Peak RSS of transporter while rsync floods it (spec §11: ≤ 80 MB, "however
// much rsync writes", tested with 100 MB of stderr). A fake rsync writes
// 100 MB of stderr and 1,000,000 progress updates as fast as the pipes take
// them, then fails; the bench samples transporter's VmHWM from /proc until it
// exits and checks the error report: message ≤ 64 KiB, ending with the fake's
// last stderr line. A third run has the report server answer every report
// with a 100 MB body (spec §11: "whatever the report server answers").
// Then a real tree of 300,000 files is copied by real rsync plain, with
// `--parallel 4`, as `--shard 0/4` and as `--shard 1/4 --parallel 4`, with
// progress reports on (spec §9, §11: ≤ 80 MB "whatever the tree size").
// Writes bench/results/memory.json.
//
//   node bench/memory.mjs [--stderr-mb 100] [--progress-lines 1000000] [--answer-mb 100] [--tree-files 300000]
import {spawn} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {childEnv, fresh, inventory, compareInventories, makeSmallTree, scratch, startReceiver, timed} from './lib.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const FAKE = join(root, 'test/fixtures/fake-rsync/fake-rsync.mjs')
const BUDGET_MB = 80
const TAIL_LIMIT = 64 * 1024

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const stderrMb = opt('stderr-mb', 100)
const progressLines = opt('progress-lines', 1_000_000)
const answerMb = opt('answer-mb', 100)
const treeFiles = opt('tree-files', 300_000)

// what rsync prints last when a disk fills up: the classifier turns it into 28
const LAST_LINE =
  'rsync: [receiver] write failed on "/dst/big": No space left on device (28)\nrsync error: error in file IO (code 11) at receiver.c(657) [receiver=3.5.0]'

function vmHwmKb(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0 // exited between polls
  }
}

async function runOnce(stderrMb, progressLines, answerMb = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'transporter-bench-memory-'))
  const reports = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      if (answerMb === 0) return void res.end('ok')
      // a receiver that answers with far more than anyone should read
      const chunk = Buffer.alloc(64 * 1024, 0x61)
      let left = answerMb * 1024 * 1024
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          left -= chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  try {
    mkdirSync(join(dir, 'src'))
    writeFileSync(join(dir, 'src/f'), 'x')
    writeFileSync(join(dir, '.transporterrc.yaml'), `rsync: {path: ${JSON.stringify(FAKE)}}\nreporters: [http]\n`)
    const url = `http://127.0.0.1:${server.address().port}/report`
    const started = Date.now()
    const child = spawn(
      process.execPath,
      [join(root, 'bin/run.js'), 'copy', '--progress', '--stderr', '--report-addr', url, '--src', join(dir, 'src/'), '--dest', join(dir, 'dst')],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          FAKE_RSYNC_CODES: '11',
          FAKE_RSYNC_STDERR_BYTES: String(stderrMb * 1024 * 1024),
          FAKE_RSYNC_PROGRESS_LINES: String(progressLines),
          FAKE_RSYNC_LAST_LINE: LAST_LINE,
        },
      },
    )
    let echoed = 0
    child.stdout.on('data', () => {})
    child.stderr.on('data', (c) => (echoed += c.length))
    let peakKb = 0
    const poll = setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid))), 10)
    const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)))
    clearInterval(poll)
    const wallMs = Date.now() - started

    const error = reports.find((r) => r.errcode !== 0)
    const message = error ? String(error.message) : ''
    const messageBytes = Buffer.byteLength(message)
    const endsWithLast = message.trimEnd().endsWith(LAST_LINE.split('\n').at(-1))
    const peakMb = peakKb / 1024
    return {
      stderrBytes: stderrMb * 1024 * 1024,
      progressLines,
      exitCode: code,
      peakRssMb: Number(peakMb.toFixed(1)),
      budgetMb: BUDGET_MB,
      withinBudget: peakKb > 0 && peakMb <= BUDGET_MB,
      stderrEchoedBytes: echoed,
      errorReport: {
        errcode: error?.errcode ?? null,
        messageBytes,
        limitBytes: TAIL_LIMIT,
        withinLimit: messageBytes > 0 && messageBytes <= TAIL_LIMIT,
        endsWithLastStderrLine: endsWithLast,
      },
      reportsReceived: reports.length,
      wallMs,
    }
  } finally {
    server.close()
    rmSync(dir, {recursive: true, force: true})
  }
}

function line(label, r) {
  return (
    `${label}: peak RSS ${r.peakRssMb} MB (budget ${BUDGET_MB} MB) ${r.withinBudget ? 'OK' : 'OVER'}; exit ${r.exitCode}; ` +
    `error report message ${r.errorReport.messageBytes} B (≤ ${TAIL_LIMIT}: ${r.errorReport.withinLimit}), ends with rsync's last line: ${r.errorReport.endsWithLastStderrLine}; ` +
    `${(r.stderrEchoedBytes / 1024 / 1024).toFixed(1)} MB of stderr echoed; ${r.wallMs} ms`
  )
}

// The same run without the flood first: separates transporter's fixed
// footprint (runtime, oclif, plugins, the HTTP client) from what the flood adds.
const baseline = await runOnce(0, 0)
const flood = await runOnce(stderrMb, progressLines)
const answers = await runOnce(0, 0, answerMb)
const tree = treeFiles > 0 ? await bigTree(treeFiles) : []
const result = {
  date: new Date().toISOString(),
  node: process.version,
  nodeExtraCaCerts: Boolean(process.env.NODE_EXTRA_CA_CERTS),
  note: 'peak = VmHWM of the transporter process, polled every 10 ms from /proc until exit',
  ...flood,
  baseline: {peakRssMb: baseline.peakRssMb, exitCode: baseline.exitCode, wallMs: baseline.wallMs},
  hugeAnswers: {
    answerBytes: answerMb * 1024 * 1024,
    peakRssMb: answers.peakRssMb,
    withinBudget: answers.withinBudget,
    exitCode: answers.exitCode,
    reportsReceived: answers.reportsReceived,
    wallMs: answers.wallMs,
  },
  floodAddsMb: Number((flood.peakRssMb - baseline.peakRssMb).toFixed(1)),
  bigTree: {files: treeFiles, runs: tree},
}
mkdirSync(join(root, 'bench/results'), {recursive: true})
writeFileSync(join(root, 'bench/results/memory.json'), `${JSON.stringify(result, null, 2)}\n`)
console.log(line('no flood', baseline))
console.log(line(`${stderrMb} MB stderr + ${progressLines} progress lines`, flood))
console.log(line(`every report answered with ${answerMb} MB`, answers))
for (const r of tree)
  console.log(
    `${treeFiles} files, ${r.mode}: peak RSS ${r.peakRssMb} MB (budget ${BUDGET_MB} MB) ${r.withinBudget ? 'OK' : 'OVER'}; exit ${r.exitCode}; ${r.wallMs} ms`,
  )
const treeOk = tree.every((r) => r.withinBudget && r.exitCode === 0)
if (!treeOk || !answers.withinBudget || !flood.withinBudget || !flood.errorReport.withinLimit || !flood.errorReport.endsWithLastStderrLine) process.exitCode = 1

/** Real rsync over `files` small files in files/1000 dirs, each mode into a fresh dest; a plain copy's dest is checked whole. */
async function bigTree(files) {
  const work = scratch('memory-tree')
  const src = join(work, 'src')
  const dest = join(work, 'dest')
  const receiver = await startReceiver()
  try {
    mkdirSync(src)
    process.stderr.write(`making ${files} files\n`)
    makeSmallTree(src, {files, dirs: Math.max(1, Math.round(files / 1000)), size: 64})
    const modes = [[], ['--parallel', '4'], ['--shard', '0/4'], ['--shard', '1/4', '--parallel', '4']]
    const runs = []
    for (const extra of modes) {
      fresh(dest)
      const args = [
        join(root, 'bin/run.js'),
        'copy',
        '--src',
        `${src}/`,
        '--dest',
        dest,
        '--quiet',
        '--progress',
        '--report-addr',
        receiver.url,
        '--report-interval',
        '1',
        ...extra,
      ]
      const r = await timed(process.execPath, args, {env: childEnv(), sampleRss: true})
      if (extra.length === 0) {
        const problem = compareInventories(inventory(src), inventory(dest))
        if (problem) throw new Error(`plain copy of the big tree: ${problem}`)
      }
      const peakRssMb = Number((r.peakKb / 1024).toFixed(1))
      runs.push({
        mode: extra.length === 0 ? 'plain' : extra.join(' '),
        exitCode: r.code,
        peakRssMb,
        withinBudget: peakRssMb <= BUDGET_MB,
        wallMs: Math.round(r.ms),
      })
    }
    return runs
  } finally {
    await receiver.close()
    fresh(work)
  }
}
