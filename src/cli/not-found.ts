import type {Config} from '@oclif/core'
import {usage, type UserError} from './render.js'

/** What users type for a flag that oclif answers at the top level. */
const ROOT_FLAG_WORDS: Readonly<Record<string, string>> = {version: '--version'}

/**
 * oclif's "command cpy not found" (and its help's "Command cpy not found.")
 * as a usage error (exit 22, spec §8.4) with a "did you mean", or undefined
 * for any other error.
 */
export function notFoundError(error: unknown, config: Pick<Config, 'commandIDs' | 'topics'>): UserError | undefined {
  const message = error instanceof Error ? error.message : ''
  const m = /^command (.+?) not found\.?$/i.exec(message.trim())
  if (m === null) return undefined
  const typed = (m[1] ?? '').replaceAll(':', ' ')
  const known = [...config.commandIDs, ...config.topics.map((t) => t.name)].map((id) => id.replaceAll(':', ' '))
  const suggestion = ROOT_FLAG_WORDS[typed] ?? closest(typed, known)
  const e = usage(`unknown command "${typed}"`, undefined)
  return suggestion === undefined ? e : {...e, hint: `did you mean \`transporter ${suggestion}\`? ${e.hint ?? ''}`.trim()}
}

/** The known name nearest to `typed` by edit distance, when it is near enough to be a typo. */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: {name: string; distance: number} | undefined
  for (const name of new Set(known)) {
    const distance = editDistance(typed, name)
    if (best === undefined || distance < best.distance) best = {name, distance}
  }
  if (best === undefined) return undefined
  return best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[b.length]!
}
