/**
 * docs/plugins.md works when followed literally outside the repo (spec §15):
 * its walkthrough's `sh` blocks run in order in an empty temp dir, its
 * `file=…` blocks are written where it says, with transporter installed from
 * the packed tarball; the `output=…` block must match what the copy wrote.
 * Only the npm registry is reached (for typescript, vitest and transporter's
 * own dependencies); oclif's and npm's homes are private.
 */
import {execFileSync, spawn} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/run-cli.js'

interface Block {
  lang: string
  attrs: Record<string, string>
  body: string
}

/** The fenced blocks of one `## ` section, in order. */
function sectionBlocks(markdown: string, heading: string): Block[] {
  const start = markdown.indexOf(`\n## ${heading}`)
  if (start < 0) throw new Error(`docs/plugins.md has no "## ${heading}" section`)
  const next = markdown.indexOf('\n## ', start + 1)
  const section = markdown.slice(start, next < 0 ? undefined : next)
  return [...section.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1] ?? '',
    attrs: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)=(\S+)/g)].map((a) => [a[1]!, a[2]!])),
    body: m[3] ?? '',
  }))
}

/** One bash script: sh blocks verbatim, file blocks as quoted heredocs relative to the current dir. */
function scriptOf(blocks: Block[], pwdFile: string): string {
  const lines = ['set -euo pipefail']
  for (const block of blocks) {
    if (block.attrs.file) {
      lines.push(`mkdir -p "$(dirname '${block.attrs.file}')"`, `cat > '${block.attrs.file}' <<'__DOC_BLOCK__'`, block.body + '__DOC_BLOCK__')
    } else if (block.lang === 'sh') {
      lines.push(block.body)
    }
  }
  lines.push(`pwd > '${pwdFile}'`)
  return lines.join('\n') + '\n'
}

function run(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{code: number | null; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], {cwd, env, stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({code, output})
    })
  })
}

const work = mkdtempSync(join(tmpdir(), 'transporter-plugin-docs-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('docs/plugins.md, followed literally', () => {
  it("from an empty directory to a linked plugin receiving a copy's events with real counts, its conformance suite green", async () => {
    const blocks = sectionBlocks(readFileSync(join(ROOT, 'docs/plugins.md'), 'utf8'), 'Walkthrough')
    const files = blocks.filter((b) => b.attrs.file)
    const outputs = blocks.filter((b) => b.attrs.output)
    expect(files.map((b) => b.attrs.file)).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'src/register.ts']))
    expect(blocks.filter((b) => b.lang === 'sh' && !b.attrs.file).length).toBeGreaterThanOrEqual(4)
    expect(outputs.length).toBeGreaterThanOrEqual(1)

    const env: NodeJS.ProcessEnv = {}
    // a user's shell, not this test's: no npm_*/VITEST* variables from the runner, no TRANSPORTER_* settings
    for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|VITEST|TRANSPORTER_)/i.test(k)) env[k] = v
    const npmCache = execFileSync('npm', ['config', 'get', 'cache'], {encoding: 'utf8'}).trim()
    // --ignore-scripts: the global set-up already built dist/ (prepack would rebuild it under other tests)
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {cwd: ROOT, env: {...env, npm_config_cache: npmCache}, stdio: 'pipe'})
    const tarball = readdirSync(work).find((f) => /^transporter-\d+\.\d+\.\d+\.tgz$/.test(f))!
    const home = join(work, 'home')
    const dir = join(work, 'empty')
    mkdirSync(home)
    mkdirSync(dir)
    Object.assign(env, {
      TRANSPORTER: join(work, tarball),
      HOME: home,
      XDG_DATA_HOME: join(home, '.local/share'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      // the machine's npm cache keeps the registry downloads fast; npm's config stays private
      npm_config_cache: npmCache,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    })
    const pwdFile = join(work, 'pwd')
    const script = join(work, 'walkthrough.sh')
    writeFileSync(script, scriptOf(blocks, pwdFile))

    const r = await run(script, dir, env)
    expect(r.code, r.output.slice(-6000)).toBe(0)
    // the conformance suite from transporter/testing ran and passed
    const ran = /jsonl-reporter\.test\.ts \((\d+) tests\)/.exec(r.output)
    expect(Number(ran?.[1] ?? 0), r.output.slice(-3000)).toBeGreaterThanOrEqual(5)
    expect(r.output).toMatch(/Tests\s+\d+ passed/)
    expect(r.output).not.toMatch(/\d+ failed/)

    const finalDir = readFileSync(pwdFile, 'utf8').trim()
    expect(relative(work, finalDir).startsWith('..')).toBe(false)
    // transporter came from the tarball, not from a link to this checkout
    expect(lstatSync(join(finalDir, 'node_modules/transporter')).isSymbolicLink()).toBe(false)
    for (const block of outputs) {
      expect(readFileSync(join(finalDir, block.attrs.output!), 'utf8'), block.attrs.output).toBe(block.body)
    }
  }, 300_000)
})
