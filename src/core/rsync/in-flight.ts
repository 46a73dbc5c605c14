import {readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {tempTarget} from './temp-sweep.js'

/**
 * The files rsync's process group is writing right now, as the final paths
 * their temp files (`.name.XXXXXX`) will get, read from /proc. Taken when
 * transporter stops rsync: with --partial rsync then keeps what it wrote under
 * the final name, and that file is resumed instead of re-sent (resume.ts).
 * Paths are bytes, as the kernel gives them (symlinks in dest resolved).
 */
export function inFlightFiles(pgid: number): Buffer[] {
  const found: Buffer[] = []
  for (const pid of descendants(pgid) ?? groupMembers(pgid)) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`, {encoding: 'buffer'}).map((fd) => fd.toString('latin1'))
    } catch {
      continue
    }
    for (const fd of fds) {
      let target: Buffer
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`, {encoding: 'buffer'})
      } catch {
        continue
      }
      if (target[0] !== 0x2f) continue // a pipe, a socket, an anonymous file
      const slash = target.lastIndexOf(0x2f)
      const name = tempTarget(target.subarray(slash + 1))
      if (name !== undefined) found.push(Buffer.concat([target.subarray(0, slash + 1), name]))
    }
  }
  return found
}

/** Resolves once no live process of the group is left (a zombie holds no files), or after `limitMs`. */
export async function groupGone(pgid: number, limitMs: number): Promise<void> {
  const until = Date.now() + limitMs
  while (groupMembers(pgid, true).length > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5))
}

/**
 * rsync's processes while it runs: its leader (the group's pid) and what it forked, from the kernel's list of each
 * one's children; undefined where the kernel keeps no such list or the leader is gone. Reading those few files each second costs
 * nothing, where a scan of /proc reads every process's stat (thousands on a shared compute node).
 */
function descendants(leader: number): number[] | undefined {
  const found = [leader]
  for (let i = 0; i < found.length; i++) {
    const pid = found[i]!
    let children: string
    try {
      // rsync does not start threads: its main thread forked everything
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1')
    } catch {
      // no children lists in this kernel, or the leader is gone and what it forked is no one's child now: the scan
      if (i === 0) return undefined
      continue // gone meanwhile
    }
    for (const child of children.split(' ')) if (child !== '') found.push(Number(child))
  }
  return found
}

/** Every process of the group, also those a killed leader left behind (they are no longer its children). */
function groupMembers(pgid: number, liveOnly = false): number[] {
  const members: number[] = []
  // /proc's names are ASCII; read as bytes like every other directory here
  for (const entry of readdirSync('/proc', {encoding: 'buffer'}).map((e) => e.toString('latin1'))) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && !(liveOnly && fields[0] === 'Z')) members.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return members
}
