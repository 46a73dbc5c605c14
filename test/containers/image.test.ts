import {randomBytes} from 'node:crypto'
import {chownSync, mkdirSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {IMAGE, NON_ROOT_IMAGE, podman, podmanUnavailable, removeContainers, requireImage, skipReason} from '../helpers/podman.js'
import {cleanup, diffTrees, leftovers, makeManyFiles, makeSampleTree, partialOrWhole, rsyncTempIn, tempDir} from '../helpers/trees.js'
import {rsyncProcesses, waitFor} from '../faults/helpers/sandbox.js'

// Spec §14: the image built by scripts/setup-infra.sh, run for real with podman.
const unavailable = podmanUnavailable()
const NON_ROOT = 10001

/** `copy` of the bind-mounted source into a bind-mounted dest, in a container of `image`, optionally as another user. */
function copyInto(dest: string, run: {name: string; image: string; user?: number}, src: string) {
  const user = run.user === undefined ? [] : ['--user', `${run.user}:${run.user}`]
  return podman([
    'run',
    '--name',
    run.name,
    '--network=none',
    ...user,
    '-v',
    `${src}:/mnt/src:ro`,
    '-v',
    `${dest}:/mnt/dest`,
    run.image,
    'copy',
    '--src',
    '/mnt/src/',
    '--dest',
    '/mnt/dest',
  ])
}

describe.skipIf(skipReason(unavailable, 'container tests'))('the transporter image', {timeout: 120_000}, () => {
  const root = tempDir('transporter-containers-')
  const names: string[] = []
  let server: CaptureServer
  const name = (what: string) => {
    const n = `transporter-test-${process.pid}-${what}`
    names.push(n)
    return n
  }

  beforeAll(async () => {
    await requireImage()
    await requireImage(NON_ROOT_IMAGE)
    server = await startCaptureServer()
  })
  afterEach(() => removeContainers(names))
  afterAll(async () => {
    await removeContainers(names)
    await server?.close()
    cleanup(root)
  })

  it('answers explain-exit 13, also at the Go image path /usr/local/transporter; root, tini, an empty WORKDIR', async () => {
    const r = await podman(['run', '--rm', '--network=none', IMAGE, 'explain-exit', '13'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('13 ErrPermissionDenied')
    const legacy = await podman(['run', '--rm', '--network=none', '--entrypoint', '/usr/local/transporter', IMAGE, 'explain-exit', '13'])
    expect(legacy.stdout).toContain('13 ErrPermissionDenied')
    const config = await podman(['image', 'inspect', '--format', '{{json .Config.Entrypoint}} {{.Config.User}} {{.Config.WorkingDir}}', IMAGE])
    expect(config.stdout.trim()).toBe('["/usr/bin/tini","--","transporter"] root /transporter')
    const workdir = await podman(['run', '--rm', '--network=none', '--entrypoint', '/bin/ls', IMAGE, '-A'])
    expect(workdir.code, workdir.stderr).toBe(0)
    expect(workdir.stdout).toBe('')
  })

  it('copies between two bind-mounted directories: trees identical, owners kept (root)', async () => {
    const src = join(root, 'copy-src')
    const out = join(root, 'copy-out')
    mkdirSync(src)
    mkdirSync(out)
    makeSampleTree(src)
    chownSync(join(src, 'top.txt'), 1234, 5678)
    const r = await podman([
      'run',
      '--name',
      name('copy'),
      '--network=none',
      '-v',
      `${src}:/mnt/src:ro`,
      '-v',
      `${out}:/mnt/out`,
      IMAGE,
      'copy',
      '--src',
      '/mnt/src/',
      '--dest',
      '/mnt/out/dest',
      '--dest-dir',
    ])
    expect(r.code, r.stderr).toBe(0)
    expect(diffTrees(src, join(out, 'dest'))).toEqual([])
  })

  describe.each([
    ['pid1', 'transporter itself as PID 1 (no init)', ['--entrypoint', 'transporter'], 'node'],
    ['tini', "under tini, the image's entrypoint", [], 'tini'],
    ['init', 'under podman run --init', ['--init', '--entrypoint', 'transporter'], 'podman-init'],
  ] as const)('podman stop -t 15 of a slowed copy, %s', (key, what, runArgs, pid1) => {
    it(`${what}: 143, final and error reports reach the host, no rsync left, no temp file in dest`, async () => {
      const src = join(root, `stop-${key}-src`)
      const dest = join(root, `stop-${key}-dest`)
      const cfg = join(root, `stop-${key}-cfg`)
      for (const d of [src, dest, cfg]) mkdirSync(d)
      writeFileSync(join(src, 'big.bin'), randomBytes(1536 * 1024))
      writeFileSync(join(cfg, 'config.yaml'), 'rsync: {extraArgs: ["--bwlimit=256"]}\nreporters: [http]\n')
      const mountedDest = `/mnt/dest-${key}-${process.pid}`
      const container = name(`stop-${key}`)
      const run = podman(
        [
          'run',
          '--name',
          container,
          '--network=host',
          ...runArgs,
          '-v',
          `${src}:/mnt/src:ro`,
          '-v',
          `${dest}:${mountedDest}`,
          '-v',
          `${cfg}:/mnt/cfg:ro`,
          IMAGE,
          'copy',
          '--config',
          '/mnt/cfg/config.yaml',
          '--src',
          '/mnt/src/',
          '--dest',
          mountedDest,
          '--progress',
          '--stderr',
          '--report-interval',
          '1',
          '--report-addr',
          `${server.url}/${key}`,
        ],
        90_000,
      )
      await waitFor(() => rsyncTempIn(dest), 'rsync mid-file in the container')
      expect(rsyncProcesses(mountedDest).length).toBeGreaterThan(0)
      const comm = await podman(['exec', container, 'cat', '/proc/1/comm'])
      expect(comm.stdout.trim()).toBe(pid1)

      const started = performance.now()
      const stop = await podman(['stop', '-t', '15', container], 60_000)
      const elapsedS = (performance.now() - started) / 1000
      expect(stop.code, stop.stderr).toBe(0)
      const r = await run
      console.log(`podman stop -t 15 (${what}): exit ${r.code} after ${elapsedS.toFixed(2)} s`)
      expect(r.code, r.stderr).toBe(143)
      const state = await podman(['inspect', '--format', '{{.State.ExitCode}}', container])
      expect(state.stdout.trim()).toBe('143')

      const reports = server.requests.filter((q) => q.url.endsWith(`/${key}`)).map((q) => JSON.parse(q.body.toString('utf8')) as Record<string, unknown>)
      expect(reports.at(-1)).toMatchObject({errcode: 143, reason: 'terminated by SIGTERM'})
      expect(reports.at(-2)).toMatchObject({errcode: 0, reason: ''})
      expect(reports.filter((q) => q.errcode !== 0)).toHaveLength(1)
      expect(rsyncProcesses(mountedDest)).toEqual([])
      expect(leftovers(dest)).toEqual([])
      expect(partialOrWhole(join(src, 'big.bin'), join(dest, 'big.bin'))).toBe('prefix')
    })
  })

  describe('run as a non-root user', () => {
    const src = join(root, 'user-src')
    beforeAll(() => {
      mkdirSync(src)
      makeManyFiles(src, 30, 3)
    })

    it('copies into a directory it owns: trees identical, files owned by that user', async () => {
      const dest = join(root, 'user-own')
      mkdirSync(dest)
      chownSync(dest, NON_ROOT, NON_ROOT)
      const r = await copyInto(dest, {name: name('user-own'), image: IMAGE, user: NON_ROOT}, src)
      expect(r.code, r.stderr).toBe(0)
      expect(diffTrees(src, dest, {owners: false})).toEqual([])
      expect(statSync(join(dest, 'd0/f0.txt')).uid).toBe(NON_ROOT)
    })

    it('the image built with --build-arg USER=transporter runs as uid 10001 without --user and copies into a directory it owns', async () => {
      const user = await podman(['image', 'inspect', '--format', '{{.Config.User}}', NON_ROOT_IMAGE])
      expect(user.stdout.trim()).toBe('transporter')
      const dest = join(root, 'image-user-own')
      mkdirSync(dest)
      chownSync(dest, NON_ROOT, NON_ROOT)
      const r = await copyInto(dest, {name: name('image-user'), image: NON_ROOT_IMAGE}, src)
      expect(r.code, r.stderr).toBe(0)
      expect(diffTrees(src, dest, {owners: false})).toEqual([])
      expect(statSync(join(dest, 'd1/f1.txt')).uid).toBe(NON_ROOT)
    })

    it('exits 13, saying permission was denied, where it does not own dest', async () => {
      const dest = join(root, 'user-root-owned')
      mkdirSync(dest, {mode: 0o755})
      const r = await copyInto(dest, {name: name('user-denied'), image: IMAGE, user: NON_ROOT}, src)
      expect(r.code, r.stderr).toBe(13)
      expect(r.stderr).toMatch(/Permission denied/)
      expect(leftovers(dest)).toEqual([])
    })
  })
})
