import {describe, expect, test} from 'vitest'
import {splitUnsafeOption, wantsHardLinks} from '../../src/core/split/split-unsafe.js'

describe('splitUnsafeOption: what a split copy refuses, and why (the rest is checked in split-options.test.ts)', () => {
  test('names the first refused option, long or bundled short, with its reason', () => {
    expect(splitUnsafeOption(['--bwlimit=10', '--prune-empty-dirs'])).toEqual({arg: '--prune-empty-dirs', why: expect.stringContaining('prune')})
    // rsync's listing of the source applies these, so the parts are what a plain copy sees
    expect(splitUnsafeOption(['--exclude=*.tmp', '--filter=- x', '-zLx', '--copy-unsafe-links', '--one-file-system'])).toBeUndefined()
    expect(splitUnsafeOption(['-H', '--hard-links'])).toBeUndefined()
    expect(splitUnsafeOption(['--max-size=1k', '--min-size=1', '-S'])).toBeUndefined()
  })

  test('--delete with --parallel (one pass deletes), not with --shard; never with --backup-dir or --max-delete', () => {
    expect(splitUnsafeOption(['--delete-after'])).toBeUndefined()
    expect(splitUnsafeOption(['--delete'], {bypassesPermissions: true, shard: true})).toEqual({arg: '--delete', why: expect.stringContaining('another shard')})
    expect(splitUnsafeOption(['--delete', '--backup-dir=b'])).toEqual({arg: '--backup-dir=b', why: expect.stringContaining('backed up')})
    expect(splitUnsafeOption(['--backup-dir=b'])).toBeUndefined()
    expect(splitUnsafeOption(['--max-delete=3'])?.arg).toBe('--max-delete=3')
  })

  test('--no-perms only as non-root: root needs no writable directories while the workers run', () => {
    expect(splitUnsafeOption(['--no-perms'], {bypassesPermissions: true, shard: false})).toBeUndefined()
    expect(splitUnsafeOption(['--no-perms'], {bypassesPermissions: false, shard: false})).toEqual({arg: '--no-perms', why: expect.stringContaining('non-root')})
  })
})

test('wantsHardLinks reads -H alone, bundled and long', () => {
  expect(['-H', '-aH', '--hard-links'].map((a) => wantsHardLinks([a]))).toEqual([true, true, true])
  expect(wantsHardLinks(['--hash-me', '-z', '--filter=H x'])).toBe(false)
})
