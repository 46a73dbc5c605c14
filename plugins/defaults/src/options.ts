/**
 * Small validators for component options. Every problem throws an Error whose
 * message names the component, the option and what was expected, so the
 * config loader can prefix the file name and show it as-is.
 */

export type OptionBag = Readonly<Record<string, unknown>>

/** Short, readable rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
  return String(value)
}

function fail(component: string, key: string, expected: string, value: unknown): never {
  throw new Error(`${component}: option '${key}' must be ${expected}, got ${describeValue(value)}`)
}

/**
 * The options object itself: absent (`id` or `[id]` in config) means all
 * defaults; anything but a plain object, or an unknown key, is an error.
 */
export function optionBag(component: string, options: unknown, known: readonly string[]): OptionBag {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${component}: options must be an object (${known.join(', ')}), got ${describeValue(options)}`)
  }
  const bag = options as Record<string, unknown>
  for (const key of Object.keys(bag)) {
    if (!known.includes(key)) {
      const hint = known.length > 0 ? `known options: ${known.join(', ')}` : 'it takes no options'
      throw new Error(`${component}: unknown option '${key}' (${hint})`)
    }
  }
  return bag
}

/** Named bounds: fallback and min are both numbers, so positional ones could swap and still compile. */
export function intOption(component: string, bag: OptionBag, key: string, spec: {fallback: number; min: number}): number {
  return optionalIntOption(component, bag, key, spec.min) ?? spec.fallback
}

export function optionalIntOption(component: string, bag: OptionBag, key: string, min: number): number | undefined {
  const value = bag[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    fail(component, key, `an integer ≥ ${min}`, value)
  }
  return value
}

export function boolOption(component: string, bag: OptionBag, key: string, fallback: boolean): boolean {
  const value = bag[key]
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') fail(component, key, 'true or false', value)
  return value
}

export function enumOption<T extends string>(component: string, bag: OptionBag, key: string, values: readonly T[], fallback: T): T {
  const value = bag[key]
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    fail(component, key, `one of ${values.map((v) => `'${v}'`).join(', ')}`, value)
  }
  return value as T
}

/** A non-empty list of non-empty strings, or undefined when the option is absent. */
export function stringListOption(component: string, bag: OptionBag, key: string): string[] | undefined {
  const value = bag[key]
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0) fail(component, key, 'a non-empty list of names', value)
  for (const item of value) {
    if (typeof item !== 'string' || item.trim() === '') fail(component, key, 'a list of non-empty strings', item)
  }
  return value.map((item: string) => item.trim())
}

/** A non-empty string, or undefined when absent. */
export function stringOption(component: string, bag: OptionBag, key: string): string | undefined {
  const value = bag[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') fail(component, key, 'a non-empty string', value)
  return value
}
