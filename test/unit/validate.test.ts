/** Validation steps 2–4 of spec §3, in process and in their order. */
import {describe, expect, test} from 'vitest'
import {MSG_MISS_PARTNER, MSG_REPORT_ADDR, MSG_SRC_OR_DEST} from '../../src/core/codes/messages.js'
import {checkReportAddr, validateRunInput, type ValidationInput} from '../../src/core/run/validate.js'
import {thrown} from '../helpers/thrown.js'

const OK: ValidationInput = {src: '/src/', dest: '/dest', progress: false, stderr: false}

const refusal = (input: Partial<ValidationInput>) => thrown(() => validateRunInput({...OK, ...input}))

describe('validateRunInput', () => {
  test.each<[string, Partial<ValidationInput>]>([
    ['absolute paths', {}],
    ['unicode and spaces', {src: '/dir ünï 日本/', dest: '/--dést with spaces'}],
    ['progress with an http address', {progress: true, reportAddr: 'http://127.0.0.1:9/r'}],
    ['stderr with an https address', {stderr: true, reportAddr: 'https://api.example/report'}],
    ['an address without progress or stderr', {reportAddr: 'http://user:secret@host/'}],
  ])('accepts %s', (_, input) => {
    expect(refusal(input)).toBeUndefined()
  })

  test.each<[string, Partial<ValidationInput>, string]>([
    ['empty src', {src: ''}, MSG_SRC_OR_DEST],
    ['missing dest', {dest: undefined}, MSG_SRC_OR_DEST],
    ['relative src', {src: 'src'}, MSG_SRC_OR_DEST],
    ['relative dest', {dest: './dest'}, MSG_SRC_OR_DEST],
    ['a leading dash', {src: '-rf'}, MSG_SRC_OR_DEST],
    ['rsync:// src', {src: 'rsync://host/mod/'}, 'remote endpoints (rsync://, host:path) are not supported yet'],
    ['host:path dest', {dest: 'host:/data'}, 'remote endpoints'],
    ['host::module dest', {dest: 'host::mod'}, 'remote endpoints'],
    ['user@host:path dest', {dest: 'me@host:/data'}, 'remote endpoints'],
    ['dot-relative src', {src: './src'}, MSG_SRC_OR_DEST],
    ['a newline in src', {src: '/a\nb'}, 'src path contains a control character'],
    ['a tab in dest', {dest: '/a\tb'}, 'dest path contains a control character'],
    ['progress without an address', {progress: true}, `${MSG_MISS_PARTNER}: --progress needs --report-addr`],
    ['stderr without an address', {stderr: true}, `${MSG_MISS_PARTNER}: --stderr needs --report-addr`],
    ['a progress and stderr without an address: progress first', {progress: true, stderr: true}, '--progress needs --report-addr'],
    ['a non-http address', {progress: true, reportAddr: 'ftp://host/'}, MSG_REPORT_ADDR],
    ['an address without a host', {reportAddr: 'http://'}, MSG_REPORT_ADDR],
    ['not a URL', {reportAddr: 'api:8080/report'}, MSG_REPORT_ADDR],
    // paths before partners before the address (spec §3 order)
    ['relative src and progress without an address: the path first', {src: 'x', progress: true}, MSG_SRC_OR_DEST],
    ['relative dest and a bad address: the path first', {dest: 'rel', progress: true, reportAddr: 'ftp://x'}, MSG_SRC_OR_DEST],
    ['a remote src and a relative dest: the remote message first', {src: 'host:/a', dest: 'rel'}, 'remote endpoints'],
    ['progress without an address and a bad address cannot both be: the partner first', {progress: true, reportAddr: ''}, '--progress needs --report-addr'],
  ])('refuses %s with 22', (_, input, message) => {
    const e = refusal(input)
    expect(e?.exitCode).toBe(22)
    expect(e?.message).toContain(message)
  })

  test('the message names both paths as given', () => {
    expect(refusal({src: 'rel', dest: '/d'})?.message).toBe(`${MSG_SRC_OR_DEST} (src="rel", dest="/d")`)
  })

  test('a refused address has its credentials redacted', () => {
    const message = thrown(() => checkReportAddr('ftp://user:hunter2@host/'))?.message
    expect(message).toContain(MSG_REPORT_ADDR)
    expect(message).not.toContain('hunter2')
  })
})
