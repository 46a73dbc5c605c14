import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {Factory, MountCheck, MountCheckResult} from '../plugin-api.js'
import {testFactoryEnv, type TestEnv} from './env.js'

export interface MountCheckConformanceOptions {
  options?: unknown
  env?: () => TestEnv
  /** where to make the existing directory the check must accept (default os.tmpdir()) */
  existingUnder?: string
}

function expectValidResult(result: MountCheckResult): MountCheckResult {
  expect(typeof result).toBe('object')
  expect(typeof result.ok).toBe('boolean')
  if (!result.ok) {
    expect(typeof result.reason).toBe('string')
    expect(result.reason.trim()).not.toBe('')
    if (result.errno !== undefined) expect(result.errno).toMatch(/^E[A-Z0-9]+$/)
  }
  return result
}

/**
 * The mount-check contract (spec §4, §7.1): check() resolves {ok: true} for an
 * existing directory it accepts, and {ok: false, reason} (never a rejection)
 * for a path that does not exist, in both roles.
 */
export function describeMountCheckConformance(name: string, factory: Factory<MountCheck>, opts: MountCheckConformanceOptions = {}): void {
  const makeEnv = opts.env ?? (() => testFactoryEnv())
  const create = async () => factory.create(opts.options ?? {}, makeEnv())
  const withDir = async (fn: (dir: string) => Promise<void>) => {
    const dir = mkdtempSync(join(opts.existingUnder ?? tmpdir(), 'transporter-mount-conformance-'))
    try {
      await fn(dir)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }

  describe(`mount check conformance: ${name}`, () => {
    it('has a description', () => {
      expect(typeof factory.description).toBe('string')
      expect(factory.description.trim()).not.toBe('')
    })

    it('create() returns an object with check()', async () => {
      expect(typeof (await create()).check).toBe('function')
    })

    it.each(['src', 'dest'] as const)('accepts an existing directory as %s', async (role) => {
      const check = await create()
      await withDir(async (dir) => {
        expect(expectValidResult(await check.check(dir, role))).toEqual({ok: true})
      })
    })

    it.each(['src', 'dest'] as const)('resolves {ok: false, reason} for a missing %s', async (role) => {
      const check = await create()
      await withDir(async (dir) => {
        const result = expectValidResult(await check.check(join(dir, 'missing', 'deeper'), role))
        expect(result.ok).toBe(false)
      })
    })
  })
}
