import {createServer, type IncomingMessage, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface CapturedRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: Buffer
  receivedAt: number
}

export interface CaptureServer {
  url: string
  requests: CapturedRequest[]
  /** bodies parsed as JSON */
  json(): Array<Record<string, unknown>>
  close(): Promise<void>
}

export interface CaptureOptions {
  /** status to answer with (default 200) */
  status?: number
  /** delay before answering, ms */
  delayMs?: number
  /** destroy the socket instead of answering */
  drop?: boolean
}

/** A real HTTP server on 127.0.0.1 that records every request. */
export async function startCaptureServer(options: CaptureOptions = {}): Promise<CaptureServer> {
  const requests: CapturedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks), receivedAt: Date.now()})
      if (options.drop) {
        req.socket.destroy()
        return
      }
      const answer = () => {
        res.statusCode = options.status ?? 200
        res.end('ok')
      }
      if (options.delayMs) setTimeout(answer, options.delayMs).unref()
      else answer()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/report`,
    requests,
    json: () => requests.map((r) => JSON.parse(r.body.toString('utf8')) as Record<string, unknown>),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
