import type {GoFlagType} from './go-flags.js'

/**
 * Every `copy` flag with its Go type, shared by the legacy rewrite and the
 * environment lookup (`TRANSPORTER_<NAME>`). Import-free on purpose: it is
 * read on every start.
 */
export const COPY_FLAG_TYPES: Readonly<Record<string, GoFlagType>> = {
  src: 'string',
  dest: 'string',
  'dest-dir': 'bool',
  progress: 'bool',
  stderr: 'bool',
  'report-addr': 'string',
  'report-interval': 'int',
  config: 'string',
  json: 'bool',
  'dry-run': 'bool',
  retries: 'int',
  parallel: 'int',
  shard: 'string',
  verify: 'bool',
  quiet: 'bool',
  'progress-bar': 'bool',
  'rsync-path': 'string',
}

/** `report-addr` → `TRANSPORTER_REPORT_ADDR` */
export function envName(flag: string): string {
  return `TRANSPORTER_${flag.toUpperCase().replaceAll('-', '_')}`
}
