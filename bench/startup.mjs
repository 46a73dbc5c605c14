#!/usr/bin/env node
// Startup time of the CLI against the framework floor (spec §11).
// Runs each command interleaved N times and reports medians and ratios:
//   explain-exit and --help vs. a bare `import('@oclif/core')` (budget ≤ 1.5×)
//   and vs. `node -e 0` (long-term goal ≤ 2.5×).
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
const verdict = (name) => {
  const r = results.find((x) => x.name === name)
  return `${name}: ${r.vsOclif}× oclif (budget 1.5×: ${r.vsOclif <= 1.5 ? 'ok' : 'OVER'}), ${r.vsNode}× node -e 0 (goal 2.5×: ${r.vsNode <= 2.5 ? 'met' : 'not yet'})`
}
console.log(verdict('explain-exit 23'))
console.log(verdict('--help'))

mkdirSync(`${root}bench/results`, {recursive: true})
writeFileSync(
  `${root}bench/results/startup.json`,
  `${JSON.stringify({date: new Date().toISOString(), node: process.version, runs, load, budget: {vsOclif: 1.5, goalVsNode: 2.5}, results}, null, 2)}\n`,
)
