import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

// The e2e tests run the built CLI; build once before any test file starts.
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url))
  // The example plugin builds on its own: its devDependencies (transporter itself,
  // linked, for the types and transporter/testing) live in its own node_modules.
  const prometheus = `${root}/plugins/prometheus`
  if (!existsSync(`${prometheus}/node_modules/transporter`)) {
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {cwd: prometheus, stdio: 'inherit'})
  }
  if (process.env.TRANSPORTER_SKIP_BUILD === '1' && existsSync(`${root}/dist`)) return
  execFileSync('npm', ['run', '--silent', 'build'], {cwd: root, stdio: 'inherit'})
}
