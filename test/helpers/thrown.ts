/** What `fn` threw (a TransporterError's exit code and message), or undefined when it returned. */
export function thrown(fn: () => unknown): {exitCode?: number; message: string} | undefined {
  try {
    fn()
  } catch (error) {
    return error as {exitCode?: number; message: string}
  }
  return undefined
}
