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

const oclif = await import('@oclif/core')
try {
  await oclif.run(rewritten.argv, import.meta.url)
  await oclif.flush()
} catch (error) {
  // an unknown command or help topic is a usage error (22) with a suggestion, not oclif's 255
  const [{notFoundError}, {renderFailure}, {jsonRequested}] = await Promise.all([
    import('../dist/cli/not-found.js'),
    import('../dist/cli/render.js'),
    import('../dist/cli/json-mode.js'),
  ])
  const unknown = notFoundError(error, await oclif.Config.load(import.meta.url))
  if (unknown === undefined) await oclif.handle(error)
  else {
    const out = renderFailure(unknown, {json: jsonRequested(rewritten.argv, process.env)})
    process.stdout.write(out.stdout)
    process.stderr.write(out.stderr)
    process.exitCode = out.exitCode
  }
}
// A plugin hook may still be pending or hold the event loop; the work is done.
process.exit(process.exitCode ?? 0)
