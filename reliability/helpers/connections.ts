// Test support (test:reliability): the control connections each scenario runs over.
import type { Connection } from '@vitest-peer/core'

export interface ConnectionCase {
  label: string
  connection: Connection
}

export const connections: ConnectionCase[] = [
  { label: 'ipc', connection: 'ipc' },
  { label: 'stdio', connection: 'stdio' },
  { label: 'tcp', connection: { tcp: 0 } },
  { label: 'uds', connection: { uds: true } },
]

/** The TCP and Unix-socket connections: those with a listener anyone on the host can dial. */
export const socketConnections = connections.filter((c) => c.label === 'tcp' || c.label === 'uds')

/** `ipc, stdio, tcp, uds` for a row of the report. */
export const labels = (cases: ConnectionCase[]): string => cases.map((c) => c.label).join(', ')
