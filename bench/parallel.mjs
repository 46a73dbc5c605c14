#!/usr/bin/env node
// --parallel and --shard on many small files against one bare rsync (spec §11):
// `--parallel 4` should be ≥ 1.5× faster than one rsync where the storage
// allows it, and never slower than 0.9×.
//
// Subjects, interleaved (order reversed every other round), each into a fresh
// empty destination (rm -rf + sync between runs), medians quoted:
//   rsync        rsync -rlptgo --partial -- SRC/ DEST
//   parallel 1   transporter copy --parallel 1 --quiet
//   parallel 4   transporter copy --parallel 4 --quiet
//   shards 4/4   four `transporter copy --shard i/4 --quiet` processes at once
// After every transporter run the destination is compared with the source
// (every path and size, so file count and total bytes too): a fast but wrong
// run fails the benchmark.
//
//   node bench/parallel.mjs [--files 50000] [--dirs 500] [--file-size 4096] [--rounds 5]
//                           [--workers 4] [--cli bin/run.js] [--snapshot]
import {mkdirSync} from 'node:fs'
import {join} from 'node:path'
import {
  childEnv,
  compareInventories,
  fmtBytes,
  fresh,
  interleave,
  inventory,
  makeSmallTree,
  median,
  parseFlags,
  parseSize,
  printTable,
  root,
  round,
  scratch,
  snapshotCli,
  timed,
  timedTogether,
  totals,
  writeResults,
} from './lib.mjs'

const flags = parseFlags(process.argv.slice(2), {
  files: '50000',
  dirs: '500',
  'file-size': '4096',
  rounds: '5',
  workers: '4',
  cli: join(root, 'bin/run.js'),
  snapshot: false,
})
const rounds = Math.max(5, Number(flags.rounds))
const workers = Number(flags.workers)
const snapshot = flags.snapshot ? snapshotCli() : null
const cli = snapshot ? snapshot.bin : flags.cli
const env = childEnv()
const work = scratch('parallel')
const src = join(work, 'src')
const dest = join(work, 'dest')
const log = (s) => process.stderr.write(`${s}\n`)
const GOAL = {speedup: 1.5, floor: 0.9}

function verify(name, srcInv) {
  const problem = compareInventories(srcInv, inventory(dest))
  if (problem) throw new Error(`${name}: destination differs from the source: ${problem}`)
}

function ok(name, r) {
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.slice(-2000)}`)
  return r
}

let result
try {
  const files = Number(flags.files)
  mkdirSync(src, {recursive: true})
  log(`making ${files} files of ${flags['file-size']} B in ${flags.dirs} dirs`)
  makeSmallTree(src, {files, dirs: Number(flags.dirs), size: parseSize(flags['file-size'])})
  const srcInv = inventory(src)
  const copyArgs = (...extra) => [cli, 'copy', '--src', `${src}/`, '--dest', dest, '--quiet', ...extra]

  const subjects = [
    {
      name: 'rsync',
      run: async () => {
        fresh(dest)
        const r = ok('rsync', await timed('rsync', ['-rlptgo', '--partial', '--', `${src}/`, dest], {env, cpu: true}))
        verify('rsync', srcInv)
        return r
      },
    },
    ...[1, workers].map((n) => ({
      name: `parallel ${n}`,
      run: async () => {
        fresh(dest)
        const r = ok(`parallel ${n}`, await timed(process.execPath, copyArgs('--parallel', String(n)), {env, cpu: true, sampleRss: true}))
        verify(`parallel ${n}`, srcInv)
        return r
      },
    })),
    {
      name: `shards ${workers}/${workers}`,
      run: async () => {
        fresh(dest)
        mkdirSync(dest)
        const all = await timedTogether(
          Array.from({length: workers}, (_, i) => [process.execPath, copyArgs('--shard', `${i}/${workers}`)]),
          {env, cpu: true, sampleRss: true},
        )
        all.runs.forEach((r, i) => ok(`shard ${i}/${workers}`, r))
        // The union of the shards must be exactly the source.
        verify(`shards ${workers}/${workers}`, srcInv)
        return {
          ms: all.ms,
          cpuMs: all.runs.reduce((a, r) => a + r.cpuMs, 0),
          peakKb: Math.max(...all.runs.map((r) => r.peakKb)),
          shardMs: all.runs.map((r) => round(r.ms, 1)),
        }
      },
    },
  ]
  const samples = await interleave(subjects, rounds, {log})
  const bare = median(samples.rsync.map((x) => x.ms))
  const rows = Object.entries(samples).map(([name, xs]) => {
    const wall = median(xs.map((x) => x.ms))
    return {
      name,
      wallMs: round(wall, 1),
      cpuMs: round(median(xs.map((x) => x.cpuMs)), 0),
      speedup: round(bare / wall),
      pairSpeedupMedian: round(median(xs.map((x, i) => samples.rsync[i].ms / x.ms))),
      ...(name === 'rsync' ? {} : {peakRssMb: round(Math.max(...xs.map((x) => x.peakKb)) / 1024, 1)}),
      samples: xs.map((x) => ({
        wallMs: round(x.ms, 1),
        cpuMs: round(x.cpuMs, 0),
        ...(x.peakKb ? {peakRssKb: x.peakKb} : {}),
        ...(x.shardMs ? {shardMs: x.shardMs} : {}),
      })),
    }
  })
  result = {tree: {...totals(srcInv), dirs: Number(flags.dirs)}, workers, rounds, goal: GOAL, results: rows}
} finally {
  fresh(work)
  if (snapshot) fresh(snapshot.dir)
}

console.log(
  `\n${result.tree.files} files (${fmtBytes(result.tree.bytes)}) in ${result.tree.dirs} dirs, medians of ${rounds} interleaved rounds, wall seconds; speed-up = rsync time / subject time`,
)
printTable(
  ['subject', 'wall s', 'cpu s', 'speed-up', 'pairwise', 'verdict', 'peak RSS MB'],
  result.results.map((r) => [
    r.name,
    (r.wallMs / 1000).toFixed(3),
    (r.cpuMs / 1000).toFixed(2),
    `${r.speedup.toFixed(2)}×`,
    `${r.pairSpeedupMedian.toFixed(2)}×`,
    r.name === `parallel ${workers}`
      ? r.speedup >= GOAL.speedup
        ? 'goal met'
        : r.speedup >= GOAL.floor
          ? `above ${GOAL.floor}× floor, below ${GOAL.speedup}× goal`
          : `SLOWER than ${GOAL.floor}×`
      : r.name === 'rsync'
        ? '-'
        : r.speedup >= GOAL.floor
          ? 'ok'
          : `below ${GOAL.floor}×`,
    r.peakRssMb ?? '-',
  ]),
)
console.log('every transporter run: destination matched the source (paths and sizes)')
const file = writeResults('parallel', {cli: snapshot ? 'snapshot of bin/run.js' : cli, ...result})
console.log(`wrote ${file}`)
