#!/usr/bin/env node
// Compile cache makes every start after the first cheaper; it is a no-op where unsupported.
import {enableCompileCache} from 'node:module'
try { enableCompileCache?.() } catch {}

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
