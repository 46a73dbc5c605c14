import {execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {run as runProcess} from './launch.js'

const DAEMONS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'scontrol', 'sinfo']

/** Why a Slurm cluster cannot be started here, or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'a one-node Slurm cluster needs root (SlurmUser root, munged as munge)'
  const missing = DAEMONS.filter((d) => !['/usr/sbin', '/usr/bin'].some((dir) => existsSync(join(dir, d))))
  if (missing.length > 0) return `${missing.join(', ')} not installed; bash scripts/setup-infra.sh installs slurm-wlm and munge`
  try {
    execFileSync('id', ['munge'], {stdio: 'ignore'})
  } catch {
    return 'no munge user; bash scripts/setup-infra.sh installs munge'
  }
  return undefined
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise((resolve) => server.close(resolve))
  return port
}

export interface SlurmCluster {
  dir: string
  env: NodeJS.ProcessEnv
  /** a Slurm command against this cluster */
  run(
    cmd: string,
    args: string[],
    options?: {cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number},
  ): Promise<{code: number | null; stdout: string; stderr: string}>
  /** the jobcomp/filetxt records, one object of key=value fields per finished job */
  jobcomp(): Array<Record<string, string>>
  /** stops slurmd, slurmctld and munged by PID (TERM, then KILL) */
  stop(): Promise<void>
  logs(): string
}

/**
 * A real one-node Slurm cluster in `dir`: its own munged (own key and socket),
 * slurmctld and slurmd in the foreground as children of this process, config,
 * state, spool, logs and job records in `dir`.
 */
export async function startSlurm(dir: string): Promise<SlurmCluster> {
  const node = hostname().split('.')[0]!
  const munge = join(dir, 'munge')
  mkdirSync(munge, {mode: 0o700})
  const key = join(munge, 'munge.key')
  writeFileSync(key, randomBytes(128), {mode: 0o400})
  const uid = Number(execFileSync('id', ['-u', 'munge'], {encoding: 'utf8'}))
  const gid = Number(execFileSync('id', ['-g', 'munge'], {encoding: 'utf8'}))
  chownSync(munge, uid, gid)
  chownSync(key, uid, gid)
  chmodSync(dir, 0o755)
  // clients must reach the socket: its directory is 0755, the key's 0700
  const socketDir = join(dir, 'munge-run')
  mkdirSync(socketDir, {mode: 0o755})
  chownSync(socketDir, uid, gid)
  const socket = join(socketDir, 'munge.socket')
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub))
  const conf = join(dir, 'slurm.conf')
  writeFileSync(
    conf,
    [
      'ClusterName=transporter-test',
      `SlurmctldHost=${node}`,
      `SlurmctldPort=${await freePort()}`,
      `SlurmdPort=${await freePort()}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'SelectType=select/cons_tres',
      // CPUs only: with memory consumable too, each task would take the node's whole (unset) memory
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/backfill',
      'MpiDefault=none',
      'ReturnToService=2',
      // sbatch --wait polls every 2 s only while that is below MinJobAge/2
      // (then 8 s, 32 s); the exit codes are read from the jobcomp records
      'MinJobAge=4',
      'JobCompType=jobcomp/filetxt',
      `JobCompLoc=${dir}/jobcomp.log`,
      // 4 CPUs on 2 cores (slurmd reports the configured count): a 4-task array runs at once
      'SlurmdParameters=config_overrides',
      `NodeName=${node} CPUs=4 State=UNKNOWN`,
      `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  )
  const env = {...process.env, SLURM_CONF: conf}
  const children: ChildProcess[] = []
  const logs: string[] = []
  const daemon = (cmd: string, args: string[]) => {
    const child = spawn(cmd, args, {env, stdio: ['ignore', 'pipe', 'pipe']})
    child.stdout!.on('data', (d: Buffer) => logs.push(`${cmd}: ${d}`))
    child.stderr!.on('data', (d: Buffer) => logs.push(`${cmd}: ${d}`))
    children.push(child)
  }
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(child.pid, 'SIGTERM')
      const killer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    }
  }
  const run: SlurmCluster['run'] = (cmd, args, options = {}) =>
    runProcess(cmd, args, {cwd: options.cwd ?? dir, env: {...env, ...options.env}, timeoutMs: options.timeoutMs ?? 30_000})
  const readLog = (name: string) => (existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '')
  const dead = () => children.find((c) => c.exitCode !== null || c.signalCode !== null)?.spawnargs.join(' ')
  const cluster: SlurmCluster = {
    dir,
    env,
    run,
    stop,
    jobcomp: () =>
      readLog('jobcomp.log')
        .split('\n')
        .filter(Boolean)
        .map((line) => Object.fromEntries([...line.matchAll(/(\w+)=(\S*)/g)].map((m) => [m[1]!, m[2]!]))),
    logs: () => [logs.join(''), readLog('slurmctld.log').slice(-4000), readLog('slurmd.log').slice(-4000)].join('\n---\n'),
  }
  try {
    daemon('runuser', [
      '-u',
      'munge',
      '--',
      '/usr/sbin/munged',
      '--foreground',
      `--socket=${socket}`,
      `--key-file=${key}`,
      `--pid-file=${munge}/munged.pid`,
      `--log-file=${munge}/munged.log`,
      `--seed-file=${munge}/munged.seed`,
    ])
    await until(() => existsSync(socket), 'munged to listen', cluster, dead)
    daemon('/usr/sbin/slurmctld', ['-D', '-f', conf])
    daemon('/usr/sbin/slurmd', ['-D', '-f', conf])
    await untilAsync(
      async () => {
        const r = await run('sinfo', ['--noheader', '--format=%T', '--nodes', node], {timeoutMs: 5000})
        return r.code === 0 && /^idle/m.test(r.stdout)
      },
      'the node to be idle',
      cluster,
      dead,
    )
  } catch (error) {
    await stop()
    throw error
  }
  return cluster
}

async function until(probe: () => boolean, what: string, cluster: SlurmCluster, dead: () => string | undefined): Promise<void> {
  await untilAsync(async () => probe(), what, cluster, dead)
}

/** Polls until probe is true; fails at once when a daemon died, or after timeoutMs. */
async function untilAsync(
  probe: () => Promise<boolean>,
  what: string,
  cluster: SlurmCluster,
  dead: () => string | undefined,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probe())) {
    const died = dead()
    if (died) throw new Error(`${died} exited while waiting for ${what}\n${cluster.logs()}`)
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${cluster.logs()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
