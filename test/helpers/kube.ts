import {readFileSync, readdirSync} from 'node:fs'
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
  for (const file of readdirSync(DEPLOY).filter((f) => /\.ya?ml$/.test(f)).sort()) {
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
