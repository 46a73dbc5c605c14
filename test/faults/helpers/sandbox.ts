import {execFileSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {launch as launchProcess, type Launched} from '../../helpers/launch.js'
import {BIN} from '../../helpers/run-cli.js'

export const REAL_RSYNC = '/usr/bin/rsync'
export {FAKE_RSYNC} from '../../helpers/fake-rsync.js'

/**
 * One temp dir per test file: mounts made under it are unmounted (lazily, so
 * a busy mount never blocks) and everything removed in `cleanup`, which
 * afterAll calls even when a test failed.
 */
export class Sandbox {
  readonly dir: string
  private readonly mounts: string[] = []

  constructor(prefix: string) {
    this.dir = mkdtempSync(join(tmpdir(), `transporter-fault-${prefix}-`))
    // traversable by `nobody` for the permission test
    chmodSync(this.dir, 0o755)
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts)
  }

  mkdir(...parts: string[]): string {
    const p = this.path(...parts)
    mkdirSync(p, {recursive: true})
    return p
  }

  mountTmpfs(at: string, options: string): void {
    mkdirSync(at, {recursive: true})
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', at])
    this.mounts.push(at)
  }

  /** Remounts an existing mount read-only (after files were put in it). */
  remountReadOnly(at: string): void {
    execFileSync('mount', ['-o', 'remount,ro', at])
  }

  cleanup(): void {
    for (const at of this.mounts.reverse()) {
      try {
        execFileSync('umount', ['-l', at], {stdio: 'ignore'})
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, {recursive: true, force: true})
  }
}

/** A `.transporterrc.yaml` in its own cwd, so each test's config is explicit. */
export function configDir(sb: Sandbox, name: string, yaml: string): string {
  const dir = sb.mkdir(`cwd-${name}`)
  writeFileSync(join(dir, '.transporterrc.yaml'), yaml)
  return dir
}

/** An rsync that logs each start to `log` and then execs the real one (same pid, same group). */
export function rsyncWrapper(sb: Sandbox, name: string, target = REAL_RSYNC, preamble = ''): {path: string; log: string; starts: () => number} {
  const path = sb.path(`rsync-${name}.sh`)
  const log = sb.path(`rsync-${name}.log`)
  // world-writable so a run as `nobody` can log its starts too
  writeFileSync(log, '', {mode: 0o666})
  chmodSync(log, 0o666)
  writeFileSync(path, `#!/bin/sh\necho "start $$" >> '${log}'\n${preamble}exec '${target}' "$@"\n`, {mode: 0o755})
  return {path, log, starts: () => countLines(log)}
}

export function countLines(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).length
  } catch {
    return 0
  }
}

export type {Launched}

export interface FaultLaunchOptions {
  cwd: string
  env?: Record<string, string>
  /** argv prefix, e.g. setpriv … or unshare …; node and bin/run.js follow */
  wrap?: string[]
  timeoutMs?: number
}

/** Starts transporter as a real process and keeps hold of it (for signals). */
export function launch(args: string[], options: FaultLaunchOptions): Launched {
  const argv = [...(options.wrap ?? []), process.execPath, BIN, ...args]
  return launchProcess(argv[0]!, argv.slice(1), {cwd: options.cwd, env: {TRANSPORTER_DEBUG: '', ...options.env}, timeoutMs: options.timeoutMs ?? 45_000})
}

export {waitFor} from '../../helpers/wait.js'

export interface ProcInfo {
  pid: number
  ppid: number
  pgid: number
  cmdline: string
}

/** Every process whose command line contains `needle` (read from /proc, no ps). */
export function processesMatching(needle: string): ProcInfo[] {
  const found: ProcInfo[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ')
      if (!cmdline.includes(needle)) continue
      // fields after the parenthesised comm: state ppid pgrp …
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (rest[0] === 'Z') continue
      found.push({pid: Number(entry), ppid: Number(rest[1]), pgid: Number(rest[2]), cmdline})
    } catch {
      // exited while we looked
    }
  }
  return found
}

/** rsync processes working on `marker` (a unique temp path). */
export function rsyncProcesses(marker: string): ProcInfo[] {
  return processesMatching(marker).filter((p) => /(^|\/)rsync(\s|$)|rsync-[\w-]+\.sh|fake-rsync/.test(p.cmdline))
}

export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

/** A config's extraArgs list in YAML flow form. */
export function yamlList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`
}
