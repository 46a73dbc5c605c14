import {chmodSync, chownSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {startCaptureServer, type CaptureServer} from '../helpers/capture-server.js'
import {manifest, podmanRunArgs, writeConfigMapVolume} from '../helpers/kube.js'
import {IMAGE, podman, podmanUnavailable, removeContainers, requireImage, skipReason} from '../helpers/podman.js'
import {cleanup, diffTrees, leftovers, makeManyFiles, makeSampleTree, tempDir} from '../helpers/trees.js'

// Spec §9/§14: no kubelet can run here, so each pod of deploy/indexed-job.yaml
// runs as the kubelet would start it (podmanRunArgs), all at once, into one
// shared dest. The cluster Service in --report-addr is the capture server.
const unavailable = podmanUnavailable()
const SERVICE = 'http://job-api.default.svc/report'

/** The sample tree plus what only root with the right capabilities recreates. */
function fill(src: string): void {
  makeSampleTree(src)
  makeManyFiles(src, 300, 6)
  chownSync(join(src, 'top.txt'), 1234, 5678)
  mkdirSync(join(src, 'other-user'), {mode: 0o700})
  writeFileSync(join(src, 'other-user/setuid'), '#!/bin/sh\n')
  chownSync(join(src, 'other-user/setuid'), 1234, 5678)
  chmodSync(join(src, 'other-user/setuid'), 0o4755)
  writeFileSync(join(src, 'other-user/read-only'), 'r\n', {mode: 0o400})
  chownSync(join(src, 'other-user/read-only'), 1234, 5678)
  chownSync(join(src, 'other-user'), 1234, 5678)
  mkdirSync(join(src, 'setgid-dir'), {mode: 0o2775})
  chmodSync(join(src, 'setgid-dir'), 0o2775)
  chownSync(join(src, 'setgid-dir'), 0, 5678)
  writeFileSync(join(src, 'setgid-dir/f'), 'g\n')
}

describe.skipIf(skipReason(unavailable, 'Kubernetes pod runs'))('deploy/ Jobs run as the kubelet would', {timeout: 150_000}, () => {
  const root = tempDir('transporter-kube-')
  const names: string[] = []
  let server: CaptureServer
  const configMap = manifest('configmap.yaml', 'ConfigMap')
  const volumesFor = (pod: string, src: string, dest: string) => {
    const config = join(root, `${pod}-config`)
    const tmp = join(root, `${pod}-tmp`)
    mkdirSync(config)
    mkdirSync(tmp, {mode: 0o777})
    writeConfigMapVolume(config, configMap.data)
    return {src, dest, config, tmp}
  }

  beforeAll(async () => {
    await requireImage()
    server = await startCaptureServer()
  })
  afterAll(async () => {
    await removeContainers(names)
    await server?.close()
    cleanup(root)
  })

  it('the Indexed Job: every index at once into one dest — each exits 0, the union is the source tree, nothing left behind', async () => {
    const job = manifest('indexed-job.yaml', 'Job')
    const src = join(root, 'src')
    const shared = join(root, 'shared')
    mkdirSync(src)
    mkdirSync(shared)
    fill(src)
    const completions = job.spec.completions as number
    const runs = Array.from({length: completions}, (_, index) => {
      const name = `transporter-copy-${index}-${process.pid}`
      names.push(name)
      const argv = podmanRunArgs(job.spec.template.spec, {
        name,
        image: IMAGE,
        network: 'host',
        volumes: volumesFor(name, src, shared),
        injectedEnv: {JOB_COMPLETION_INDEX: String(index)},
        rewrite: (arg) => arg.replace(SERVICE, `${server.url}/index-${index}`),
      })
      return podman(argv, 120_000)
    })
    const results = await Promise.all(runs)
    results.forEach((r, index) => expect(r.code, `index ${index}: ${r.stderr}`).toBe(0))
    // the dest volume (mounted at /mnt/dest in every pod) is `shared` on the host
    expect(diffTrees(src, shared)).toEqual([])
    expect(leftovers(shared)).toEqual([])
    for (let index = 0; index < completions; index++) {
      const reports = server.requests
        .filter((q) => q.url.endsWith(`/index-${index}`))
        .map((q) => JSON.parse(q.body.toString('utf8')) as Record<string, unknown>)
      expect(reports.length, `index ${index} sent no report`).toBeGreaterThan(0)
      expect(
        reports.filter((q) => q.errcode !== 0),
        `index ${index}`,
      ).toEqual([])
    }
  })

  it("the Go tool's Job: /usr/local/transporter with the legacy flags copies the tree", async () => {
    const job = manifest('job.yaml', 'Job')
    const src = join(root, 'legacy-src')
    mkdirSync(src)
    fill(src)
    const name = `transporter-legacy-${process.pid}`
    names.push(name)
    const dest = join(root, 'legacy-dest')
    mkdirSync(dest)
    const argv = podmanRunArgs(job.spec.template.spec, {
      name,
      image: IMAGE,
      network: 'host',
      volumes: volumesFor(name, src, dest),
      rewrite: (arg) => arg.replace('http://api/report', `${server.url}/legacy`),
    })
    const r = await podman(argv, 120_000)
    expect(r.code, r.stderr).toBe(0)
    // -src /src without a trailing slash: rsync (and the Go tool) copy the directory itself into /dest
    expect(diffTrees(src, join(dest, 'src'))).toEqual([])
    expect(server.requests.filter((q) => q.url.endsWith('/legacy')).length).toBeGreaterThan(0)
  })
})
