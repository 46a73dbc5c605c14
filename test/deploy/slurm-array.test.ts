import {chmodSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {BIN, ROOT} from '../helpers/run-cli.js'
import {skipReason} from '../helpers/podman.js'
import {slurmUnavailable, startSlurm, type SlurmCluster} from '../helpers/slurm.js'
import {cleanup, diffTrees, leftovers, makeManyFiles, makeSampleTree, tempDir} from '../helpers/trees.js'

// Spec §14: deploy/slurm/transporter-array.sbatch on a real one-node Slurm
// cluster — the array's shards together copy the tree, and a failing shard's
// exit code is what Slurm records for that task.
const unavailable = slurmUnavailable()
const SCRIPT = join(ROOT, 'deploy/slurm/transporter-array.sbatch')
const TASKS = 4

describe.skipIf(skipReason(unavailable, 'Slurm array tests'))('the Slurm job array', {timeout: 150_000}, () => {
  const root = tempDir('transporter-slurm-')
  const src = join(root, 'src')
  const clusterDir = tempDir('transporter-slurmd-')
  let slurm: SlurmCluster | undefined
  // The CLI each task execs; the task named by RO_TASK sees dest read-only,
  // as on a node that mounts the volume read-only (its own mount namespace).
  const cli = join(root, 'transporter')

  beforeAll(async () => {
    mkdirSync(src)
    makeSampleTree(src)
    makeManyFiles(src, 200, 5)
    writeFileSync(
      cli,
      [
        '#!/bin/sh',
        'if [ -n "${RO_TASK:-}" ] && [ "$SLURM_ARRAY_TASK_ID" = "$RO_TASK" ]; then',
        `  exec unshare --mount --propagation private sh -c 'mount --bind "$RO_DEST" "$RO_DEST" && mount -o remount,ro,bind "$RO_DEST" && exec "$0" "$@"' ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"`,
        'fi',
        `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"`,
        '',
      ].join('\n'),
    )
    chmodSync(cli, 0o755)
    slurm = await startSlurm(clusterDir)
  })
  afterAll(async () => {
    await slurm?.stop()
    cleanup(clusterDir, root)
  })

  /** Submits the array and waits for every task; the array's tasks by ArrayTaskId. */
  async function submit(name: string, dest: string, env: Record<string, string> = {}) {
    const out = join(root, `out-${name}`)
    mkdirSync(out)
    const r = await slurm!.run('sbatch', ['--wait', '--parsable', `--job-name=${name}`, SCRIPT, '--src', `${src}/`, '--dest', dest], {
      cwd: out,
      env: {TRANSPORTER_BIN: cli, ...env},
      timeoutMs: 120_000,
    })
    const arrayJob = r.stdout.trim().split(';')[0]!
    // Slurm's own record of each finished task (jobcomp/filetxt), by array index
    const records = slurm!.jobcomp().filter((j) => j.ArrayJobId === arrayJob)
    const tasks = Object.fromEntries(records.map((j) => [j.ArrayTaskId, `${j.JobState} ${j.ExitCode}`]))
    return {code: r.code, stderr: r.stderr, tasks, logs: () => slurm!.logs()}
  }

  it(`sbatch --wait of --array=0-${TASKS - 1}: every task 0:0, the union is the source tree`, async () => {
    const dest = join(root, 'dest')
    const r = await submit('whole', dest)
    expect(r.code, `${r.stderr}\n${r.logs()}`).toBe(0)
    expect(r.tasks).toEqual(Object.fromEntries(Array.from({length: TASKS}, (_, i) => [String(i), 'COMPLETED 0:0'])))
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
  })

  it('a task whose dest is read-only is recorded with ExitCode=30:0, the others complete', async () => {
    const dest = join(root, 'dest-ro')
    mkdirSync(dest)
    const r = await submit('readonly', dest, {RO_TASK: '2', RO_DEST: dest})
    console.log(`Slurm array, task 2 with a read-only dest: sbatch --wait exit ${r.code}; per task ${JSON.stringify(r.tasks)}`)
    // sbatch --wait exits with the worst task's code
    expect(r.code, `${r.stderr}\n${r.logs()}`).toBe(30)
    expect(r.tasks).toEqual({0: 'COMPLETED 0:0', 1: 'COMPLETED 0:0', 2: 'FAILED 30:0', 3: 'COMPLETED 0:0'})
  })
})
