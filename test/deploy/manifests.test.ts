import * as k8s from '@kubernetes/client-node'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ConfigMap} from 'kubernetes-models/v1/ConfigMap'
import {Job} from 'kubernetes-models/batch/v1/Job'
import {describe, expect, it} from 'vitest'
import {loadConfig} from '../../src/core/config/load.js'
import {expandK8s, loadManifests, manifest} from '../helpers/kube.js'

// Spec §14: deploy/*.yaml validated offline against a pinned Kubernetes
// schema — kubernetes-models 4.5.1 for types, enums and required fields;
// @kubernetes/client-node 1.4.0's type map for unknown fields, which the
// upstream schemas allow and the API server would drop or refuse.
const MODELS: Record<string, {new (data: any): {validate(): void}}> = {'batch/v1 Job': Job, 'v1 ConfigMap': ConfigMap}
const CLIENT_TYPES: Record<string, string> = {'batch/v1 Job': 'V1Job', 'v1 ConfigMap': 'V1ConfigMap'}
/** What rsync -rlptgo needs as root to recreate a tree (docs/deploy.md). */
const RSYNC_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID']

type AttributeMap = Array<{name: string; baseName: string; type: string}>

/** Paths of fields that no Kubernetes type of this name has. */
function unknownFields(value: unknown, type: string, path = ''): string[] {
  if (value === null || value === undefined) return []
  const array = /^Array<(.+)>$/.exec(type)
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : []
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)
  if (map) return Object.entries(value as object).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`))
  const model = (k8s as unknown as Record<string, {getAttributeTypeMap?: () => AttributeMap}>)[type]
  if (typeof value !== 'object' || !model?.getAttributeTypeMap) return []
  const attributes = model.getAttributeTypeMap()
  return Object.entries(value as object).flatMap(([key, v]) => {
    const attribute = attributes.find((a) => a.baseName === key)
    return attribute ? unknownFields(v, attribute.type, `${path}.${key}`) : [`${path}.${key}`]
  })
}

/** Schema errors and unknown fields of one document; empty when the API server would take it as written. */
function problems(doc: Record<string, any>): string[] {
  const key = `${doc.apiVersion} ${doc.kind}`
  const Model = MODELS[key]
  if (!Model) return [`no pinned schema for ${key}`]
  const found: string[] = []
  try {
    new Model(doc).validate()
  } catch (error) {
    found.push(String((error as Error).message))
  }
  return [...found, ...unknownFields(doc, CLIENT_TYPES[key]!).map((p) => `unknown field ${p}`)]
}

const manifests = loadManifests()
const jobs = manifests.filter((m) => m.doc.kind === 'Job')

describe('deploy/ manifests', () => {
  it('are the ConfigMap, the Job and the Indexed Job', () => {
    expect(manifests.map((m) => `${m.file}: ${m.doc.kind}`)).toEqual(['configmap.yaml: ConfigMap', 'indexed-job.yaml: Job', 'job.yaml: Job'])
  })

  it.each(manifests.map((m) => [`${m.file} ${m.doc.kind}`, m.doc] as const))('%s passes the pinned schema with no unknown field', (_name, doc) => {
    expect(problems(doc)).toEqual([])
  })

  it('the checks refuse a misspelt field, a wrong enum value, a wrong type and a missing required field', () => {
    const job = manifest('indexed-job.yaml', 'Job')
    const broken = (change: (spec: Record<string, any>) => void) => {
      const copy = structuredClone(job)
      change(copy)
      return problems(copy)
    }
    expect(broken((j) => (j.spec.template.spec.terminationGracePeriod = 30))).toEqual(['unknown field .spec.template.spec.terminationGracePeriod'])
    expect(broken((j) => (j.spec.template.spec.containers[0].securityContext.capabilities.remove = ['ALL']))).toEqual([
      'unknown field .spec.template.spec.containers[0].securityContext.capabilities.remove',
    ])
    expect(broken((j) => (j.spec.template.spec.restartPolicy = 'Sometimes')).join('\n')).toMatch(/restartPolicy/)
    expect(broken((j) => (j.spec.completions = '4')).join('\n')).toMatch(/completions/)
    expect(broken((j) => delete j.spec.template.spec.containers[0].name).join('\n')).toMatch(/name/)
  })

  it('the ConfigMap holds a config transporter accepts, mounted at /etc/transporter/config.yaml and named by TRANSPORTER_CONFIG', async () => {
    const cm = manifest('configmap.yaml', 'ConfigMap')
    const dir = mkdtempSync(join(tmpdir(), 'transporter-cm-'))
    try {
      writeFileSync(join(dir, 'config.yaml'), cm.data['config.yaml'])
      const cfg = await loadConfig({cwd: dir, file: join(dir, 'config.yaml')})
      expect(cfg.reporters).toEqual([expect.objectContaining({id: 'http'})])
      for (const {file, doc} of jobs) {
        const pod = doc.spec.template.spec
        const [container] = pod.containers
        const volume = pod.volumes.find((v: any) => v.configMap?.name === cm.metadata.name)
        expect(volume, file).toBeDefined()
        expect(container.volumeMounts).toContainEqual({name: volume.name, mountPath: '/etc/transporter', readOnly: true})
        expect(container.env).toContainEqual({name: 'TRANSPORTER_CONFIG', value: '/etc/transporter/config.yaml'})
        // Kubernetes SIGKILLs after terminationGracePeriodSeconds: rsync's grace and the report flush must fit
        expect(pod.terminationGracePeriodSeconds * 1000, file).toBeGreaterThan((cfg.signals.graceMs ?? 10_000) + (cfg.reports.flushBudgetMs ?? 10_000))
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  it.each(jobs.map((m) => [m.file, m.doc] as const))('%s: capabilities only rsync needs, resources, logs as the termination message', (_file, doc) => {
    const pod = doc.spec.template.spec
    expect(pod.restartPolicy).toBe('Never')
    for (const c of pod.containers) {
      expect(c.terminationMessagePolicy).toBe('FallbackToLogsOnError')
      expect(c.securityContext.capabilities.drop).toEqual(['ALL'])
      expect([...c.securityContext.capabilities.add].sort()).toEqual(RSYNC_CAPABILITIES)
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false)
      expect(c.resources.requests).toMatchObject({cpu: expect.any(String), memory: expect.any(String)})
      expect(c.resources.limits.memory).toEqual(expect.any(String))
      // the root filesystem is read-only: TMPDIR (/tmp, the work lists) is an emptyDir
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true)
      expect(c.volumeMounts.find((m: any) => m.mountPath === '/tmp')).toBeDefined()
    }
  })

  it('the Indexed Job runs --shard auto with TRANSPORTER_SHARD_COUNT = completions; the Go Job keeps the legacy path and flags', () => {
    const indexed = manifest('indexed-job.yaml', 'Job')
    expect(indexed.spec.completionMode).toBe('Indexed')
    const [container] = indexed.spec.template.spec.containers
    expect(container.args).toContain('--shard=auto')
    expect(container.env).toContainEqual({name: 'TRANSPORTER_SHARD_COUNT', value: String(indexed.spec.completions)})
    const legacy = manifest('job.yaml', 'Job').spec.template.spec.containers[0]
    expect(legacy.command).toEqual(['/usr/local/transporter'])
    expect(legacy.args).toContain('-dest-dir')
  })
})

describe('expandK8s (how Kubernetes expands command and args)', () => {
  it.each([
    ['--shard=$(JOB_COMPLETION_INDEX)/4', '--shard=2/4'],
    ['$(UNDEFINED)/x', '$(UNDEFINED)/x'],
    ['$$(JOB_COMPLETION_INDEX)', '$(JOB_COMPLETION_INDEX)'],
    ['cost $$5 $5 $', 'cost $5 $5 $'],
    ['$(A)$(JOB_COMPLETION_INDEX)', 'a2'],
  ])('%j → %j', (input, output) => {
    expect(expandK8s(input, {JOB_COMPLETION_INDEX: '2', A: 'a'})).toBe(output)
  })
})
