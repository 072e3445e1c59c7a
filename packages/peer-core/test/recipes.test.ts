// The recipes of README.md run as written: the first test of "Getting started" (a `node --test`
// file) and "Recipe: partition a peer" (its peers' cwd set to the folder of its modules).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { startPeer, startProxy } from '@vitest-peer/core'
import { expect, test } from 'vitest'

const recipes = fileURLToPath(new URL('./recipes/', import.meta.url))

test('getting started: the first test passes under node --test', async () => {
  // TAP, whatever the Node version's default reporter (spec since Node 23 even without a TTY).
  const child = spawn(process.execPath, ['--test', '--test-reporter=tap', 'math.test.mjs'], {
    cwd: recipes,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text))
  const [code] = await once(child, 'close')
  expect(output).toMatch(/^# pass 1$/m)
  expect(output).toMatch(/^# fail 0$/m)
  expect(code).toBe(0)
})

test('partition a peer: the client sees the cut and reconnects once it heals', async () => {
  await using server = await startPeer({ cwd: recipes })
  await using client = await startPeer({ cwd: recipes })
  const port = await server.call<number>('./server.mjs', 'listen') // your server, on a free port
  await using proxy = await startProxy({ target: { port } })
  await client.call('./client.mjs', 'connect', [proxy.port]) // through the proxy, not to `port`
  await client.waitForOutput('connected 1')

  proxy.cut() // both ends see ECONNRESET; the client's reconnects are reset too
  await client.waitForOutput('lost: ECONNRESET')
  proxy.heal() // the partition is over: the client's next reconnect reaches the server
  await client.waitForOutput('connected 2')
})
