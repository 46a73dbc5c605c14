import {spawn, type ChildProcess} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {ROOT} from './run-cli.js'

const VERDACCIO = join(ROOT, 'node_modules/verdaccio/bin/verdaccio')

/**
 * A private npm registry on 127.0.0.1 (verdaccio without uplinks, storage in
 * `dir`), as teams run one to distribute plugins. `npmEnv` points npm at it
 * and nowhere else: a dead proxy for everything but 127.0.0.1, so a request
 * meant for the public registry fails instead of leaving the machine.
 */
export interface Registry {
  url: string
  npmEnv: Record<string, string>
  /** `npm publish` of a built package directory (its prepack already ran) */
  publish(packageDir: string): Promise<void>
  close(): Promise<void>
}

export async function startRegistry(dir: string): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), {recursive: true})
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      `  htpasswd: {file: ${JSON.stringify(join(dir, 'htpasswd'))}}`,
      'uplinks: {}',
      'packages:',
      "  '**': {access: $all, publish: $authenticated, unpublish: $authenticated}",
      'web: {enable: false}',
      'log: {type: stdout, format: json, level: error}',
      '',
    ].join('\n'),
  )
  let lastError: Error | undefined
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    const child = spawn(process.execPath, [VERDACCIO, '--config', config, '--listen', `127.0.0.1:${port}`], {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d))
    const url = `http://127.0.0.1:${port}/`
    try {
      await waitForPing(url, child, () => output)
      return await ready(dir, url, child)
    } catch (error) {
      lastError = error as Error
      await stop(child)
    }
  }
  throw lastError ?? new Error('verdaccio did not start')
}

async function ready(dir: string, url: string, child: ChildProcess): Promise<Registry> {
  const res = await fetch(`${url}-/user/org.couchdb.user:ci`, {
    method: 'PUT',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({name: 'ci', password: 'ci-password-1'}),
  })
  const body = (await res.json()) as {token?: string}
  if (!res.ok || !body.token) throw new Error(`verdaccio refused the user: ${res.status} ${JSON.stringify(body)}`)
  const host = new URL(url).host
  const userconfig = join(dir, 'npmrc')
  writeFileSync(userconfig, `registry=${url}\n//${host}/:_authToken=${body.token}\n`)
  const npmEnv = {
    npm_config_userconfig: userconfig,
    npm_config_registry: url,
    npm_config_proxy: 'http://127.0.0.1:9',
    npm_config_https_proxy: 'http://127.0.0.1:9',
    npm_config_noproxy: '127.0.0.1',
    npm_config_fetch_retries: '0',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_cache: join(dir, 'npm-cache'),
  }
  return {
    url,
    npmEnv,
    publish: (packageDir) => npm(['publish', '--ignore-scripts'], packageDir, npmEnv),
    close: () => stop(child),
  }
}

function npm(args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {cwd, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (${code}): ${output}`))))
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`verdaccio exited: ${output()}`)
    try {
      const res = await fetch(`${url}-/ping`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within 30 s: ${output()}`)
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000)
    child.once('close', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}
