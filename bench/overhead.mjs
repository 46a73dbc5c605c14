#!/usr/bin/env node
// Wrapper overhead of `transporter copy` against bare `rsync -rlptgo --partial`
// on the same tree (spec §11): ≤ 1.02× on one large file, ≤ 1.05× on 50,000
// small files with progress on, transporter's peak RSS ≤ 80 MB.
//
// Every run copies into a fresh, empty destination (rm -rf + sync between
// runs; page caches are not dropped). Subjects are interleaved, order reversed
// every other round, medians quoted. Four subjects per case:
//   rsync          bare rsync -rlptgo --partial -- SRC/ DEST
//   rsync+wrapargs the same rsync with the options transporter adds
//                  (--info=progress2), stdout piped
//                  and drained: the part of the overhead that is rsync's own
//   transporter    transporter copy --progress --report-addr <local receiver>
//                  --report-interval 1 --quiet
// plus an empty-directory case that isolates the fixed start-up cost.
//
//   node bench/overhead.mjs [--size 1G] [--files 50000] [--dirs 500] [--file-size 4096]
//                           [--rounds 5] [--start-rounds 10] [--cases startup,large,small]
//                           [--cli bin/run.js] [--snapshot] [--no-wrapargs]
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {
  childEnv,
  compareInventories,
  fmtBytes,
  fresh,
  interleave,
  inventory,
  makeLargeFile,
  makeSmallTree,
  median,
  parseFlags,
  parseSize,
  printTable,
  root,
  round,
  scratch,
  snapshotCli,
  startReceiver,
  timed,
  totals,
  writeResults,
} from './lib.mjs'

const flags = parseFlags(process.argv.slice(2), {
  size: '1G',
  files: '50000',
  dirs: '500',
  'file-size': '4096',
  rounds: '5',
  'start-rounds': '10',
  cases: 'startup,large,small',
  cli: join(root, 'bin/run.js'),
  snapshot: false,
  wrapargs: true,
  'no-wrapargs': false,
})
const rounds = Math.max(5, Number(flags.rounds))
const cases = new Set(flags.cases.split(','))
const withWrapArgs = flags.wrapargs && !flags['no-wrapargs']
const snapshot = flags.snapshot ? snapshotCli() : null
const cli = snapshot ? snapshot.bin : flags.cli
const env = childEnv()
const work = scratch('overhead')
const receiver = await startReceiver()
const log = (s) => process.stderr.write(`${s}\n`)

const BUDGET = {large: 1.02, small: 1.05, rssMb: 80}

/** The subjects for one source tree; every run gets a fresh dest. */
function subjectsFor(src, {progress = true, expectFiles}) {
  const dest = join(work, 'dest')
  const check = (name, r) => {
    if (r.code !== 0) throw new Error(`${name} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.slice(-2000)}`)
    if (expectFiles !== undefined) {
      const problem = compareInventories(expectFiles, inventory(dest))
      if (problem) throw new Error(`${name}: destination wrong after the run: ${problem}`)
    }
    return r
  }
  const subjects = [
    {
      name: 'rsync',
      run: async () => {
        fresh(dest)
        return check('rsync', await timed('rsync', ['-rlptgo', '--partial', '--', `${src}/`, dest], {env, cpu: true}))
      },
    },
  ]
  if (withWrapArgs) {
    subjects.push({
      name: 'rsync+wrapargs',
      run: async () => {
        fresh(dest)
        const args = ['-rlptgo', '--partial', progress ? '--info=progress2' : '--info=stats2', '--', `${src}/`, dest]
        return check('rsync+wrapargs', await timed('rsync', args, {env, cpu: true, capture: true}))
      },
    })
  }
  subjects.push({
    name: 'transporter',
    run: async () => {
      fresh(dest)
      receiver.reset()
      const args = [cli, 'copy', '--src', `${src}/`, '--dest', dest, '--quiet']
      if (progress) args.push('--progress', '--report-addr', receiver.url, '--report-interval', '1')
      const r = check('transporter', await timed(process.execPath, args, {env, cpu: true, sampleRss: true}))
      if (progress && receiver.state.posts < 1) throw new Error('transporter sent no progress report')
      return {...r, posts: receiver.state.posts, lastReport: receiver.state.last}
    },
  })
  return subjects
}

function summarise(name, samples, budget) {
  const med = (s, k) => median(samples[s].map((x) => x[k]))
  const bare = med('rsync', 'ms')
  const tp = med('transporter', 'ms')
  const out = {
    case: name,
    budget,
    rounds,
    medians: Object.fromEntries(
      Object.keys(samples).map((s) => [
        s,
        {
          wallMs: round(med(s, 'ms'), 1),
          cpuMs: round(med(s, 'cpuMs'), 0),
          ...(s === 'transporter'
            ? {
                peakRssMb: round(Math.max(...samples[s].map((x) => x.peakKb)) / 1024, 1),
                treeMaxRssMb: round(Math.max(...samples[s].map((x) => x.treeMaxRssKb)) / 1024, 1),
              }
            : {}),
        },
      ]),
    ),
    ratio: round(tp / bare),
    cpuRatio: med('rsync', 'cpuMs') > 0 ? round(med('transporter', 'cpuMs') / med('rsync', 'cpuMs')) : null,
    ...(samples['rsync+wrapargs'] ? {wrapArgsRatio: round(med('rsync+wrapargs', 'ms') / bare)} : {}),
    // Ratio of per-round pairs (each transporter run over the rsync run of the same round): less exposed to drift.
    pairRatioMedian: round(median(samples.transporter.map((t, i) => t.ms / samples.rsync[i].ms))),
    samples: Object.fromEntries(
      Object.entries(samples).map(([s, xs]) => [
        s,
        xs.map((x) => ({wallMs: round(x.ms, 1), cpuMs: round(x.cpuMs ?? 0, 0), ...(x.peakKb ? {peakRssKb: x.peakKb} : {})})),
      ]),
    ),
  }
  return out
}

const results = []
try {
  if (cases.has('startup')) {
    const src = join(work, 'empty')
    mkdirSync(src)
    log(`startup: empty directory, ${Number(flags['start-rounds'])} rounds`)
    const s = await interleave(
      subjectsFor(src, {expectFiles: new Map()}).filter((x) => x.name !== 'rsync+wrapargs'),
      Math.max(5, Number(flags['start-rounds'])),
      {log},
    )
    const r = summarise('empty dir (start-up)', s, null)
    r.fixedCostMs = round(r.medians.transporter.wallMs - r.medians.rsync.wallMs, 1)
    results.push(r)
  }
  if (cases.has('large')) {
    const bytes = parseSize(flags.size)
    const src = join(work, 'large')
    mkdirSync(src)
    log(`large: making one ${fmtBytes(bytes)} file`)
    makeLargeFile(join(src, 'big.bin'), bytes)
    const inv = inventory(src)
    log(`large: ${rounds} rounds`)
    const s = await interleave(subjectsFor(src, {expectFiles: inv}), rounds, {log})
    results.push({...summarise(`1 file, ${fmtBytes(bytes)}`, s, BUDGET.large), tree: totals(inv)})
    fresh(src)
  }
  if (cases.has('small')) {
    const files = Number(flags.files)
    const src = join(work, 'small')
    mkdirSync(src)
    log(`small: making ${files} files of ${flags['file-size']} B in ${flags.dirs} dirs`)
    makeSmallTree(src, {files, dirs: Number(flags.dirs), size: parseSize(flags['file-size'])})
    const inv = inventory(src)
    log(`small: ${rounds} rounds`)
    const s = await interleave(subjectsFor(src, {expectFiles: inv}), rounds, {log})
    results.push({...summarise(`${files} files × ${fmtBytes(parseSize(flags['file-size']))}`, s, BUDGET.small), tree: totals(inv)})
    fresh(src)
  }
} finally {
  await receiver.close()
  fresh(work)
  if (snapshot) fresh(snapshot.dir)
}

const start = results.find((r) => r.fixedCostMs !== undefined)
const s1 = (ms) => (ms / 1000).toFixed(3)
console.log(`\ntransporter copy vs bare rsync, medians of ${rounds} interleaved rounds (start-up: ${flags['start-rounds']}), wall seconds`)
printTable(
  ['case', 'rsync', 'rsync+wrapargs', 'transporter', 'ratio', 'budget', 'verdict', 'cpu ratio', 'peak RSS MB (≤80)'],
  results.map((r) => [
    r.case,
    s1(r.medians.rsync.wallMs),
    r.medians['rsync+wrapargs'] ? s1(r.medians['rsync+wrapargs'].wallMs) : '-',
    s1(r.medians.transporter.wallMs),
    r.ratio.toFixed(3),
    r.budget ? `≤${r.budget}` : '-',
    r.budget ? (r.ratio <= r.budget ? 'ok' : 'OVER') : '-',
    r.cpuRatio === null ? '-' : r.cpuRatio.toFixed(2),
    `${r.medians.transporter.peakRssMb} ${r.medians.transporter.peakRssMb <= BUDGET.rssMb ? 'ok' : 'OVER'}`,
  ]),
)
if (start) {
  console.log(`\nfixed start-up cost (transporter − rsync on an empty dir): ${start.fixedCostMs} ms`)
  for (const r of results.filter((x) => x.budget)) {
    const extra = r.medians.transporter.wallMs - r.medians.rsync.wallMs
    r.extraMs = round(extra, 1)
    r.extraBeyondStartupMs = round(extra - start.fixedCostMs, 1)
    r.ratioWithoutStartup = round((r.medians.transporter.wallMs - start.fixedCostMs) / r.medians.rsync.wallMs)
    // Start-up measured on an empty tree can exceed the whole extra on a short copy: both are noisy medians.
    console.log(
      `${r.case}: ${extra >= 0 ? '+' : ''}${round(extra, 0)} ms vs rsync; start-up alone ${start.fixedCostMs} ms; per-tree extra ${round(extra - start.fixedCostMs, 0)} ms; ratio with start-up removed ${r.ratioWithoutStartup}`,
    )
  }
}
const file = writeResults('overhead', {rounds, budget: BUDGET, cli: snapshot ? 'snapshot of bin/run.js' : cli, results})
console.log(`\nwrote ${file}`)
