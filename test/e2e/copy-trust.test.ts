import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {createServer} from 'node:net'
import {chmodSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {BIN} from '../helpers/run-cli.js'
import {createScratch, runCopy, writeConfig} from './copy-helpers.js'

const scratch = createScratch()
afterAll(() => scratch.dispose())

const PASSWORD = 'pa55w0rd'
const TOKEN = 't0k3n'

/** `http://alice:pa55w0rd@host/report?token=t0k3n` for a capture server's URL. */
function withSecrets(url: string): string {
  const u = new URL(url)
  u.username = 'alice'
  u.password = PASSWORD
  u.search = `?token=${TOKEN}`
  return u.href
}

function expectNoSecret(output: string): void {
  expect(output).not.toContain(PASSWORD)
  expect(output).not.toContain(TOKEN)
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const {port} = srv.address() as {port: number}
  await new Promise((resolve) => srv.close(resolve))
  return port
}

describe('secrets in the report URL never leave the process (spec §8.3)', () => {
  it.concurrent.each([
    ['a refused connection', async () => `http://127.0.0.1:${await closedPort()}/report`, /failed: .*ECONNREFUSED/],
    ['a 500 answer', async () => (await scratch.server({status: 500})).url, /answered 500/],
    ['a 301 answer', async () => (await scratch.server({status: 301})).url, /answered 301/],
  ] as const)('the warning about %s shows the URL redacted', async (_what, receiver, warning) => {
    const ws = scratch.workspace()
    const url = withSecrets(await receiver())
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', url], ws)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(warning)
    expect(r.stderr).toContain(`http://alice:***@127.0.0.1:`)
    expect(r.stderr).toContain('/report?***')
    expectNoSecret(r.stdout + r.stderr)
  })

  it('the exit-deadline warning about a hung receiver shows the URL redacted', async () => {
    const ws = scratch.workspace()
    const srv = await scratch.server({delayMs: 60_000})
    writeConfig(ws, 'reports: {flushBudgetMs: 300}\n')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', withSecrets(srv.url)], ws)
    expect(r.code).toBe(0)
    expect(r.stderr, r.stderr).toMatch(/report delivery to http:\/\/alice:\*\*\*@127\.0\.0\.1:\d+\/report\?\*\*\* abandoned at the exit deadline/)
    expectNoSecret(r.stdout + r.stderr)
  })

  it('the receiver still gets the credentials, as a Basic header, and the query', async () => {
    const ws = scratch.workspace()
    const srv = await scratch.server()
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress'], ws, {env: {TRANSPORTER_REPORT_ADDR: withSecrets(srv.url)}})
    expect(r.code).toBe(0)
    expect(srv.requests.length).toBeGreaterThan(0)
    for (const req of srv.requests) {
      expect(req.url).toBe(`/report?token=${TOKEN}`)
      expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`)
      expect(req.headers['user-agent']).toMatch(/^transporter\/\d+\.\d+\.\d+/)
    }
  })

  it.concurrent.each([
    ['text', [] as string[]],
    ['--json', ['--json']],
  ])('a malformed report URL is refused with 22, redacted (%s)', async (_how, extra) => {
    const ws = scratch.workspace()
    const bad = `http://alice:${PASSWORD}@[::1/report?token=${TOKEN}`
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', bad, ...extra], ws)
    expect(r.code).toBe(22)
    const shown = extra.length > 0 ? (JSON.parse(r.stdout) as {error: {message: string}}).error.message : r.stderr
    expect(shown).toContain('report addr is unavailable: "http://***"')
    expectNoSecret(r.stdout + r.stderr)
  })

  it('the TTY bar and every line on a terminal stay free of secrets', async () => {
    const ws = scratch.workspace()
    const srv = await scratch.server({status: 500})
    const url = withSecrets(srv.url)
    // script(1) gives the run a pseudo-terminal, as an operator's shell would
    const command = [process.execPath, BIN, 'copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress', '--report-addr', url]
    // asynchronously: the capture server answering the reports lives in this process
    const {stdout: transcript} = await promisify(execFile)('script', ['-qec', command.map((a) => `'${a}'`).join(' '), '/dev/null'], {
      cwd: ws.cwd,
      encoding: 'utf8',
      env: {...process.env, NODE_EXTRA_CA_CERTS: '', XDG_CONFIG_HOME: join(ws.root, 'xdg-config')},
      timeout: 30_000,
    })
    expect(transcript).toContain('answered 500')
    expect(transcript).toMatch(/100% \| \d+\/\d+ files/)
    expectNoSecret(transcript)
  })

  it('rsync runs without any TRANSPORTER_* variable in its environment', async () => {
    const {ws, fake} = scratch.withFake([{exit: 0}])
    const srv = await scratch.server()
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--progress'], ws, {
      env: {...fake.env, TRANSPORTER_RSYNC_PATH: fake.path, TRANSPORTER_REPORT_ADDR: withSecrets(srv.url), TRANSPORTER_QUIET: '0'},
    })
    expect(r.code).toBe(0)
    const [call] = fake.invocations()
    expect(call?.environ.some((v) => v.startsWith('PATH='))).toBe(true)
    expect(call?.environ.filter((v) => v.startsWith('TRANSPORTER_'))).toEqual([])
    expect(call?.environ.join('\n')).not.toContain(PASSWORD)
  })
})

describe('the config a run uses is said, and an unsafe one is refused (spec §7)', () => {
  it('logs config: none, and --json carries config: null', async () => {
    const ws = scratch.workspace()
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--json'], ws)
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/ INFO {2}config: none\n/)
    expect(JSON.parse(r.stdout)).toMatchObject({config: null, exitCode: 0})
  })

  it('logs the file it loaded, and --json names it', async () => {
    const ws = scratch.workspace()
    writeConfig(ws, 'retry: default\n')
    const file = join(ws.cwd, '.transporterrc.yaml')
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest, '--json'], ws)
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(` INFO  config: ${file}\n`)
    expect(JSON.parse(r.stdout)).toMatchObject({config: file})
  })

  it('a world-writable config in the cwd stops the run with 22 before anything is copied', async () => {
    const ws = scratch.workspace()
    writeConfig(ws, 'retry: default\n')
    const file = join(ws.cwd, '.transporterrc.yaml')
    chmodSync(file, 0o666)
    const r = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws)
    expect(r.code).toBe(22)
    expect(r.stderr).toContain(`Error: config ${file}: refused: the file is writable by group and others (mode 0666)`)
    expect(existsSync(ws.dest)).toBe(false)
    const allowed = await runCopy(['copy', '--src', `${ws.src}/`, '--dest', ws.dest], ws, {env: {TRANSPORTER_INSECURE_CONFIG: '1'}})
    expect(allowed.code).toBe(0)
  })
})
