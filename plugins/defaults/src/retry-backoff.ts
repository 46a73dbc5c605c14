import type {Factory, RetryPolicy} from 'transporter/plugin-api'

// Placeholder until the component lands; fails loudly if selected.
export const backoffRetry: Factory<RetryPolicy> = {
  description: 'not implemented yet',
  create() {
    throw new Error('backoffRetry is not implemented yet')
  },
}
