import type {Factory, MountCheck} from 'transporter/plugin-api'

// Placeholder until the component lands; fails loudly if selected.
export const statfsCheck: Factory<MountCheck> = {
  description: 'not implemented yet',
  create() {
    throw new Error('statfsCheck is not implemented yet')
  },
}
