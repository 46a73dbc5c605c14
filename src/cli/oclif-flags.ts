import {Flags, type Interfaces} from '@oclif/core'
import {COPY_OPTIONS, envName, type CopyOption} from '../core/config/copy-options.js'

/**
 * oclif's flag definitions for `copy`, made from the one option table. No
 * `env:` is given to oclif: copy-settings reads TRANSPORTER_<NAME> itself with
 * the same parser as the legacy argv, so the two never disagree.
 */
export function copyOclifFlags(): Interfaces.FlagInput {
  // --json is every command's (BaseCommand.baseFlags)
  const own = Object.entries(COPY_OPTIONS as Readonly<Record<string, CopyOption>>).filter(([, option]) => !option.global)
  return Object.fromEntries(own.map(([name, option]) => [name, oclifFlag(name, option)])) as Interfaces.FlagInput
}

function common(name: string, option: CopyOption) {
  return {
    description: `${option.description} [env: ${envName(name)}]`,
    ...(option.helpValue === undefined ? {} : {helpValue: option.helpValue}),
    ...(option.global === true ? {helpGroup: 'GLOBAL'} : {}),
    ...(option.char === undefined ? {} : {char: option.char as 'v'}),
  }
}

/** A bool option; the legacy form spells a false bool `--no-<name>` (`-progress=false`). BaseCommand's --json is one. */
export function boolFlag(name: string, option: CopyOption) {
  return Flags.boolean({...common(name, option), allowNo: true})
}

function oclifFlag(name: string, option: CopyOption) {
  if (option.type === 'bool') return boolFlag(name, option)
  if (option.type === 'int') return Flags.integer(common(name, option))
  if (option.type === 'list') return Flags.string({...common(name, option), multiple: true, multipleNonGreedy: true})
  return Flags.string({...common(name, option), ...(option.choices === undefined ? {} : {options: [...option.choices]})})
}
