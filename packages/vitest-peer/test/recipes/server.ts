// Recipes "Migrating from child_process.fork or execa" and "Testing graceful shutdown"
// (docs/recipes.md): an HTTP server whose requests wait for a slow job that the test finishes.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { onShutdown } from '@vitest-peer/core/peer'

let finishJob: () => void = () => {}
const job = new Promise<void>((resolve) => (finishJob = resolve))
let draining = false

function serve(port = 0): Promise<Server> {
  const server = createServer(async (_request, response) => {
    console.log('request started')
    await job
    // A kept-alive connection would hold `server.close()` until its idle timeout (5 s).
    if (draining) response.setHeader('connection', 'close')
    response.end('done')
  })
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)))
}

/** The script's entry point, as `node server.js` ran it: prints where it listens. */
export async function main(): Promise<void> {
  const server = await serve()
  console.log(`listening on ${(server.address() as AddressInfo).port}`)
}

/** An application's own SIGTERM handler: stop accepting, let requests in flight finish, exit 0. */
export async function listen(): Promise<number> {
  const server = await serve()
  process.once('SIGTERM', () => {
    console.log('draining')
    draining = true
    server.close(() => process.exit(0))
  })
  return (server.address() as AddressInfo).port
}

/** The same, written for a graceful `stop()` (`shutdown: ms`): an `onShutdown` hook. */
export async function listenUntilShutdown(): Promise<number> {
  const server = await serve()
  onShutdown(async () => {
    await new Promise((resolve) => server.close(resolve))
    console.log('closed')
  })
  return (server.address() as AddressInfo).port
}

/** The test decides when the slow job is done. */
export function finish(): void {
  finishJob()
}
