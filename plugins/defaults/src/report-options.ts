/**
 * Option checks shared by the reporters. They throw plain Errors naming the
 * component and the option; the engine turns them into a config error (22).
 */

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object' : String(value)
}

/** The options as a plain object (absent → {}), with no keys outside `allowed`. */
export function optionsObject(component: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined || options === null) return {}
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${component} reporter: options must be an object, got ${show(options)}`)
  }
  const expected = allowed.length > 0 ? `expected ${allowed.join(', ')}` : 'it takes no options'
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${component} reporter: unknown option "${key}" (${expected})`)
  }
  return options as Record<string, unknown>
}

/** An integer ≥ min, or the default when absent. */
export function intOption(component: string, opts: Record<string, unknown>, key: string, min: number, fallback: number): number {
  const value = opts[key]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${component} reporter: option "${key}" must be an integer ≥ ${min}, got ${show(value)}`)
  }
  return value
}

/** A non-empty string, or undefined when absent. */
export function stringOption(component: string, opts: Record<string, unknown>, key: string): string | undefined {
  const value = opts[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${component} reporter: option "${key}" must be a non-empty string, got ${show(value)}`)
  }
  return value
}
