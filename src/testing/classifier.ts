import {describe, expect, it} from 'vitest'
import {classify} from '../core/classify/classify.js'
import {SEED_RULES} from '../core/classify/rules.js'
import {classifyRuleSchema} from '../core/config/schema.js'
import type {ClassifierRules, Factory} from '../plugin-api.js'
import {testFactoryEnv, type TestEnv} from './env.js'

export interface ClassifierConformanceOptions {
  env?: () => TestEnv
}

const CLASSES = ['ok', 'partial', 'vanished', 'retryable', 'fatal', 'usage']

/**
 * The classifier contract (spec §6, §7.1): create({}) returns {rules}; every
 * rule is valid (the same check as config rules); ids are unique; the rules
 * work on top of the built-in table.
 */
export function describeClassifierConformance(name: string, factory: Factory<ClassifierRules>, opts: ClassifierConformanceOptions = {}): void {
  const makeEnv = opts.env ?? (() => testFactoryEnv())
  // transporter creates every installed classifier with options {}
  const create = async () => factory.create({}, makeEnv())

  describe(`classifier conformance: ${name}`, () => {
    it('has a description', () => {
      expect(typeof factory.description).toBe('string')
      expect(factory.description.trim()).not.toBe('')
    })

    it('create({}) returns {rules: [...]}', async () => {
      const made = await create()
      expect(Array.isArray(made.rules)).toBe(true)
    })

    it('every rule is valid', async () => {
      const {rules} = await create()
      rules.forEach((rule, i) => {
        const checked = classifyRuleSchema.safeParse(rule)
        expect(checked.success, `rules[${i}]: ${JSON.stringify(checked.error?.issues[0] ?? '')}`).toBe(true)
      })
    })

    it('rule ids are unique', async () => {
      const ids = (await create()).rules.map((r) => r.id)
      expect(new Set(ids).size).toBe(ids.length)
    })

    it('classifies the codes it names on top of the built-in rules', async () => {
      const {rules} = await create()
      const all = [...SEED_RULES, ...rules]
      for (const rule of rules) {
        for (const code of rule.codes ?? [0, 23]) {
          const stderr = (rule.errnos ?? []).map((e) => `rsync: [receiver] write "/x" failed: conformance (${e})\n`).join('')
          const c = classify({code, stderr}, all)
          expect(CLASSES).toContain(c.class)
          expect(Number.isInteger(c.exitCode)).toBe(true)
        }
      }
    })

    it('a code rule decides its codes unless a later rule of the same plugin does', async () => {
      const {rules} = await create()
      rules.forEach((rule, i) => {
        if (rule.errnos !== undefined || rule.signal !== undefined || rule.codes === undefined) return
        for (const code of rule.codes) {
          const later = rules.slice(i + 1).some((r) => r.codes === undefined || r.codes.includes(code))
          if (later) continue
          expect(classify({code, stderr: ''}, [...SEED_RULES, ...rules]).rule).toBe(rule.id)
        }
      })
    })
  })
}
