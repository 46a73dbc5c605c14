#!/usr/bin/env node
// The compile cache (Node >= 22.1) makes every start after the first cheaper; absent on Node 20.
import * as nodeModule from 'node:module'
try {
  nodeModule.enableCompileCache?.()
} catch {}

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
