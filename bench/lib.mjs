// Shared helpers for the copy benchmarks (peers.mjs, parallel.mjs).
// Everything here is plain Node: make trees, time real processes, sample their
// peak RSS, take medians, write results. No side effects at import time.
import {spawn, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  openSync,
  writeSync,
} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))

/** Tiny argv parser: `--name value`, `--name=value`, bare `--flag` → true. */
export function parseFlags(argv, defaults) {
  const out = {...defaults}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const [name, inline] = a.slice(2).split(/=(.*)/s)
    if (!(name in defaults))
      throw new Error(
        `unknown flag --${name}; known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')}`,
      )
    if (typeof defaults[name] === 'boolean') out[name] = inline === undefined ? true : !/^(0|false|no)$/i.test(inline)
    else out[name] = inline ?? argv[++i]
  }
  return out
}

/** "1G", "256M", "4k", "4096" → bytes. */
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(String(s).trim())
  if (!m) throw new Error(`bad size ${s}`)
  const mult = {'': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4}[m[2].toLowerCase()]
  return Math.round(Number(m[1]) * mult)
}

export const fmtBytes = (n) =>
  n >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GiB` : n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`

/** A scratch directory under os.tmpdir(); the caller removes it. */
export const scratch = (label) => mkdtempSync(join(tmpdir(), `transporter-bench-${label}-`))

/**
 * `files` files of `size` bytes spread over `dirs` directories. Contents are
 * random so no layer can shortcut them; one random block is sliced per file
 * to keep generation cheap.
 */
export function makeSmallTree(dir, {files, dirs, size}) {
  const pool = randomBytes(size + 4096)
  for (let d = 0; d < dirs; d++) mkdirSync(join(dir, `d${String(d).padStart(4, '0')}`), {recursive: true})
  for (let f = 0; f < files; f++) {
    const off = f % 4096
    writeFileSync(join(dir, `d${String(f % dirs).padStart(4, '0')}`, `f${String(f).padStart(6, '0')}.bin`), pool.subarray(off, off + size))
  }
}

/** One file of `bytes` random bytes, written in 8 MiB chunks (each one stamped so no two are equal). */
export function makeLargeFile(file, bytes) {
  const chunk = randomBytes(8 * 1024 * 1024)
  const fd = openSync(file, 'w')
  try {
    for (let off = 0, i = 0; off < bytes; off += chunk.length, i++) {
      chunk.writeUInt32LE(i, 0)
      writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - off))
    }
  } finally {
    closeSync(fd)
  }
}

/** Map of relative path → size for every regular file and symlink under dir. */
export function inventory(dir) {
  const files = new Map()
  const walk = (abs, rel) => {
    for (const e of readdirSync(abs, {withFileTypes: true})) {
      const a = join(abs, e.name)
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) walk(a, r)
      else files.set(r, lstatSync(a).size)
    }
  }
  walk(dir, '')
  return files
}

export function totals(inv) {
  let bytes = 0
  for (const s of inv.values()) bytes += s
  return {files: inv.size, bytes}
}

/** Compare a destination inventory with the source's; returns a problem string or null. */
export function compareInventories(src, dest) {
  if (src.size !== dest.size) return `file count ${dest.size}, expected ${src.size}`
  for (const [p, s] of src) {
    const d = dest.get(p)
    if (d === undefined) return `missing ${p}`
    if (d !== s) return `${p} has ${d} bytes, expected ${s}`
  }
  return null
}

/** Remove a directory (if any) and flush dirty pages, so one run's writeback does not land on the next. */
export function fresh(dir) {
  rmSync(dir, {recursive: true, force: true})
  spawnSync('sync')
}

/** The environment every timed child gets: no NODE_EXTRA_CA_CERTS (users do not have it), no TRANSPORTER_* leaking in. */
export function childEnv() {
  const env = {...process.env}
  delete env.NODE_EXTRA_CA_CERTS
  for (const k of Object.keys(env)) if (k.startsWith('TRANSPORTER_')) delete env[k]
  return env
}

function readHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** The pid of the first child of pid (the command /usr/bin/time runs), or 0 while it has none. */
function firstChild(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]) || 0
  } catch {
    return 0
  }
}

let timeFileSeq = 0

/**
 * Run one command, wall-clock timed from spawn to exit.
 * - sampleRss: polls /proc/<pid>/status VmHWM (the kernel's own high-water
 *   mark) every 5 ms; the last sample before exit is the peak, give or take
 *   what the process allocates in its final milliseconds.
 * - cpu: runs the command under /usr/bin/time, which reports user and system
 *   CPU seconds of the whole process tree (rsync's children included) and the
 *   largest max-RSS in it. On a shared, busy machine CPU time is far steadier
 *   than wall time, so both are kept. VmHWM is then sampled on the command
 *   itself, not on /usr/bin/time.
 */
export function timed(cmd, args, {env = childEnv(), cwd = root, sampleRss = false, cpu = false, capture = false} = {}) {
  return new Promise((resolve, reject) => {
    const timeFile = cpu ? join(tmpdir(), `transporter-bench-time-${process.pid}-${timeFileSeq++}`) : null
    const [file, argv] = cpu ? ['/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, args]
    const start = process.hrtime.bigint()
    const child = spawn(file, argv, {cwd, env, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr = (stderr + d).slice(-8192)
    })
    let peakKb = 0
    let target = cpu ? 0 : child.pid
    const timer = sampleRss
      ? setInterval(() => {
          if (!target) target = firstChild(child.pid)
          if (target) peakKb = Math.max(peakKb, readHwmKb(target))
        }, 5)
      : null
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (timer) clearInterval(timer)
      child.once('close', () => {
        const sample = {ms, code, signal, peakKb, stdout, stderr}
        if (timeFile) {
          // /usr/bin/time prefixes "Command exited with non-zero status N" when the command fails.
          const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? ''
          rmSync(timeFile, {force: true})
          const [user, sys, maxKb] = line.split(' ').map(Number)
          Object.assign(sample, {cpuMs: (user + sys) * 1000, userMs: user * 1000, sysMs: sys * 1000, treeMaxRssKb: maxKb})
        }
        resolve(sample)
      })
    })
  })
}

/** Run several commands at once; wall time is until the last one exits. */
export async function timedTogether(commands, opts = {}) {
  const start = process.hrtime.bigint()
  const runs = await Promise.all(commands.map(([cmd, args]) => timed(cmd, args, opts)))
  return {ms: Number(process.hrtime.bigint() - start) / 1e6, runs}
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const round = (x, d = 3) => Math.round(x * 10 ** d) / 10 ** d

/**
 * Interleave subjects over `rounds` rounds, reversing the order every other
 * round (ABC CBA ABC …) so slow drift of the machine (writeback, other load)
 * falls on every subject alike. Each subject is {name, run: async () => sample}
 * where sample has at least {ms}. Returns name → samples[].
 */
export async function interleave(subjects, rounds, {warmup = true, log = () => {}} = {}) {
  if (warmup) for (const s of subjects) await s.run()
  const samples = Object.fromEntries(subjects.map((s) => [s.name, []]))
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? subjects : [...subjects].reverse()
    for (const s of order) {
      const sample = await s.run()
      samples[s.name].push(sample)
      log(`  round ${r + 1}/${rounds} ${s.name}: ${(sample.ms / 1000).toFixed(3)} s`)
    }
  }
  return samples
}

/** Local report receiver: counts POSTs and keeps the last body. */
export async function startReceiver() {
  const state = {posts: 0, last: null}
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => {
      body += d
    })
    req.on('end', () => {
      state.posts++
      try {
        state.last = JSON.parse(body)
      } catch {
        state.last = body
      }
      res.writeHead(200).end()
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address()
  return {
    url: `http://127.0.0.1:${port}/r`,
    state,
    reset() {
      state.posts = 0
      state.last = null
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections?.()
        server.close(r)
      }),
  }
}

/**
 * Copy the built CLI (bin, dist, package.json, the defaults plugin's dist)
 * into a scratch directory, with node_modules linked back, so a rebuild of
 * the work tree during a long benchmark cannot change what is measured.
 * Returns the path of the snapshot's bin/run.js.
 */
export function snapshotCli() {
  const snap = scratch('cli')
  for (const p of ['bin', 'dist', 'package.json']) cpSync(join(root, p), join(snap, p), {recursive: true})
  const plugin = join(snap, 'plugins/defaults')
  mkdirSync(plugin, {recursive: true})
  for (const p of ['package.json', 'dist']) {
    if (existsSync(join(root, 'plugins/defaults', p))) cpSync(join(root, 'plugins/defaults', p), join(plugin, p), {recursive: true})
  }
  // The plugin's own dependencies (if any) resolve through the main node_modules.
  const nm = join(snap, 'node_modules')
  mkdirSync(nm)
  for (const e of readdirSync(join(root, 'node_modules'))) {
    if (e === 'transporter-plugin-defaults' || e === '.bin') continue
    symlinkSync(join(root, 'node_modules', e), join(nm, e))
  }
  symlinkSync(plugin, join(nm, 'transporter-plugin-defaults'))
  return {dir: snap, bin: join(snap, 'bin/run.js')}
}

export function gitCommit() {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: root, encoding: 'utf8'})
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src', 'plugins/defaults/src'], {cwd: root, encoding: 'utf8'})
  return `${r.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}`
}

export function rsyncVersion() {
  const r = spawnSync('rsync', ['--version'], {encoding: 'utf8'})
  return (/version\s+(\S+)/.exec(r.stdout) ?? [])[1] ?? 'unknown'
}

/** The code a run measures is the code at its start (a --snapshot is taken then), not whatever HEAD is when it ends. */
const commitAtStart = gitCommit()

export function machine() {
  const cpus = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0
  return {node: process.version, rsync: rsyncVersion(), cpus, commit: commitAtStart}
}

export function writeResults(name, data) {
  mkdirSync(join(root, 'bench/results'), {recursive: true})
  const file = join(root, 'bench/results', `${name}.json`)
  writeFileSync(file, `${JSON.stringify({date: new Date().toISOString(), ...machine(), ...data}, null, 2)}\n`)
  return file
}

/** Right-aligned table for the console. */
export function printTable(head, rows) {
  const cells = [head, ...rows].map((r) => r.map(String))
  const w = head.map((_, i) => Math.max(...cells.map((r) => r[i].length)))
  for (const [n, r] of cells.entries()) {
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '))
    if (n === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '))
  }
}
