#!/usr/bin/env node
// CommonJS (bin/package.json): a copy runs from dist/fast/*.cjs without ever
// starting Node's ES module loader, ~9 ms of a start-up budgeted at 60 ms
// (docs/adr/0012-copy-without-oclif.md). oclif and every other command are
// loaded with import() as before.
'use strict'
const {join} = require('node:path')

const ROOT = join(__dirname, '..')

// compiled once, then from V8's code cache (src/cli/code-cache.ts)
const bundle = require('../dist/fast/code-cache.cjs').requireWithCodeCache(join(ROOT, 'dist/fast/start.cjs'), process.env)

async function main() {
  const argv = process.argv.slice(2)
  const start = bundle.exports
  if (argv[0] === 'explain-exit') {
    const text = start.explainExitFast(argv)
    if (text !== undefined) {
      process.stdout.write(text)
      return 0
    }
  }

  const rewritten = start.rewriteArgv(argv, process.cwd())
  if ('error' in rewritten) {
    const out = start.goUsageFailure(rewritten.error, argv)
    process.stdout.write(out.stdout)
    process.stderr.write(out.stderr)
    return out.exitCode
  }

  if (rewritten.argv[0] === 'copy') {
    // the copy path without oclif, while the hook cache says which plugins to load
    const code = await start.fastCopy(rewritten.argv.slice(1), ROOT)
    if (code !== undefined) {
      // a copy has compiled what copies need: that is the code cache worth keeping
      bundle.save()
      return code
    }
  }

  const help = start.isHelpRequest(rewritten.argv)
  if (help) {
    // the text oclif rendered last time for this request and terminal, while no plugin changed
    const text = start.cachedHelp(rewritten.argv, ROOT, process.env, process.stdout)
    if (text !== undefined) {
      process.stdout.write(text)
      return 0
    }
  }

  const oclif = await import('@oclif/core')
  try {
    const capture = help ? start.captureWrites(process.stdout) : undefined
    await oclif.run(rewritten.argv, ROOT)
    await oclif.flush()
    const text = capture?.stop()
    if (text !== undefined && (process.exitCode ?? 0) === 0) {
      const config = await oclif.Config.load(ROOT)
      start.writeHookCache(config, process.env)
      start.storeHelp(config, rewritten.argv, text, process.env, process.stdout)
    }
  } catch (error) {
    // an unknown command or help topic is a usage error (22) with a suggestion, not oclif's 255
    const [{notFoundError}, {renderFailure}, {jsonRequested}] = await Promise.all([
      import('../dist/cli/not-found.js'),
      import('../dist/cli/render.js'),
      import('../dist/cli/json-mode.js'),
    ])
    const unknown = notFoundError(error, await oclif.Config.load(ROOT))
    if (unknown === undefined) await oclif.handle(error)
    else {
      const out = renderFailure(unknown, {json: jsonRequested(rewritten.argv, process.env)})
      process.stdout.write(out.stdout)
      process.stderr.write(out.stderr)
      process.exitCode = out.exitCode
    }
  }
  return process.exitCode ?? 0
}

// A plugin hook may still be pending or hold the event loop; the work is done.
main().then((code) => process.exit(code))
