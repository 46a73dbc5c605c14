import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import type {CopyClass} from '../../src/plugin-api.js'

export interface SpecRow {
  code: number
  cls: CopyClass
  exit: number
}

const rows = (codes: number[], cls: CopyClass, exit: number): SpecRow[] => codes.map((code) => ({code, cls, exit}))

/** Every row of spec §6's base table, plus codes it does not list ("anything else"). */
export const SPEC_TABLE: SpecRow[] = [
  ...rows([0], 'ok', 0),
  ...rows([1, 4], 'usage', 22),
  ...rows([3], 'fatal', 2),
  ...rows([2, 5], 'fatal', 255),
  ...rows([10, 11, 12, 13], 'retryable', 5),
  ...rows([23], 'partial', 13),
  // 24: retried uncounted by the policy, then a success with a warning
  ...rows([24], 'vanished', 0),
  ...rows([14, 15, 16, 19, 20, 21, 22, 25, 30, 35, 124, 125, 126, 127, -10, -11, -12], 'retryable', 255),
  ...rows([6, 7, 99, 128, 255, -1, -5], 'retryable', 255),
]

/** transporter's exit codes and their names (spec §2), plus the signals it handles. */
export const EXIT_NAMES: Array<[number, string]> = [
  [0, 'Succeed'],
  [2, 'ErrNoSuchFileOrDir'],
  [5, 'ErrIOError'],
  [13, 'ErrPermissionDenied'],
  [16, 'ErrDeviceIsBusy'],
  [22, 'ErrInvalidArgument'],
  [28, 'ErrNoSpaceLeftOnDevice'],
  [30, 'ErrFileSystemIsReadOnly'],
  [36, 'ErrFileNameTooLong'],
  [255, 'ErrSystem'],
]

export const SIGNAL_EXIT_NAMES: Array<[number, string]> = [
  [129, 'StoppedBySIGHUP'],
  [130, 'StoppedBySIGINT'],
  [143, 'StoppedBySIGTERM'],
]

export const SAMPLES_DIR = fileURLToPath(new URL('../fixtures/rsync-stderr/', import.meta.url))

export interface Sample {
  file: string
  path: string
  /** the exit code rsync really returned */
  code: number
  situation: string
  stderr: string
  expect: {class: CopyClass; exitCode: number; errno: number | undefined}
}

// What each real situation must turn into (spec §6 errno table).
const EXPECT: Record<string, Sample['expect']> = {
  'source-missing.txt': {class: 'retryable', exitCode: 2, errno: 2},
  'dest-parent-missing.txt': {class: 'retryable', exitCode: 2, errno: 2},
  'readonly-new-dir.txt': {class: 'fatal', exitCode: 30, errno: 30},
  'readonly-existing-dir.txt': {class: 'fatal', exitCode: 30, errno: 30},
  'no-space.txt': {class: 'fatal', exitCode: 28, errno: 28},
  'permission-new-dir.txt': {class: 'fatal', exitCode: 13, errno: 13},
  'permission-existing-dir.txt': {class: 'fatal', exitCode: 13, errno: 13},
  'unreadable-source.txt': {class: 'fatal', exitCode: 13, errno: 13},
  'name-too-long.txt': {class: 'fatal', exitCode: 36, errno: 36},
  'unknown-option.txt': {class: 'usage', exitCode: 22, errno: undefined},
}

/** The real rsync stderr samples recorded by fixtures/rsync-stderr/collect.sh. */
export function loadSamples(): Sample[] {
  const index = JSON.parse(readFileSync(`${SAMPLES_DIR}index.json`, 'utf8')) as {
    samples: Array<{file: string; code: number; situation: string}>
  }
  return index.samples.map((s) => {
    const expect = EXPECT[s.file]
    if (expect === undefined) throw new Error(`no expectation for sample ${s.file}`)
    const path = `${SAMPLES_DIR}${s.file}`
    return {...s, path, stderr: readFileSync(path, 'utf8'), expect}
  })
}
