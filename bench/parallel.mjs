#!/usr/bin/env node
// --parallel and --shard on many small files against one bare rsync (spec §11):
// on a CPU-bound tmpfs `--parallel 4` must never be slower than 0.9× one
// rsync; where storage is latency-bound (`--latency fuse`: dest behind a FUSE
// passthrough that waits 1 ms in every create/open/close/chmod/utimens/rename,
// bench/fuse-delay.py; `--latency sshfs`: dest on sshfs over a veth pair with
// a 2 ms round trip, bench/sshfs-delay.mjs) it must be ≥ 2× one rsync and
// within 10 % of four independent rsyncs on quarters of the tree, the limit of
// a 4-way split.
//
// Subjects, interleaved (order reversed every other round), each into a fresh
// empty destination (rm -rf + sync between runs), medians quoted:
//   rsync        rsync -rlptgo --partial -- SRC/ DEST
//   parallel 1   transporter copy --parallel 1 --quiet
//   parallel 4   transporter copy --parallel 4 --quiet
//   shards 4/4   four `transporter copy --shard i/4 --quiet` processes at once
//   quarters     four bare rsyncs at once, each on a quarter of the top-level dirs
// After every transporter run the destination is compared with the source
// (every path and size, so file count and total bytes too): a fast but wrong
// run fails the benchmark.
//
//   node bench/parallel.mjs [--files 50000] [--dirs 500] [--file-size 4096] [--rounds 5]
//                           [--workers 4] [--cli bin/run.js] [--snapshot]
//                           [--latency fuse [--delay-ms 1]]   (needs root, python3-fusepy, fuse3)
//                           [--latency sshfs [--rtt-ms 2]]    (needs root, openssh-server, sshfs, iproute2)
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
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
import {mountSshfs} from './sshfs-delay.mjs'

const flags = parseFlags(process.argv.slice(2), {
  files: '50000',
  dirs: '500',
  'file-size': '4096',
  rounds: '5',
  workers: '4',
  cli: join(root, 'bin/run.js'),
  snapshot: false,
  latency: '',
  'delay-ms': '1',
  'rtt-ms': '2',
})
if (!['', 'fuse', 'sshfs'].includes(flags.latency)) throw new Error(`--latency ${flags.latency}: expected fuse or sshfs`)
const rounds = Math.max(5, Number(flags.rounds))
const workers = Number(flags.workers)
const snapshot = flags.snapshot ? snapshotCli() : null
const cli = snapshot ? snapshot.bin : flags.cli
const env = childEnv()
const work = scratch('parallel')
const src = join(work, 'src')
const log = (s) => process.stderr.write(`${s}\n`)
const latency = flags.latency !== ''
const GOAL = latency ? {speedup: 2, ofQuarters: 1.1} : {floor: 0.9}
// Latency mode copies into the FUSE (or sshfs) mount; clearing and checking dest go straight to the backing dir (no waits).
const fuse =
  flags.latency === 'fuse'
    ? await mountDelayed(join(work, 'backing'), join(work, 'mnt'), Number(flags['delay-ms']))
    : flags.latency === 'sshfs'
      ? await mountSshfs({work, rttMs: Number(flags['rtt-ms'])})
      : null
let dest = join(fuse ? fuse.mountpoint : work, 'dest')
let destDirect = fuse ? join(fuse.backing, 'dest') : dest
let runs = 0

/**
 * An empty dest for the next run. Behind FUSE every run gets a new name: a
 * tree removed in the backing dir behind the kernel's back would leave stale
 * cached entries on the mount; the previous one is removed directly.
 */
function freshDest() {
  fresh(destDirect)
  if (!fuse) return
  runs++
  dest = join(fuse.mountpoint, `dest${runs}`)
  destDirect = join(fuse.backing, `dest${runs}`)
}

/** bench/fuse-delay.py over `backing` at `mountpoint`, up once the mount shows in mountinfo. */
async function mountDelayed(backing, mountpoint, delayMs) {
  if (spawnSync('/usr/bin/python3', ['-c', 'import fusepy'], {stdio: 'ignore'}).status !== 0) {
    throw new Error('--latency fuse needs python3-fusepy and fuse3 (apt-get install -y python3-fusepy fuse3)')
  }
  mkdirSync(backing, {recursive: true})
  mkdirSync(mountpoint, {recursive: true})
  const child = spawn('/usr/bin/python3', [join(root, 'bench/fuse-delay.py'), backing, mountpoint, String(delayMs)], {stdio: 'inherit'})
  for (let i = 0; i < 100 && !readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mountpoint} `); i++) await sleep(50)
  return {
    backing,
    mountpoint,
    unmount: () => {
      spawnSync('fusermount3', ['-u', mountpoint], {stdio: 'inherit'})
      child.kill()
    },
  }
}

function verify(name, srcInv) {
  const problem = compareInventories(srcInv, inventory(destDirect))
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

  // the top-level dirs in `workers` groups: what four independent rsyncs would each take
  const dirs = readdirSync(src).sort()
  const quarters = Array.from({length: workers}, (_, w) => dirs.filter((_, i) => i % workers === w).map((d) => join(src, d)))
  const subjects = [
    {
      name: 'rsync',
      run: async () => {
        freshDest()
        const r = ok('rsync', await timed('rsync', ['-rlptgo', '--partial', '--', `${src}/`, dest], {env, cpu: true}))
        verify('rsync', srcInv)
        return r
      },
    },
    ...(latency ? [workers] : [1, workers]).map((n) => ({
      name: `parallel ${n}`,
      run: async () => {
        freshDest()
        const r = ok(`parallel ${n}`, await timed(process.execPath, copyArgs('--parallel', String(n)), {env, cpu: true, sampleRss: true}))
        verify(`parallel ${n}`, srcInv)
        return r
      },
    })),
    {
      name: `shards ${workers}/${workers}`,
      run: async () => {
        freshDest()
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
    {
      name: `quarters ${workers}`,
      run: async () => {
        freshDest()
        mkdirSync(dest)
        const all = await timedTogether(
          quarters.map((part) => ['rsync', ['-rlptgo', '--partial', '--', ...part, `${dest}/`]]),
          {env, cpu: true},
        )
        all.runs.forEach((r, i) => ok(`quarter ${i}`, r))
        verify(`quarters ${workers}`, srcInv)
        return {ms: all.ms, cpuMs: all.runs.reduce((a, r) => a + r.cpuMs, 0), peakKb: 0}
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
  result = {
    tree: {...totals(srcInv), dirs: Number(flags.dirs)},
    storage: {
      '': 'tmpfs',
      fuse: `FUSE, ${flags['delay-ms']} ms per file operation`,
      sshfs: `sshfs over veth, ${flags['rtt-ms']} ms round trip`,
    }[flags.latency],
    workers,
    rounds,
    goal: GOAL,
    results: rows,
  }
} finally {
  fuse?.unmount()
  fresh(work)
  if (snapshot) fresh(snapshot.dir)
}

console.log(
  `\n${result.tree.files} files (${fmtBytes(result.tree.bytes)}) in ${result.tree.dirs} dirs, medians of ${rounds} interleaved rounds, wall seconds; speed-up = rsync time / subject time`,
)
const quartersMs = result.results.find((r) => r.name === `quarters ${workers}`)?.wallMs
/**
 * The budget of spec §11 for `--parallel`; rsync and the quarters are references, and shards have none (N shards
 * are N copies meant for N machines: here they share two cores).
 */
function verdict(r) {
  if (r.name === 'rsync' || r.name.startsWith('quarters') || r.name.startsWith('shards')) return '-'
  if (!latency) return r.speedup >= GOAL.floor ? `≥${GOAL.floor}× ok` : `SLOWER than ${GOAL.floor}×`
  const ofQuarters = r.wallMs / quartersMs
  const ok = r.speedup >= GOAL.speedup && ofQuarters <= GOAL.ofQuarters
  return `${ofQuarters.toFixed(2)}× quarters (≤${GOAL.ofQuarters}), ≥${GOAL.speedup}× rsync: ${ok ? 'ok' : 'OVER'}`
}
console.log(`storage: ${result.storage}`)
printTable(
  ['subject', 'wall s', 'cpu s', 'speed-up', 'pairwise', 'budget', 'peak RSS MB'],
  result.results.map((r) => [
    r.name,
    (r.wallMs / 1000).toFixed(3),
    (r.cpuMs / 1000).toFixed(2),
    `${r.speedup.toFixed(2)}×`,
    `${r.pairSpeedupMedian.toFixed(2)}×`,
    verdict(r),
    r.peakRssMb ?? '-',
  ]),
)
console.log('every run: destination matched the source (paths and sizes)')
const file = writeResults(latency ? `parallel-${flags.latency}` : 'parallel', {cli: snapshot ? 'snapshot of bin/run.js' : cli, ...result})
console.log(`wrote ${file}`)
