// Test support: the control connections the behaviour suite runs over. Add a connection here and
// every `describe.each(connectionCases)` suite runs over it too.
import type { Connection } from '@vitest-peer/core'

/** Every connection the behaviour suite covers. */
export const connections: Connection[] = [
  'ipc',
  'stdio',
  { tcp: 0 },
  { tcp: { host: '127.0.0.1', port: 0 } },
  { uds: true },
]

/** A readable label for a connection, for test names: `ipc`, `tcp 0`, `uds true`. */
export function connectionLabel(connection: Connection): string {
  if (typeof connection === 'string') return connection
  return Object.entries(connection)
    .map(([kind, value]) => `${kind} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ')
}

/** `describe.each(connectionCases)('$label', ({ connection }) => …)`. */
export const connectionCases = connections.map((connection) => ({ label: connectionLabel(connection), connection }))
