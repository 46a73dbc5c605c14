/**
 * Secrets never leave the process (spec §8.3): a report URL is shown with its
 * password (or a lone user name, which is often a token), its query and its
 * fragment replaced by `***`. Every sink that can print a URL goes through
 * here: log lines, errors and hints, `--json`, the sinks plugins write to.
 */

const MASK = '***'

/** One URL, whole: `http://user:pass@host/r?token=T` → `http://user:***@host/r?***`. */
export function redactUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return redactUnparsed(text)
  }
  if (url.password !== '') url.password = MASK
  else if (url.username !== '') url.username = MASK
  if (url.search !== '') url.search = MASK
  if (url.hash !== '') url.hash = MASK
  // the URL class percent-encodes nothing in "***", so the mask reads as written
  return url.href
}

/**
 * Text that does not parse as a URL can still hold a secret: a typo next to a
 * password is exactly what a validation error echoes. Keep the scheme, hide
 * the rest when it has anything a secret could hide behind.
 */
function redactUnparsed(text: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(text)
  if (m === null) return /[@?#]/.test(text) ? MASK : text
  return /[@?#]/.test(m[2] ?? '') ? `${m[1]}${MASK}` : text
}

/** URL-looking runs in free text: up to whitespace, a quote or an angle bracket. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*/gi

/** Every URL inside `text` (log lines, messages, JSON documents). */
export function redactText(text: string): string {
  // the common line holds no URL at all: skip the regex
  if (!text.includes('://')) return text
  return text.replace(URL_IN_TEXT, (found) => (/[@?#]/.test(found) ? redactUrl(found) : found))
}

/** An environment without transporter's own variables (a report URL with credentials among them). */
export function withoutTransporterEnv(env: Readonly<Record<string, string | undefined>>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(env)) if (!key.startsWith('TRANSPORTER_') && value !== undefined) out[key] = value
  return out
}
