import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {useFaultSandbox} from './helpers/fault-sandbox.js'
import {configDir, launch, rsyncProcesses} from './helpers/sandbox.js'
import {diffTrees, leftovers} from '../helpers/trees.js'

const {sb, server, reportsFor} = useFaultSandbox('input')

const EXIT_TABLE = [0, 2, 5, 13, 16, 22, 28, 30, 36, 255]

function noCrash(stderr: string): void {
  // a one-line error and a hint, never a Node stack trace
  expect(stderr).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m)
  expect(stderr).not.toMatch(/Unhandled|TypeError|RangeError/)
}

function cwd(name: string): string {
  return configDir(sb, name, 'reporters: [console, http]\n')
}

function simpleSource(name: string): string {
  const src = sb.mkdir(`src-${name}`)
  writeFileSync(`${src}/a.txt`, 'a')
  return src
}

describe('bad input', () => {
  it.each([
    ['newline in dest', '/dst\nx'],
    ['tab in dest', '/dst\tx'],
    ['escape in dest', '/dst\x1b[2Jx'],
    ['carriage return in dest', '/dst\rx'],
  ])('%s → 22 before anything runs (dest-dir not created)', async (_label, suffix) => {
    const src = simpleSource('ctl')
    const dest = `${sb.dir}${suffix}`
    const dir = cwd('ctl')
    const before = readdirSync(sb.dir).length
    const r = await launch(['-dest-dir', '-src', `${src}/`, '-dest', dest], {cwd: dir}).done
    expect(r.code, r.stderr).toBe(22)
    expect(r.stderr).toMatch(/control character/)
    expect(existsSync(dest)).toBe(false)
    expect(readdirSync(sb.dir).length).toBe(before)
    noCrash(r.stderr)
  })

  it('control character in src → 22', async () => {
    const r = await launch(['-src', `${sb.dir}/a\nb/`, '-dest', sb.path('never')], {cwd: cwd('ctlsrc')}).done
    expect(r.code, r.stderr).toBe(22)
    expect(existsSync(sb.path('never'))).toBe(false)
  })

  it('names with leading dashes, spaces, unicode and invalid UTF-8 bytes copy byte for byte and are reported', async () => {
    const src = sb.mkdir('src-names')
    const b = (s: string) => Buffer.from(`${src}/${s}`)
    writeFileSync(b('-rf'), '1')
    writeFileSync(b('--delete'), '2')
    writeFileSync(b('--rsh=sh -c id'), '3')
    writeFileSync(b(' leading and trailing space '), '4')
    writeFileSync(b('日本語 ü ñ 🚚.txt'), '5')
    mkdirSync(b('-dir with space'))
    writeFileSync(b('-dir with space/-x'), '6')
    // not valid UTF-8: 0xff 0xfe and a lone continuation byte
    writeFileSync(Buffer.concat([Buffer.from(`${src}/bad-`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.bin')]), '7')
    writeFileSync(b('<script>&amp;\u2028.txt'), '8')
    const dest = sb.path('dst-names')
    const r = await launch(['copy', '--json', '--progress', '--stderr', '--report-addr', `${server().url}/names`, '--src', `${src}/`, '--dest', dest], {
      cwd: cwd('names'),
    }).done
    expect(r.code, r.stderr).toBe(0)
    noCrash(r.stderr)
    expect(diffTrees(src, dest)).toEqual([])
    expect(leftovers(dest)).toEqual([])
    const out = JSON.parse(r.stdout) as {exitCode: number; filesTransferred: number}
    expect(out.exitCode).toBe(0)
    expect(out.filesTransferred).toBe(8)
    const reports = reportsFor('names')
    expect(reports.at(-1)).toMatchObject({current_count: 8, errcode: 0})
    // nothing with a leading dash was taken for an option: no file list printed, nothing deleted
    expect(existsSync(`${src}/-rf`)).toBe(true)
  })

  it.each(['ftp://host/r', 'http://', 'not a url', 'http//host/r', 'rsync://host/m', '://x', 'http://exa mple/'])(
    'report addr %j → 22, report addr is unavailable',
    async (addr) => {
      const src = simpleSource('url')
      const dest = sb.path('dst-url')
      const r = await launch(['-stderr', '-report-addr', addr, '-src', `${src}/`, '-dest', dest], {cwd: cwd('url')}).done
      expect(r.code, r.stderr).toBe(22)
      expect(r.stderr).toContain('report addr is unavailable')
      expect(existsSync(dest)).toBe(false)
    },
  )

  it.each([
    ['.transporterrc.yaml', 'reporters: [http\nrsync: {extraArgs: [}\n'],
    ['.transporterrc.json', '{"reporters": ["http",]'],
    ['.transporterrc.yaml', 'just a string\n'],
  ])('a broken config file %s → 22 naming the file, nothing copied', async (file, text) => {
    const dir = sb.mkdir(`cwd-badcfg-${file.replace(/\W/g, '')}-${text.length}`)
    writeFileSync(`${dir}/${file}`, text)
    const src = simpleSource('cfg')
    const dest = sb.path('dst-cfg')
    const r = await launch(['-src', `${src}/`, '-dest', dest], {cwd: dir}).done
    expect(r.code, r.stderr).toBe(22)
    expect(r.stderr).toContain(`${dir}/${file}`)
    expect(existsSync(dest)).toBe(false)
    noCrash(r.stderr)
  })

  it('a 100 KB src path → a mapped exit code (ENAMETOOLONG at the mount check: 255), no crash, no rsync started', async () => {
    const long = `${sb.dir}/${'s'.repeat(100 * 1024)}`
    const dest = sb.path('dst-long')
    const r = await launch(['-src', long, '-dest', dest], {cwd: cwd('long')}).done
    expect(r.code, r.stderr).toBe(255)
    expect(r.stderr).toMatch(/occur a error when check src or dest is mounted ,err: name too long/)
    expect(existsSync(dest)).toBe(false)
    noCrash(r.stderr)
  })

  it('a 100 KB dest path → 36 before rsync starts, no crash, nothing created', async () => {
    const src = simpleSource('longdest')
    const dest = `${sb.dir}/${'d'.repeat(100 * 1024)}`
    const r = await launch(['-src', `${src}/`, '-dest', dest], {cwd: cwd('longdest')}).done
    expect(EXIT_TABLE).toContain(r.code)
    expect(r.code, r.stderr).toBe(36)
    expect(r.stderr).toContain('longer than the system allows')
    noCrash(r.stderr)
    expect(readdirSync(sb.dir).some((n) => n.startsWith('ddd'))).toBe(false)
    expect(leftovers(sb.dir)).toEqual([])
    expect(rsyncProcesses(sb.dir)).toEqual([])
  })
})
