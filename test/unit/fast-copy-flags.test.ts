/**
 * The fast copy path reads the canonical argv itself (src/cli/fast-copy.ts):
 * for every argv it accepts it must give exactly what oclif's parser gives
 * the copy command, and it must hand everything else back to oclif.
 */
import {Parser} from '@oclif/core'
import {describe, expect, test} from 'vitest'
import {rewriteArgv} from '../../src/cli/argv.js'
import {canonicalCopyFlags} from '../../src/cli/fast-copy.js'
import {isHelpRequest} from '../../src/cli/help-cache.js'
import {boolFlag, copyOclifFlags} from '../../src/cli/oclif-flags.js'
import {COPY_OPTIONS} from '../../src/core/config/copy-options.js'

const FLAGS = {...copyOclifFlags(), json: boolFlag('json', COPY_OPTIONS.json)}

async function oclifFlags(argv: string[]): Promise<Record<string, unknown>> {
  const {flags} = await Parser.parse(argv, {flags: FLAGS, strict: true})
  // oclif also fills in absent flags as undefined
  return Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined))
}

/** What bin/run.js hands the fast path: the canonical form of what the user typed. */
function canonical(...typed: string[]): string[] {
  const rewritten = rewriteArgv(['copy', ...typed], '/')
  if (!('argv' in rewritten)) throw new Error(rewritten.error)
  return rewritten.argv.slice(1)
}

describe('canonicalCopyFlags equals oclif for what it accepts', () => {
  test.each<string[]>([
    ['--src', '/a/', '--dest', '/b'],
    ['-src', '/a', '-dest', '/b', '-progress', '-report-addr', 'http://u:p@h/r', '-report-interval', '0x10'],
    ['--src=/a', '--dest=/b', '--no-progress-bar', '--json', '-v', '--quiet=false'],
    ['--src', '/a', '--dest', '/b', '--exclude', '*.tmp', '--include', 'keep/**', '--filter', '- x', '--exclude=y'],
    ['--src', '/a', '--dest', '/b', '--parallel', '4', '--shard', '1/4', '--verify', '--retries', '2', '--log-level', 'debug'],
    ['--src', '-weird', '--dest', '/b=c', '--report-interval', '-1', '--bwlimit', '50m', '--dry-run', '--stderr', '--dest-dir'],
  ])('%j', async (...typed) => {
    const argv = canonical(...typed)
    const fast = canonicalCopyFlags(argv)
    expect(fast).toBeDefined()
    expect(fast).toEqual(await oclifFlags(argv))
  })

  test('list values keep their order (rsync applies the first filter rule that matches)', () => {
    expect(canonicalCopyFlags(canonical('--exclude', 'a', '--include', 'b', '--exclude', 'c'))?.filter).toEqual(['- a', '+ b', '- c'])
  })
})

describe('canonicalCopyFlags hands back to oclif', () => {
  test.each<[string, string[]]>([
    ['help', ['--help']],
    ['an unknown flag', ['--bogus']],
    ['a value oclif refuses', ['--log-level=loud']],
    ['an int oclif cannot read', ['--retries=1.5']],
    ['an empty value', ['--src=']],
    ['a bool with a value', ['--progress=true']],
    ['a negated non-bool', ['--no-src']],
    ['a repeated flag', ['--src=/a', '--src=/b']],
    ['a positional argument', ['/a']],
    ['a prototype key', ['--constructor=x']],
  ])('%s', (_what, argv) => {
    expect(canonicalCopyFlags(argv)).toBeUndefined()
  })
})

describe('isHelpRequest: what the help cache may answer', () => {
  test.each([[['--help']], [['copy', '--help']], [['help']], [['help', 'copy']], [['plugins', 'install', '--help']]])('%j', (argv) => {
    expect(isHelpRequest(argv)).toBe(true)
  })
  test.each([[[]], [['copy']], [['copy', '--src=/a', '--help']], [['explain-exit', '23', '--help']], [['--version']], [['help', '--json']]])(
    'not %j',
    (argv) => {
      expect(isHelpRequest(argv)).toBe(false)
    },
  )
})
