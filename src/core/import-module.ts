/**
 * `import()` from a module file of its own. The CLI runs its start bundle
 * from V8's code cache (src/cli/code-cache.ts), and Node 20 loses a
 * vm.Script's dynamic-import callback when the script comes from that cache;
 * so dynamic imports of code outside the bundle go through this module, which
 * the bundle keeps as a separate file (dist/fast/import.cjs, scripts/bundle.mjs).
 */
export function importModule(specifier: string): Promise<unknown> {
  return import(specifier)
}
