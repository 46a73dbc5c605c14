import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

// The e2e tests run the built CLI; build once before any test file starts.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  if (process.env.TRANSPORTER_SKIP_BUILD === '1' && existsSync(`${root}/dist`)) return
  execFileSync('npm', ['run', '--silent', 'build'], {cwd: root, stdio: 'inherit'})
}
