#!/usr/bin/env node
// transporter against its peers on the same trees (spec §11), side by side in
// one run: bare rsync, rsync's own live progress into a pipe, transporter with
// and without reporting, and fpsync when it is installed. Interleaved rounds
// (order reversed every other round), a fresh empty destination for every run,
// medians of wall time and of CPU time (user + sys of the whole process tree).
//
//   subject               command
//   rsync                 rsync -rlptgo --partial -- SRC/ DEST
//   rsync progress2>null  the same with --info=progress2 into /dev/null: what rsync's
//                         own per-file updates cost it, whoever reads them
//   rsync progress2|cat   the same with --info=progress2, stdout through a pipe to cat
//   transporter           transporter copy --src SRC/ --dest DEST --quiet
//   transporter progress  ... --progress --report-addr <local receiver> --report-interval 1
//   fpsync                fpsync -n 2 SRC/ DEST/ (only when fpsync is on PATH)
//
// Trees: an empty dir (fixed start-up), one large file, 50,000 × 4 KiB in 500
// dirs, 200,000 × 1 KiB in 2,000 dirs. Budgets (spec §11): empty dir ≤ rsync
// + 60 ms; ≤ 1.05× with progress on the small-file trees, ≤ 1.02× on the large
// file, ≤ 1.03× without reporting everywhere (wall and CPU).
//
//   node bench/peers.mjs [--cases empty,large,50k,200k] [--size 2G] [--rounds 5]
//                        [--start-rounds 15] [--cli bin/run.js] [--snapshot]
import {execFileSync} from 'node:child_process'
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
  cases: 'empty,large,50k,200k',
  size: '2G',
  rounds: '5',
  'start-rounds': '15',
  cli: join(root, 'bin/run.js'),
  snapshot: false,
})
const rounds = Math.max(5, Number(flags.rounds))
const cases = new Set(flags.cases.split(','))
const snapshot = flags.snapshot ? snapshotCli() : null
const cli = snapshot ? snapshot.bin : flags.cli
const env = childEnv()
const work = scratch('peers')
const receiver = await startReceiver()
const log = (s) => process.stderr.write(`${s}\n`)
const fpsync = onPath('fpsync')

const TREES = {
  empty: {label: 'empty dir (start-up)', make: () => {}},
  large: {label: `1 file, ${fmtBytes(parseSize(flags.size))}`, make: (src) => makeLargeFile(join(src, 'big.bin'), parseSize(flags.size))},
  '50k': {label: '50,000 × 4 KiB', make: (src) => makeSmallTree(src, {files: 50_000, dirs: 500, size: 4096})},
  '200k': {label: '200,000 × 1 KiB', make: (src) => makeSmallTree(src, {files: 200_000, dirs: 2000, size: 1024})},
}
/** [with progress, without reporting] as ratios to bare rsync (the empty dir's budget is absolute) */
const BUDGET = {large: [1.02, 1.03], '50k': [1.05, 1.03], '200k': [1.05, 1.03]}
const START_BUDGET_MS = 60

function onPath(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], {encoding: 'utf8'}).trim() || null
  } catch {
    return null
  }
}

/** Every subject copies SRC into a fresh DEST; the result is checked against the source after every run. */
function subjects(src, expected) {
  const dest = join(work, 'dest')
  const checked = (name, run) => ({
    name,
    run: async () => {
      fresh(dest)
      receiver.reset()
      const r = await run()
      if (r.code !== 0) throw new Error(`${name} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.slice(-2000)}`)
      const problem = compareInventories(expected, inventory(dest))
      if (problem) throw new Error(`${name}: destination wrong after the run: ${problem}`)
      return r
    },
  })
  const copy = (...extra) => timed(process.execPath, [cli, 'copy', '--src', `${src}/`, '--dest', dest, '--quiet', ...extra], {env, cpu: true, sampleRss: true})
  const list = [
    checked('rsync', () => timed('rsync', ['-rlptgo', '--partial', '--', `${src}/`, dest], {env, cpu: true})),
    // rsync's own cost of live progress, read by nobody: the floor for anything that takes stock rsync's per-file updates
    checked('rsync progress2>null', () => timed('rsync', ['-rlptgo', '--partial', '--info=progress2', '--', `${src}/`, dest], {env, cpu: true})),
    checked('rsync progress2|cat', () =>
      timed('sh', ['-c', 'rsync -rlptgo --partial --info=progress2 -- "$1" "$2" | cat >/dev/null', 'sh', `${src}/`, dest], {env, cpu: true}),
    ),
    checked('transporter', () => copy()),
    checked('transporter progress', async () => {
      const r = await copy('--progress', '--report-addr', receiver.url, '--report-interval', '1')
      if (receiver.state.posts < 1) throw new Error('transporter sent no progress report')
      return r
    }),
  ]
  if (fpsync) list.push(checked('fpsync', () => timed(fpsync, ['-n', '2', `${src}/`, `${dest}/`], {env, cpu: true})))
  return list
}

function summarise(key, samples) {
  const med = (s, k) => median(samples[s].map((x) => x[k] ?? 0))
  const bare = {wall: med('rsync', 'ms'), cpu: med('rsync', 'cpuMs')}
  const rows = Object.keys(samples).map((s) => ({
    subject: s,
    wallMs: round(med(s, 'ms'), 1),
    cpuMs: round(med(s, 'cpuMs'), 0),
    wallRatio: round(med(s, 'ms') / bare.wall),
    cpuRatio: bare.cpu > 0 ? round(med(s, 'cpuMs') / bare.cpu) : null,
    // each run over the bare rsync run of the same round: less exposed to drift
    pairRatioMedian: round(median(samples[s].map((x, i) => x.ms / samples.rsync[i].ms))),
    ...(s.startsWith('transporter') ? {peakRssMb: round(Math.max(...samples[s].map((x) => x.peakKb)) / 1024, 1)} : {}),
    samples: samples[s].map((x) => ({wallMs: round(x.ms, 1), cpuMs: round(x.cpuMs ?? 0, 0)})),
  }))
  return {case: key, label: TREES[key].label, rows}
}

function verdict(key, row) {
  if (!row.subject.startsWith('transporter') || BUDGET[key] === undefined) return '-'
  const [withProgress, without] = BUDGET[key]
  const budget = row.subject === 'transporter progress' ? withProgress : without
  const ok = row.wallRatio <= budget && (row.cpuRatio === null || row.cpuRatio <= budget)
  return `≤${budget} ${ok ? 'ok' : 'OVER'}`
}

const results = []
try {
  for (const key of Object.keys(TREES).filter((k) => cases.has(k))) {
    const src = join(work, key)
    mkdirSync(src)
    log(`${key}: making ${TREES[key].label}`)
    TREES[key].make(src)
    const expected = inventory(src)
    const n = key === 'empty' ? Math.max(5, Number(flags['start-rounds'])) : rounds
    log(`${key}: ${n} rounds`)
    const result = summarise(key, await interleave(subjects(src, expected), n, {log}))
    results.push({...result, rounds: n, tree: totals(expected)})
    fresh(src)
  }
} finally {
  await receiver.close()
  fresh(work)
  if (snapshot) fresh(snapshot.dir)
}

console.log(`\ntransporter and its peers, medians of interleaved rounds (${rounds}; empty dir ${flags['start-rounds']}), tmpdir ${work}`)
for (const r of results) {
  const bare = r.rows.find((x) => x.subject === 'rsync')
  console.log(`\n${r.label} (${r.rounds} rounds)`)
  printTable(
    ['subject', 'wall s', 'cpu s', '× rsync wall', '× rsync cpu', 'budget', 'peak RSS MB'],
    r.rows.map((x) => {
      const startup = r.case === 'empty' && x.subject.startsWith('transporter')
      const extra = round(x.wallMs - bare.wallMs, 1)
      return [
        x.subject,
        (x.wallMs / 1000).toFixed(3),
        (x.cpuMs / 1000).toFixed(3),
        startup ? `+${extra} ms` : x.wallRatio.toFixed(3),
        x.cpuRatio === null ? '-' : x.cpuRatio.toFixed(3),
        startup ? `≤ +${START_BUDGET_MS} ms ${extra <= START_BUDGET_MS ? 'ok' : 'OVER'}` : verdict(r.case, x),
        x.peakRssMb ?? '-',
      ]
    }),
  )
}
const file = writeResults('peers', {
  rounds,
  fpsync: fpsync ?? null,
  cli: snapshot ? 'snapshot of bin/run.js' : cli,
  budget: {...BUDGET, emptyDirMs: START_BUDGET_MS},
  results,
})
console.log(`\nwrote ${file}`)
