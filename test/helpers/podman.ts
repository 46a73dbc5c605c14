import {execFileSync} from 'node:child_process'
import {run, type Finished} from './launch.js'
import {ROOT} from './run-cli.js'

/** The image scripts/setup-infra.sh builds (scripts/build-image.sh). */
export const IMAGE = process.env.TRANSPORTER_IMAGE ?? 'localhost/transporter:test'
/** The same image built with USER=transporter (uid 10001). */
export const NON_ROOT_IMAGE = process.env.TRANSPORTER_NON_ROOT_IMAGE ?? 'localhost/transporter:test-non-root'
/** The project's podman settings (deploy/podman/containers.conf), unless the caller chose others. */
export const PODMAN_ENV = {...process.env, CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? `${ROOT}deploy/podman/containers.conf`}

/** Why podman cannot run here, or undefined when it can (then a missing image is a failure, not a skip). */
export function podmanUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'podman tests need root (rootful podman, bind mounts with owners kept)'
  try {
    execFileSync('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], {env: PODMAN_ENV, stdio: 'pipe', timeout: 30_000})
  } catch (error) {
    return `podman cannot run here (${(error as Error).message.split('\n')[0]}); bash scripts/setup-infra.sh installs it`
  }
  return undefined
}

/** Prints why a describe block is skipped, so a skip is never silent. */
export function skipReason(reason: string | undefined, what: string): boolean {
  if (reason) console.warn(`SKIPPED ${what}: ${reason}`)
  return reason !== undefined
}

/** One podman command with the project's settings, bounded: SIGKILLed after timeoutMs. */
export function podman(args: string[], timeoutMs = 60_000): Promise<Finished> {
  return run('podman', args, {env: PODMAN_ENV, timeoutMs})
}

/** Fails with what to do when the image was not built (podman works, so this is not a skip). */
export async function requireImage(image = IMAGE): Promise<void> {
  const r = await podman(['image', 'exists', image])
  if (r.code !== 0) throw new Error(`image ${image} not found: run bash scripts/setup-infra.sh (it builds it)`)
}

/** Removes containers by name, running or not. */
export async function removeContainers(names: string[]): Promise<void> {
  for (const name of names.splice(0)) await podman(['rm', '--force', '--time', '0', '--ignore', name])
}
