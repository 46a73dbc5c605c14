/**
 * JSON values encoded byte for byte like Go's `encoding/json` (json.Marshal,
 * HTML escaping on, Go ≥ 1.22). Receivers written against the Go tool compare
 * bodies, sign them or grep them, so "equivalent JSON" is not enough.
 *
 * Go's rules for a string, per code point:
 * - `"` and `\` → `\"` `\\`; `\b` `\f` `\n` `\r` `\t` → short escapes
 *   (Go before 1.22 wrote `\u0008` and `\u000c` for \b and \f);
 * - other bytes < 0x20 → `\u00xx` (lower-case hex);
 * - `<` `>` `&` → `\u003c` `\u003e` `\u0026` (HTML-safe output);
 * - U+2028, U+2029 → `\u2028`, `\u2029` (JSONP-safe output);
 * - each invalid UTF-8 byte → the six characters `\ufffd`;
 * - everything else (DEL and all other non-ASCII) as raw UTF-8.
 *
 * A JS string has no invalid bytes: they became U+FFFD when rsync's stderr was
 * decoded, so U+FFFD is written as `\ufffd` (what Go writes for those bytes),
 * and a lone surrogate — an unencodable code unit — likewise.
 */

const HEX = '0123456789abcdef'

const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
}

function asciiEscape(c: number): string | undefined {
  if (c >= 0x20 && c !== 0x22 && c !== 0x5c && c !== 0x3c && c !== 0x3e && c !== 0x26) return undefined
  return SHORT_ESCAPES[c] ?? `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`
}

/** A JSON string literal (quotes included) as Go's json.Marshal writes it. */
export function goJsonString(s: string): string {
  let out = '"'
  let start = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let escape: string | undefined
    if (c < 0x80) {
      escape = asciiEscape(c)
    } else if (c === 0x2028 || c === 0x2029) {
      escape = c === 0x2028 ? '\\u2028' : '\\u2029'
    } else if (c === 0xfffd) {
      escape = '\\ufffd'
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++ // a valid pair: one astral code point, written raw
        continue
      }
      escape = '\\ufffd'
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      escape = '\\ufffd'
    }
    if (escape === undefined) continue
    out += s.slice(start, i) + escape
    start = i + 1
  }
  return out + s.slice(start) + '"'
}

/** An int64 field as Go writes it; non-integers are truncated, NaN/∞ become 0. */
export function goJsonInt(n: number): string {
  if (!Number.isFinite(n)) return '0'
  const t = Math.trunc(n)
  // BigInt keeps huge values out of exponent notation, which Go never writes
  return BigInt(t).toString(10)
}
