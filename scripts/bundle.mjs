// Bundles what a copy loads into CommonJS files, so a copy starts like a small
// program: no ES module loader, a few files read instead of ~80 modules
// (spec §11; docs/adr/0012-copy-without-oclif.md).
// - dist/fast/start.cjs: what bin/run.js needs on every start (explain-exit,
//   the argv rewrite, a Go-style usage error, the help cache) and the copy
//   path without oclif (src/cli/fast-copy.ts), in one file;
// - dist/fast/code-cache.cjs: what loads start.cjs through V8's code cache;
// - plugins/defaults/dist/register.cjs: the default plugin's register hook
//   (its package.json names it), one file instead of sixteen modules.
// npm packages stay outside: zod, cosmiconfig, undici and cli-progress are
// required only when a config file, a proxy or a terminal bar needs them.
import {readFileSync, rmSync} from 'node:fs'
import {build} from 'esbuild'

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  // whitespace and syntax only: identifiers stay, so a TRANSPORTER_DEBUG stack trace still names functions
  minifyWhitespace: true,
  minifySyntax: true,
}

// start.cjs runs from V8's code cache, where Node 20 loses a script's dynamic-import
// callback: its import() of code outside the bundle lives in a file of its own
const importOutside = {
  name: 'import-outside',
  setup(b) {
    b.onResolve({filter: /\/import-module\.js$/}, () => ({path: './import.cjs', external: true}))
  },
}

rmSync('dist/fast', {recursive: true, force: true})
await build({...common, entryPoints: {start: 'dist/cli/start.js'}, outdir: 'dist/fast', outExtension: {'.js': '.cjs'}, plugins: [importOutside]})
await build({
  ...common,
  entryPoints: {'code-cache': 'dist/cli/code-cache.js', import: 'dist/core/import-module.js'},
  outdir: 'dist/fast',
  outExtension: {'.js': '.cjs'},
})
await build({...common, entryPoints: ['plugins/defaults/dist/register.js'], outfile: 'plugins/defaults/dist/register.cjs'})

// start.cjs is compiled from V8's code cache, where an import() expression fails at run time
// (no dynamic-import callback): every import() of outside code must go through dist/fast/import.cjs.
const start = readFileSync('dist/fast/start.cjs', 'utf8')
if (/\bimport\(/.test(start)) throw new Error('dist/fast/start.cjs has an import() expression; import outside code through src/core/import-module.ts')
