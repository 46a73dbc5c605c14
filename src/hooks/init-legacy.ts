import type {Hook} from '@oclif/core'

// Replaced by the legacy Go-style argv rewrite.
const hook: Hook.Init = async function () {}
export default hook
