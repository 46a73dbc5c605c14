#!/usr/bin/env node
// A local receiver for transporter's reports: prints every POST it gets.
// Usage: node examples/report-receiver.mjs [port-file]   (listens on 127.0.0.1, a free port)
import {createServer} from 'node:http'
import {writeFileSync} from 'node:fs'

const server = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8')
    let kind = 'report'
    try {
      const r = JSON.parse(body)
      kind = r.errcode !== 0 || r.message !== '' ? 'error report' : 'progress'
    } catch {
      // not JSON: print it as it came
    }
    process.stdout.write(`receiver: ${req.method} ${req.url} ${kind} ${body}\n`)
    res.end('ok')
  })
})
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}/report`
  if (process.argv[2]) writeFileSync(process.argv[2], url)
  process.stdout.write(`receiver: listening on ${url}\n`)
})
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => server.close(() => process.exit(0)))
