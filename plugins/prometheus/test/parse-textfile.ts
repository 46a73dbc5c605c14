/** A small parser for the Prometheus text format, enough to check what the reporter wrote. */
export interface Sample {
  labels: Record<string, string>
  value: number
}

export interface Textfile {
  help: Map<string, string>
  type: Map<string, string>
  samples: Map<string, Sample>
}

export function parseTextfile(text: string): Textfile {
  const out: Textfile = {help: new Map(), type: new Map(), samples: new Map()}
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (meta) {
      out[meta[1] === 'HELP' ? 'help' : 'type'].set(meta[2]!, meta[3]!)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$/.exec(line)
    if (!sample) throw new Error(`not a sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const m of sample[2]!.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))
    }
    out.samples.set(sample[1]!, {labels, value: Number(sample[3])})
  }
  return out
}

/** Sample values by metric name, for one toMatchObject. */
export function valuesOf(textfile: Textfile): Record<string, number> {
  return Object.fromEntries([...textfile.samples].map(([name, sample]) => [name, sample.value]))
}
