import type {Logger} from 'transporter/plugin-api'

type Undici = typeof import('undici')

/** How the poster reaches the receiver; proxy variables come from the run's environment. */
export interface PosterOptions {
  url: string
  timeoutMs: number
  env: Readonly<Record<string, string | undefined>>
  log: Logger
}

interface Client {
  request: Undici['request']
  dispatcher: InstanceType<Undici['EnvHttpProxyAgent']>
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
 * POSTs JSON bodies to one URL. undici is imported on the first POST only:
 * it costs ~170 ms to load, and most runs send nothing. Failures are logged
 * once per kind (refused, timeout, status 500, ...), never thrown.
 */
export class ReportPoster {
  readonly #opts: PosterOptions
  readonly #stop = new AbortController()
  readonly #logged = new Set<string>()
  #client: Promise<Client> | undefined

  constructor(opts: PosterOptions) {
    this.#opts = opts
  }

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
    const timeout = AbortSignal.timeout(this.#opts.timeoutMs)
    try {
      const {request, dispatcher} = await this.#load()
      const res = await request(this.#opts.url, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body,
        dispatcher,
        signal: AbortSignal.any([this.#stop.signal, timeout]),
      })
      await res.body.dump()
      if (res.statusCode >= 200 && res.statusCode < 300) return true
      this.#warn(`status ${res.statusCode}`, `report POST to ${this.#opts.url} answered ${res.statusCode}`)
    } catch (err) {
      // abandoned at the exit deadline: the reporter says so once, in flush()
      if (this.#stop.signal.aborted) return false
      const f = describe(err, timeout.aborted, this.#opts.timeoutMs)
      this.#warn(f.kind, `report POST to ${this.#opts.url} failed: ${f.text}`)
    }
    return false
  }

  #warn(kind: string, line: string): void {
    if (this.#logged.has(kind)) return
    this.#logged.add(kind)
    this.#opts.log.warn(`${line} (further failures of this kind are not logged)`)
  }

  #load(): Promise<Client> {
    this.#client ??= import('undici').then((undici) => ({
      request: undici.request,
      // Like Go's http.Transport: plain-http requests go to an http proxy as
      // absolute-URI requests (no CONNECT tunnel), https ones are tunnelled.
      dispatcher: new undici.EnvHttpProxyAgent({
        httpProxy: pick(this.#opts.env, 'http_proxy'),
        httpsProxy: pick(this.#opts.env, 'https_proxy'),
        noProxy: `${pick(this.#opts.env, 'no_proxy')},${LOOPBACK}`,
        proxyTunnel: false,
      }),
    }))
    return this.#client
  }
}
