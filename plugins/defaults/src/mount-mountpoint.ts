import type {Factory, MountCheck} from 'transporter/plugin-api'

// Placeholder until the component lands; fails loudly if selected.
export const mountpointCheck: Factory<MountCheck> = {
  description: 'not implemented yet',
  create() {
    throw new Error('mountpointCheck is not implemented yet')
  },
}
