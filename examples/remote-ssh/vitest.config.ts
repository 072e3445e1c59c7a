import { defineConfig } from 'vitest/config'
import { vitestPeer } from 'vitest-peer/plugin'

export default defineConfig({
  plugins: [vitestPeer()],
  test: {
    name: 'remote-ssh',
    include: ['*.test.ts'],
    // A peer over ssh: a login, then the runtime sent over the connection; CI machines are slow.
    testTimeout: 30_000,
  },
})
