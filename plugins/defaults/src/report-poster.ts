import type {Logger} from 'transporter/plugin-api'

type Undici = typeof import('undici')

/** How the poster reaches the receiver; proxy variables come from the run's environment. */
export interface PosterOptions {
  url: string
  timeoutMs: number
  /** `transporter/<version>` */
  userAgent: string
  env: Readonly<Record<string, string | undefined>>
  log: Logger
}

type Failure = {kind: string; text: string}

function pick(env: Readonly<Record<string, string | undefined>>, name: string): string {
  // lower case first, as undici does when it reads process.env itself
  return env[name.toLowerCase()] ?? env[name.toUpperCase()] ?? ''
}

/** Like Go's net/http, never send requests for the local machine through a proxy. */
const LOOPBACK = 'localhost,127.0.0.1,[::1]'

function errorCode(err: unknown): string | undefined {
  const e = err as {code?: unknown; cause?: {code?: unknown}}
  if (typeof e?.code === 'string') return e.code
  if (typeof e?.cause?.code === 'string') return e.cause.code
  return undefined
}

function describe(err: unknown, timedOut: boolean, timeoutMs: number): Failure {
  if (timedOut) return {kind: 'timeout', text: `no answer within ${timeoutMs} ms`}
  const code = errorCode(err)
  const message = err instanceof Error ? err.message : String(err)
  const text = code && !message.includes(code) ? `${message} (${code})` : message
  return {kind: code ?? message, text}
}

/**
 * POSTs JSON bodies to one URL: node:http(s) directly, or undici when a
 * proxy variable applies (loaded on the first POST only: ~170 ms, ~45 MB). Failures are logged
 * once per kind (refused, timeout, status 500, ...), never thrown.
 */
export class ReportPoster {
  readonly #opts: PosterOptions
  readonly #stop = new AbortController()
  readonly #logged = new Set<string>()
  #send: Promise<Send> | undefined

  constructor(opts: PosterOptions) {
    this.#opts = opts
    this.shownUrl = new URL(opts.url).href
  }

  /**
   * The URL as log lines show it: normalised, so it is one word that the
   * logger's redaction finds whole (a space in a password stays encoded).
   */
  readonly shownUrl: string

  /** Aborts every request in flight and every one after; used at the exit deadline. */
  abortAll(): void {
    this.#stop.abort()
  }

  get stopped(): AbortSignal {
    return this.#stop.signal
  }

  /** One POST; true when the receiver answered 2xx. */
  async post(body: string): Promise<boolean> {
    if (this.#stop.signal.aborted) return false
    let timeout: AbortSignal | undefined
    try {
      const send = await this.#load()
      // the clock starts once the transport is loaded: loading is not the receiver's fault
      timeout = AbortSignal.timeout(this.#opts.timeoutMs)
      const status = await send(body, AbortSignal.any([this.#stop.signal, timeout]))
      if (status >= 200 && status < 300) return true
      this.#warn(`status ${status}`, `report POST to ${this.shownUrl} answered ${status}`)
    } catch (err) {
      // abandoned at the exit deadline: the reporter says so once, in flush()
      if (this.#stop.signal.aborted) return false
      const f = describe(err, timeout?.aborted === true, this.#opts.timeoutMs)
      this.#warn(f.kind, `report POST to ${this.shownUrl} failed: ${f.text}`)
    }
    return false
  }

  #warn(kind: string, line: string): void {
    if (this.#logged.has(kind)) return
    this.#logged.add(kind)
    this.#opts.log.warn(`${line} (further failures of this kind are not logged)`)
  }

  #load(): Promise<Send> {
    const target = requestTarget(this.#opts.url, this.#opts.userAgent)
    this.#send ??= usesProxy(this.#opts.url, this.#opts.env) ? this.#viaUndici(target) : directSender(target)
    return this.#send
  }

  async #viaUndici(target: RequestTarget): Promise<Send> {
    const undici: Undici = await import('undici')
    // Like Go's http.Transport: plain-http requests go to an http proxy as
    // absolute-URI requests (no CONNECT tunnel), https ones are tunnelled.
    const dispatcher = new undici.EnvHttpProxyAgent({
      httpProxy: pick(this.#opts.env, 'http_proxy'),
      httpsProxy: pick(this.#opts.env, 'https_proxy'),
      noProxy: `${pick(this.#opts.env, 'no_proxy')},${LOOPBACK}`,
      proxyTunnel: false,
    })
    return async (body, signal) => {
      const res = await undici.request(target.url, {method: 'POST', headers: target.headers, body, dispatcher, signal})
      await res.body.dump({limit: MAX_RESPONSE_BYTES})
      return res.statusCode
    }
  }
}

/** POSTs `body` and resolves with the HTTP status. */
type Send = (body: string, signal: AbortSignal) => Promise<number>

/**
 * Whether a proxy variable applies to `url`. Only then is undici loaded: its
 * WebAssembly HTTP parser adds ~45 MB of RSS, which would break the 80 MB
 * budget for the common case of a receiver reached directly.
 */
export function usesProxy(url: string, env: Readonly<Record<string, string | undefined>>): boolean {
  const target = new URL(url)
  const proxy = pick(env, target.protocol === 'https:' ? 'https_proxy' : 'http_proxy')
  if (proxy === '') return false
  const host = target.hostname.replace(/^\[|\]$/g, '')
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host))
}

/** A receiver's answer is read this far and no further; what is left is dropped with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024

interface RequestTarget {
  /** the report URL without its credentials */
  url: URL
  headers: Record<string, string>
}

/**
 * Credentials in the URL become a Basic Authorization header, sent the same
 * way on both transports (undici would drop them from a proxied request).
 */
export function requestTarget(reportAddr: string, userAgent: string): RequestTarget {
  const url = new URL(reportAddr)
  const headers: Record<string, string> = {'content-type': 'application/json', 'user-agent': userAgent}
  if (url.username !== '' || url.password !== '') {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
    url.username = ''
    url.password = ''
  }
  return {url, headers}
}

/** node:http(s), for a receiver reached without a proxy. */
async function directSender(target: RequestTarget): Promise<Send> {
  const http = target.url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  return (body, signal) =>
    new Promise<number>((resolve, reject) => {
      const headers = {...target.headers, 'content-length': String(Buffer.byteLength(body))}
      const req = http.request(target.url, {method: 'POST', headers, signal}, (res) => {
        const status = res.statusCode ?? 0
        let read = 0
        res.on('data', (chunk: Buffer) => {
          read += chunk.length
          // a huge answer is no reason to keep reading: the status is all a report needs
          if (read > MAX_RESPONSE_BYTES) res.destroy()
        })
        res.on('end', () => resolve(status))
        res.on('close', () => resolve(status))
        res.on('error', () => resolve(status))
      })
      req.on('error', reject)
      req.end(body)
    })
}
