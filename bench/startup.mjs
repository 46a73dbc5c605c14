#!/usr/bin/env node
// Start-up of the CLI against a bare Node start (spec §11), interleaved N
// times, medians and ratios: `explain-exit 23` ≤ 2× `node -e 0`, `--help` ≤ 4×
// (answered from the help cache once oclif rendered it: the warm-up round does
// that); `import('@oclif/core')` alone is shown for scale. The copy of an empty
// dir against bare rsync is bench/peers.mjs's.
// NODE_EXTRA_CA_CERTS is removed from every child: it adds ~85 ms to each
// Node start on these machines and users do not have it.
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {cpus, loadavg} from 'node:os'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Math.max(10, Number(process.env.BENCH_RUNS ?? 15))
const node = process.execPath
const env = {...process.env}
delete env.NODE_EXTRA_CA_CERTS

const subjects = [
  {name: 'explain-exit 23', args: ['bin/run.js', 'explain-exit', '23'], expect: 0},
  {name: 'explain-exit 28', args: ['bin/run.js', 'explain-exit', '28'], expect: 0},
  {name: '--help', args: ['bin/run.js', '--help'], expect: 0},
  {name: 'copy --help', args: ['bin/run.js', 'copy', '--help'], expect: 0},
  {name: 'oclif floor', args: ['--input-type=module', '-e', "await import('@oclif/core')"], expect: 0},
  {name: 'node -e 0', args: ['-e', '0'], expect: 0},
]

function time(subject) {
  const start = process.hrtime.bigint()
  const r = spawnSync(node, subject.args, {cwd: root, env, stdio: ['ignore', 'ignore', 'pipe']})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== subject.expect) {
    throw new Error(`${subject.name}: exit ${r.status} (expected ${subject.expect})\n${r.stderr}`)
  }
  return ms
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

const loadBefore = loadavg()[0]
// One warm-up round (disk cache), not recorded.
for (const s of subjects) time(s)
const samples = Object.fromEntries(subjects.map((s) => [s.name, []]))
for (let i = 0; i < runs; i++) for (const s of subjects) samples[s.name].push(time(s))

const medians = Object.fromEntries(subjects.map((s) => [s.name, median(samples[s.name])]))
const floor = medians['oclif floor']
const bare = medians['node -e 0']
const results = subjects.map((s) => ({
  name: s.name,
  medianMs: Math.round(medians[s.name] * 10) / 10,
  vsOclif: Math.round((medians[s.name] / floor) * 100) / 100,
  vsNode: Math.round((medians[s.name] / bare) * 100) / 100,
}))

// The machine's load makes every figure move; the ratios, measured interleaved, move much less.
const load = {before: loadBefore, after: loadavg()[0], cpus: cpus().length}
console.log(`startup, median of ${runs} interleaved runs (NODE_EXTRA_CA_CERTS unset), node ${process.version}`)
console.log(`load average ${load.before.toFixed(1)} → ${load.after.toFixed(1)} on ${load.cpus} CPUs`)
console.log(`${'command'.padEnd(18)} ${'median ms'.padStart(10)} ${'× oclif'.padStart(8)} ${'× node'.padStart(8)}`)
for (const r of results) {
  console.log(`${r.name.padEnd(18)} ${r.medianMs.toFixed(1).padStart(10)} ${r.vsOclif.toFixed(2).padStart(8)} ${r.vsNode.toFixed(2).padStart(8)}`)
}
const BUDGET = {'explain-exit 23': 2, '--help': 4}
for (const [name, budget] of Object.entries(BUDGET)) {
  const r = results.find((x) => x.name === name)
  console.log(`${name}: ${r.vsNode}× node -e 0 (budget ${budget}×: ${r.vsNode <= budget ? 'ok' : 'OVER'})`)
}

mkdirSync(`${root}bench/results`, {recursive: true})
writeFileSync(
  `${root}bench/results/startup.json`,
  `${JSON.stringify({date: new Date().toISOString(), node: process.version, runs, load, budget: {vsNode: BUDGET}, results}, null, 2)}\n`,
)
