/** The run summary a textfile is rendered from. */
export interface RunMetrics {
  filesTransferred: number
  filesTotal: number
  bytes: number
  attempts: number
  /** undefined until the run has ended */
  exitCode: number | undefined
  durationSeconds: number
  endedAtSeconds: number
}

interface MetricDef {
  name: string
  type: 'gauge' | 'counter'
  help: string
  value: (m: RunMetrics) => number | undefined
}

const METRICS: readonly MetricDef[] = [
  {name: 'transporter_files_transferred', type: 'gauge', help: 'Files transferred by the last run.', value: (m) => m.filesTransferred},
  {name: 'transporter_files_total', type: 'gauge', help: 'Files rsync considered in the last run.', value: (m) => m.filesTotal},
  {name: 'transporter_bytes_transferred', type: 'gauge', help: 'Bytes transferred by the last run.', value: (m) => m.bytes},
  {name: 'transporter_attempts_total', type: 'counter', help: 'rsync attempts made by the last run, uncounted retries included.', value: (m) => m.attempts},
  {name: 'transporter_last_exit_code', type: 'gauge', help: 'Exit code of the last run (0 = success).', value: (m) => m.exitCode},
  {name: 'transporter_duration_seconds', type: 'gauge', help: 'Duration of the last run in seconds.', value: (m) => m.durationSeconds},
  {name: 'transporter_last_run_timestamp_seconds', type: 'gauge', help: 'When the last run ended, in seconds since the epoch.', value: (m) => m.endedAtSeconds},
  {
    name: 'transporter_success',
    type: 'gauge',
    help: '1 when the last run succeeded, 0 otherwise.',
    value: (m) => (m.exitCode === undefined ? undefined : m.exitCode === 0 ? 1 : 0),
  },
]

/** Prometheus text exposition format, label values escaped as the format requires. */
export function renderMetrics(metrics: RunMetrics, labels: Readonly<Record<string, string>>): string {
  const labelText = Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join(',')
  let out = ''
  for (const def of METRICS) {
    const value = def.value(metrics)
    if (value === undefined) continue
    out += `# HELP ${def.name} ${def.help}\n# TYPE ${def.name} ${def.type}\n${def.name}{${labelText}} ${value}\n`
  }
  return out
}
