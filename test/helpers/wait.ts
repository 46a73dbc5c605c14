/**
 * Polls `probe` (sync or async) until it returns a value that is not
 * undefined or false, and returns it; fails after `limitMs` instead of hanging.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  limitMs = 20_000,
  everyMs = 20,
): Promise<T> {
  const until = Date.now() + limitMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
