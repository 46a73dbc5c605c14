import type {Factory, Reporter} from 'transporter/plugin-api'

// Placeholder until the component lands; fails loudly if selected.
export const consoleReporter: Factory<Reporter> = {
  description: 'not implemented yet',
  create() {
    throw new Error('consoleReporter is not implemented yet')
  },
}
