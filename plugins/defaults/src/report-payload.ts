import {goJsonInt, goJsonString} from './go-json.js'

/** The Go tool's report body (spec §8): these five keys, in this order, always. */
export interface GoReport {
  currentCount: number
  totalCount: number
  message: string
  errcode: number
  reason: string
}

/** Compact JSON, byte-identical to what the Go tool's json.Marshal produced. */
export function encodeReport(r: GoReport): string {
  return (
    `{"current_count":${goJsonInt(r.currentCount)},"total_count":${goJsonInt(r.totalCount)},` +
    `"message":${goJsonString(r.message)},"errcode":${goJsonInt(r.errcode)},"reason":${goJsonString(r.reason)}}`
  )
}

export function progressReport(currentCount: number, totalCount: number): string {
  return encodeReport({currentCount, totalCount, message: '', errcode: 0, reason: ''})
}

export function errorReport(message: string, errcode: number, reason: string): string {
  return encodeReport({currentCount: 0, totalCount: 0, message, errcode, reason})
}
