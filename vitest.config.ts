import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests run real rsync processes; two cores, so keep the pool small.
    pool: 'forks',
    poolOptions: {forks: {maxForks: 2, minForks: 1}},
    globalSetup: ['test/global-setup.ts'],
    // CI=true makes oclif's chalk colour its output even into a pipe; tests read plain text.
    env: {FORCE_COLOR: '0', NO_COLOR: '1'},
  },
})
