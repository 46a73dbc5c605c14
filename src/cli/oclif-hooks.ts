import type {RegisterOptions, TransporterPlugin} from '../plugin-api.js'

/**
 * The `transporter:register` hook in oclif's typed map, so `runHook` answers
 * with `TransporterPlugin` results. What a plugin really returns is checked
 * by the registry all the same: a plugin is someone else's code.
 */
declare module '@oclif/core' {
  interface Hooks {
    'transporter:register': {options: RegisterOptions; return: TransporterPlugin}
  }
}

export const HOOK_EVENT = 'transporter:register'
