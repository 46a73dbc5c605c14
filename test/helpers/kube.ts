import {mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {parseAllDocuments} from 'yaml'
import {ROOT} from './run-cli.js'

export const DEPLOY = join(ROOT, 'deploy')

export interface Manifest {
  file: string
  doc: Record<string, any>
}

/** Every document of every deploy/*.yaml. */
export function loadManifests(): Manifest[] {
  const out: Manifest[] = []
  for (const file of readdirSync(DEPLOY)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const d of parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'))) {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`)
      const doc = d.toJS() as Record<string, any> | null
      if (doc) out.push({file, doc})
    }
  }
  return out
}

export function manifest(file: string, kind: string): Record<string, any> {
  const found = loadManifests().find((m) => m.file === file && m.doc.kind === kind)
  if (!found) throw new Error(`no ${kind} in deploy/${file}`)
  return found.doc
}

/**
 * `$(VAR)` in command and args as Kubernetes expands it: replaced by the
 * container's env var when defined, left as written when not; `$$` is a
 * literal `$` (so `$$(VAR)` stays `$(VAR)`).
 */
export function expandK8s(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (name === undefined) return '$'
    return Object.hasOwn(env, name) ? env[name]! : whole
  })
}

export interface PodRun {
  /** the pod's name, used as the container's */
  name: string
  image: string
  /** host directory for each of the pod's volumes, by volume name */
  volumes: Record<string, string>
  /** env the Job controller adds (JOB_COMPLETION_INDEX) */
  injectedEnv?: Record<string, string>
  /** stands in for the cluster's DNS: a URL in args replaced by one on this host */
  rewrite?: (arg: string) => string
  network?: string
}

const MEMORY_UNITS: Record<string, number> = {Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9}

/**
 * `podman run` arguments that run a pod spec's single container as the
 * kubelet would: its env (plus what the Job controller injects), command and
 * args expanded as Kubernetes does, the security context (user,
 * capabilities, no new privileges, read-only root), the memory limit and
 * the volume mounts.
 */
export function podmanRunArgs(podSpec: Record<string, any>, run: PodRun): string[] {
  const [container, ...more] = podSpec.containers as Array<Record<string, any>>
  if (!container || more.length > 0) throw new Error('one container per pod expected')
  const env: Record<string, string> = {}
  for (const e of container.env ?? []) {
    if (e.value === undefined) throw new Error(`env ${e.name}: only plain values are supported here`)
    env[e.name] = expandK8s(String(e.value), env)
  }
  Object.assign(env, run.injectedEnv)
  const argv = ['run', '--name', run.name, `--network=${run.network ?? 'none'}`]
  for (const [k, v] of Object.entries(env)) argv.push('--env', `${k}=${v}`)
  const sc = container.securityContext ?? {}
  if (sc.runAsUser !== undefined) argv.push('--user', `${sc.runAsUser}${sc.runAsGroup === undefined ? '' : `:${sc.runAsGroup}`}`)
  for (const cap of sc.capabilities?.drop ?? []) argv.push('--cap-drop', cap)
  for (const cap of sc.capabilities?.add ?? []) argv.push('--cap-add', cap)
  if (sc.allowPrivilegeEscalation === false) argv.push('--security-opt', 'no-new-privileges')
  // Kubernetes adds no tmpfs to a read-only root; podman would, unless told not to
  if (sc.readOnlyRootFilesystem) argv.push('--read-only', '--read-only-tmpfs=false')
  const memory = /^(\d+)([KMG]i?)?$/.exec(container.resources?.limits?.memory ?? '')
  if (memory) argv.push('--memory', String(Number(memory[1]) * (MEMORY_UNITS[memory[2] ?? ''] ?? 1)))
  for (const m of container.volumeMounts ?? []) {
    const host = run.volumes[m.name]
    if (!host) throw new Error(`no host directory for volume ${m.name}`)
    argv.push('--volume', `${host}:${m.mountPath}${m.readOnly ? ':ro' : ''}`)
  }
  const expand = (list: unknown[] | undefined) => (list ?? []).map((a) => (run.rewrite ?? ((x: string) => x))(expandK8s(String(a), env)))
  if (container.command) argv.push('--entrypoint', JSON.stringify(expand(container.command)))
  argv.push(run.image, ...expand(container.args))
  return argv
}

/** A ConfigMap volume as the kubelet lays it out: `..data` → a timestamped dir, each key a symlink into `..data`. */
export function writeConfigMapVolume(dir: string, data: Record<string, string>): void {
  const stamp = '..2024_01_01_00_00_00.000000001'
  mkdirSync(join(dir, stamp), {recursive: true, mode: 0o755})
  for (const [key, value] of Object.entries(data)) {
    writeFileSync(join(dir, stamp, key), value, {mode: 0o644})
    symlinkSync(`..data/${key}`, join(dir, key))
  }
  symlinkSync(stamp, join(dir, '..data'))
}
