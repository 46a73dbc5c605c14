import type {RegisterOptions, TransporterPlugin} from 'transporter/plugin-api'
import {textfileReporter} from './textfile-reporter.js'

/**
 * Answers transporter's `transporter:register` hook. The reporter's id is
 * `textfile` when no other plugin has one of that name, `prometheus/textfile` always.
 */
export default async function register(_opts: RegisterOptions): Promise<TransporterPlugin> {
  return {apiVersion: 1, reporters: {textfile: textfileReporter}} satisfies TransporterPlugin
}
