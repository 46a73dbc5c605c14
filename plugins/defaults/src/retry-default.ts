import type {Factory, RetryPolicy} from 'transporter/plugin-api'

// Placeholder until the component lands; fails loudly if selected.
export const defaultRetry: Factory<RetryPolicy> = {
  description: 'not implemented yet',
  create() {
    throw new Error('defaultRetry is not implemented yet')
  },
}
