#!/usr/bin/env node
// The compile cache (Node >= 22.1) makes every start after the first cheaper; absent on Node 20.
import * as nodeModule from 'node:module'
try {
  nodeModule.enableCompileCache?.()
} catch {
  // an older Node without the cache: start as usual
}

if (process.argv[2] === 'explain-exit') {
  const {explainExitFast} = await import('../dist/cli/explain-fast.js')
  const text = explainExitFast(process.argv.slice(2))
  if (text !== undefined) {
    process.stdout.write(text)
    process.exit(0)
  }
}

const {rewriteArgv} = await import('../dist/cli/argv.js')
const rewritten = rewriteArgv(process.argv.slice(2), process.cwd())
if ('error' in rewritten) {
  // Go-style usage errors exit 22 like every other usage error (Go's flag package used 2),
  // rendered by the one renderer: text, or the outcome object under -json.
  const [{renderFailure, usage}, {jsonRequested}] = await Promise.all([import('../dist/cli/render.js'), import('../dist/cli/json-mode.js')])
  const out = renderFailure(usage(rewritten.error, 'copy'), {json: jsonRequested(process.argv.slice(2), process.env)})
  process.stdout.write(out.stdout)
  process.stderr.write(out.stderr)
  process.exit(out.exitCode)
}

const {execute} = await import('@oclif/core')
await execute({args: rewritten.argv, dir: import.meta.url})
// A plugin hook may still be pending or hold the event loop; the work is done.
process.exit(process.exitCode ?? 0)
