/**
 * What bin/run.js needs before it knows which command runs, bundled with its
 * imports into dist/fast/start.cjs (scripts/bundle.mjs): the explain-exit
 * answer, the argv rewrite, the rendering of a Go-style usage error, the
 * help cache, and the copy path without oclif: one file for a copy to load.
 */
import {jsonRequested} from './json-mode.js'
import {renderFailure, usage, type Rendered} from './render.js'

export {rewriteArgv} from './argv.js'
export {explainExitFast} from './explain-fast.js'
export {fastCopy} from './fast-copy.js'
export {cachedHelp, captureWrites, isHelpRequest, storeHelp} from './help-cache.js'
export {writeHookCache} from './hook-cache.js'

/** Go-style usage errors exit 22 like every other usage error (Go's flag package used 2), text or the outcome object under -json. */
export function goUsageFailure(message: string, argv: readonly string[]): Rendered {
  return renderFailure(usage(message, 'copy'), {json: jsonRequested(argv, process.env)})
}
