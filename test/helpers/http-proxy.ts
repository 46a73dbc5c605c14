import {createServer, request, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

export interface ForwardingProxy {
  /** http://127.0.0.1:PORT, for http_proxy */
  url: string
  /** the absolute-URI request lines it received */
  seen: Array<{url: string; headers: IncomingHttpHeaders}>
  close(): Promise<void>
}

/**
 * A real forwarding HTTP proxy on 127.0.0.1: every absolute-URI request goes
 * to `upstreamPort` on 127.0.0.1 whatever host it names (so a test can use a
 * name no resolver knows and nothing leaves the machine), headers and bodies
 * streamed both ways.
 */
export async function startForwardingProxy(upstreamPort: number): Promise<ForwardingProxy> {
  const seen: ForwardingProxy['seen'] = []
  const server: Server = createServer((req, res) => {
    seen.push({url: req.url ?? '', headers: req.headers})
    const target = new URL(req.url ?? '/')
    const upstream = request(
      {host: '127.0.0.1', port: upstreamPort, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers},
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    // the client hanging up ends the upstream exchange too
    res.on('close', () => upstream.destroy())
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
