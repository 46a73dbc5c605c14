#!/usr/bin/env node
// sshfs over a veth pair with a round-trip delay: the latency-bound storage of
// `bench/parallel.mjs --latency sshfs` (spec §11). Needs root and
// `apt-get install -y openssh-server sshfs iproute2`; the bench never installs.
//
//   root netns            tp-cli-<pid> netns                     tp-srv-<pid> netns
//   rsync → MOUNTPOINT
//   sshfs → ssh ══ProxyCommand══ node sshfs-delay.mjs --proxy ─veth─ sshd (internal-sftp) → BACKING
//                                10.213.0.1/30  ⇄  10.213.0.2/30 :22
//
// The delay proxy is this file run with `--proxy HOST PORT DELAY_MS` as ssh's
// ProxyCommand inside the client namespace (`ip netns exec`): ssh's stdin and
// stdout on one side, a TCP connection over the veth to sshd on the other, and
// every chunk held DELAY_MS = rtt/2 in each direction, in order, so one SFTP
// request and its reply cost ≈ rtt. So the root namespace gets no address or
// interface at all: both veth ends and both 10.x addresses live only in the
// two namespaces made here. sshd runs as root with its own config and
// throwaway keys, so chown, chmod and utimes through the mount work as
// `rsync -rlptgo` needs them.
//
// What SFTP (v3, as sshfs speaks it) cannot carry, so a copy through the mount
// differs from one on local disk (bench/parallel.mjs compares only paths and
// sizes, which it does carry):
// - times are whole seconds (SSH_FILEXFER_ATTR_ACMODTIME has no nanoseconds);
// - SETSTAT follows symlinks, so a symlink's own times cannot be set: rsync's
//   lutimes lands on the target, or fails with ENOENT while the target is not
//   there (dangling, or not copied yet): rsync exit 23 (seen; lchown goes the
//   same way, not tried). The bench's trees have no symlinks;
// - no hard links, ACLs or xattrs.
//
// Everything made here (namespaces, veth, sshd, the proxy, sshfs, the mount,
// the key dir, BACKING and MOUNTPOINT, /run/sshd if it was missing) is removed
// by unmount(), at exit and on SIGINT/SIGTERM/SIGHUP; after a SIGKILL of the
// bench remove leftovers by hand (`ip netns del tp-srv-<pid>` and `tp-cli-<pid>`,
// `fusermount3 -u <work>/mnt`).
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync} from 'node:fs'
import {connect} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {Worker} from 'node:worker_threads'

const SERVER = '10.213.0.2'
const CLIENT = '10.213.0.1'
const INSTALL = 'apt-get install -y openssh-server sshfs iproute2'

const onPath = (name) => spawnSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'}).status === 0
const quote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`
const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
/** A process that has not exited (zombies, not yet reaped while we block, count as exited). */
function alive(pid) {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}
const mounted = (dir) => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${dir} `)

/** Run a command; throw with its stderr if it fails. */
function run(cmd, args) {
  const r = spawnSync(cmd, args, {encoding: 'utf8'})
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`)
  return r.stdout
}

/**
 * Mount an empty dir `work/backing` at `work/mnt` through sshfs → delay proxy
 * → veth → sshd. Returns {mountpoint, backing, unmount()} like mountDelayed in
 * bench/parallel.mjs: write through mountpoint, read and clear through backing.
 * One mount per process (the names carry the pid).
 */
export async function mountSshfs({work, rttMs = 2}) {
  const fusermount = ['fusermount3', 'fusermount'].find(onPath)
  const missing = ['ip', 'ssh', 'ssh-keygen', 'sshfs'].filter((p) => !onPath(p))
  if (!existsSync('/usr/sbin/sshd')) missing.push('/usr/sbin/sshd')
  if (!fusermount) missing.push('fusermount3')
  if (missing.length) throw new Error(`--latency sshfs needs ${missing.join(', ')} (${INSTALL})`)
  if (process.getuid?.() !== 0) throw new Error('--latency sshfs needs root (network namespaces, sshd)')

  const id = process.pid
  const ns = {srv: `tp-srv-${id}`, cli: `tp-cli-${id}`}
  const veth = {srv: `tps${id}`, cli: `tpc${id}`}
  const backing = join(work, 'backing')
  const mountpoint = join(work, 'mnt')
  const keys = mkdtempSync(join(tmpdir(), 'transporter-bench-sshfs-'))
  const made = {netns: [], privsep: false}
  let sshd = null
  let sshfs = null
  let done = false

  /** TERM to a child's process group, unless the child has exited. */
  const stop = (child) => {
    if (!child || !alive(child.pid)) return
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      // gone meanwhile
    }
  }
  /** Every process left in a namespace: TERM, then KILL what is still there after 1 s. */
  const emptyNamespace = (name) => {
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      for (let i = 0; i < 20; i++) {
        const pids = (spawnSync('ip', ['netns', 'pids', name], {encoding: 'utf8'}).stdout ?? '').split(/\s+/).filter(Boolean).map(Number)
        if (!pids.length) return
        if (i === 0) {
          for (const pid of pids) {
            try {
              process.kill(pid, sig)
            } catch {
              // exited meanwhile
            }
          }
        }
        pause(50)
      }
    }
  }
  const cleanup = () => {
    if (done) return
    done = true
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(sig, onSignal)
    process.off('exit', cleanup)
    // sshfs unmounts itself on TERM; after an outside `fusermount -u` it would try again and complain
    if (sshfs && alive(sshfs.pid)) process.kill(sshfs.pid, 'SIGTERM')
    for (let i = 0; i < 150 && sshfs && alive(sshfs.pid); i++) pause(20)
    if (mounted(mountpoint)) {
      // busy (a killed rsync's open files): detach lazily, the kernel drops it once they are closed
      if (spawnSync(fusermount, ['-u', mountpoint], {stdio: 'ignore'}).status !== 0) spawnSync(fusermount, ['-u', '-z', mountpoint], {stdio: 'inherit'})
    }
    stop(sshfs) // with ssh and the proxy, if still there
    stop(sshd)
    for (const name of made.netns) emptyNamespace(name)
    if (made.netns.includes(ns.srv)) spawnSync('ip', ['-n', ns.srv, 'link', 'del', veth.srv], {stdio: 'ignore'})
    for (const name of made.netns) spawnSync('ip', ['netns', 'del', name], {stdio: 'inherit'})
    if (made.privsep && existsSync('/run/sshd') && readdirSync('/run/sshd').length === 0) rmdirSync('/run/sshd')
    rmSync(keys, {recursive: true, force: true})
    if (!mounted(mountpoint)) for (const dir of [mountpoint, backing]) rmSync(dir, {recursive: true, force: true})
  }
  function onSignal(sig) {
    cleanup()
    process.kill(process.pid, sig) // the default action, now that no handler is left
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, onSignal)
  process.on('exit', cleanup)

  try {
    for (const side of ['srv', 'cli']) {
      run('ip', ['netns', 'add', ns[side]])
      made.netns.push(ns[side])
    }
    run('ip', ['link', 'add', veth.cli, 'netns', ns.cli, 'type', 'veth', 'peer', 'name', veth.srv, 'netns', ns.srv])
    for (const [side, addr] of [
      ['srv', SERVER],
      ['cli', CLIENT],
    ]) {
      run('ip', ['-n', ns[side], 'addr', 'add', `${addr}/30`, 'dev', veth[side]])
      run('ip', ['-n', ns[side], 'link', 'set', 'lo', 'up'])
      run('ip', ['-n', ns[side], 'link', 'set', veth[side], 'up'])
    }

    for (const key of ['host', 'client']) run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `transporter-bench-${key}`, '-f', join(keys, key)])
    const pidFile = join(keys, 'sshd.pid')
    const config = join(keys, 'sshd_config')
    writeFileSync(
      config,
      [
        `ListenAddress ${SERVER}:22`,
        `HostKey ${join(keys, 'host')}`,
        `AuthorizedKeysFile ${join(keys, 'client.pub')}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'UseDNS no',
        'LogLevel ERROR',
        `PidFile ${pidFile}`,
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    )
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', {mode: 0o755})
      made.privsep = true
    }
    sshd = spawn('ip', ['netns', 'exec', ns.srv, '/usr/sbin/sshd', '-D', '-e', '-f', config], {stdio: ['ignore', 'inherit', 'inherit'], detached: true})
    for (let i = 0; i < 100 && !existsSync(pidFile) && sshd.exitCode === null; i++) await sleep(50)
    if (!existsSync(pidFile)) throw new Error(`sshd did not start in ${ns.srv} (exit ${sshd.exitCode})`)

    mkdirSync(backing, {recursive: true})
    mkdirSync(mountpoint, {recursive: true})
    const proxy = ['ip', 'netns', 'exec', ns.cli, process.execPath, fileURLToPath(import.meta.url), '--proxy', SERVER, '22', String(rttMs / 2)]
    const ssh = {
      IdentityFile: join(keys, 'client'),
      IdentitiesOnly: 'yes',
      StrictHostKeyChecking: 'no',
      UserKnownHostsFile: '/dev/null',
      BatchMode: 'yes',
      LogLevel: 'ERROR',
      ProxyCommand: proxy.map(quote).join(' '),
    }
    // -f: sshfs stays our child (in its own process group, so a Ctrl-C reaches
    // our handler first and the mount is taken down in order).
    sshfs = spawn(
      'sshfs',
      ['-f', '-F', '/dev/null', ...Object.entries(ssh).flatMap(([k, v]) => ['-o', `${k}=${v}`]), `root@${SERVER}:${backing}`, mountpoint],
      {stdio: ['ignore', 'inherit', 'inherit'], detached: true},
    )
    for (let i = 0; i < 200 && !mounted(mountpoint) && sshfs.exitCode === null; i++) await sleep(50)
    if (!mounted(mountpoint)) throw new Error(`sshfs did not mount ${mountpoint} (exit ${sshfs.exitCode})`)
  } catch (e) {
    cleanup()
    throw e
  }
  return {backing, mountpoint, unmount: cleanup}
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6

// The waiting thread of preciseTimer: sleeps in Atomics.wait (a nanosecond
// timeout) until due[0] (nowMs time), posts once, then waits for a new due time.
const TIMER_THREAD = `
const {parentPort, workerData} = require('node:worker_threads')
const gen = new Int32Array(workerData, 0, 1)
const due = new Float64Array(workerData, 8, 1)
const nowMs = () => Number(process.hrtime.bigint()) / 1e6
for (;;) {
  const g = Atomics.load(gen, 0)
  const wait = due[0] - nowMs()
  if (wait > 0) Atomics.wait(gen, 0, g, wait)
  else {
    parentPort.postMessage(0)
    Atomics.wait(gen, 0, g)
  }
}`

/**
 * A one-shot timer with sub-millisecond precision: set(at) calls onDue soon
 * after nowMs() reaches `at` (Infinity: never). setTimeout will not do: libuv
 * fires timers on whole milliseconds and late, so a 1 ms hold took 1.1–1.3 ms.
 */
function preciseTimer(onDue) {
  const shared = new SharedArrayBuffer(16)
  const gen = new Int32Array(shared, 0, 1)
  const due = new Float64Array(shared, 8, 1)
  due[0] = Infinity
  const thread = new Worker(TIMER_THREAD, {eval: true, workerData: shared})
  thread.unref()
  thread.on('message', onDue)
  return {
    set(at) {
      due[0] = at
      Atomics.add(gen, 0, 1)
      Atomics.notify(gen, 0)
    },
  }
}

/**
 * Copy `from` to `to` holding every chunk `delayMs`, in arrival order; `to`
 * ends `delayMs` after `from` does. Calls onEnd once `to` is ended. The timer
 * is set `early` ms before a chunk is due, `early` learnt from how late the
 * previous ones came out (the thread's wake-up and its message to this one,
 * ≈ 0.1–0.2 ms here), so that chunks leave on time on average.
 */
function delayedPipe(from, to, delayMs, onEnd) {
  const queue = []
  let early = 0
  const timer = preciseTimer(() => {
    const now = nowMs()
    if (queue.length && queue[0].due <= now + early) early = Math.min(0.5, Math.max(0, early + 0.1 * (now - queue[0].due)))
    while (queue.length && queue[0].due <= now + early) {
      const {chunk} = queue.shift()
      if (chunk === null) {
        to.end()
        onEnd()
        return
      }
      if (!to.write(chunk) && !from.isPaused()) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    }
    timer.set(queue.length ? queue[0].due - early : Infinity)
  })
  const push = (chunk) => {
    queue.push({due: nowMs() + delayMs, chunk})
    if (queue.length === 1) timer.set(queue[0].due - early)
  }
  from.on('data', push)
  from.on('end', () => push(null))
}

/** `--proxy HOST PORT DELAY_MS`: stdin/stdout ⇄ TCP HOST:PORT, each direction delayed. */
function proxyMain([host, port, delayMs]) {
  const delay = Number(delayMs)
  const socket = connect({host, port: Number(port), noDelay: true})
  socket.on('error', (e) => {
    process.stderr.write(`delay proxy: ${host}:${port}: ${e.message}\n`)
    process.exit(1)
  })
  let open = 2
  const ended = () => {
    if (--open === 0) process.exit(0)
  }
  delayedPipe(process.stdin, socket, delay, ended)
  delayedPipe(socket, process.stdout, delay, ended)
}

if (process.argv[2] === '--proxy' && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) proxyMain(process.argv.slice(3))
