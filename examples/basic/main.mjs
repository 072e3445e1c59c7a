// An origin that starts two peers, talks to them, crashes one on purpose and stops the other.
// Run it with `pnpm example` (or `node main.mjs`) after `pnpm build` at the repository root.
import { describeDown, PeerDownError, startPeer } from '@vitest-peer/core'

const greeter = new URL('./greeter.mjs', import.meta.url)
const say = (text) => console.log(`origin: ${text}`)

say('starting two peers, one over IPC and one over stdin/stdout...')
const alice = await startPeer({ name: 'alice', connection: 'ipc' })
const bob = await startPeer({ name: 'bob', connection: 'stdio', shutdown: 2000 }) // graceful stop, 2 s before SIGKILL
say(`alice is ${JSON.stringify(alice.state)} with pid ${alice.pid}`)
say(`bob is ${JSON.stringify(bob.state)} with pid ${bob.pid}`)

say('calling greet() inside each peer...')
say(`alice answered: ${await alice.call(greeter, 'greet', ['world'])}`)
say(`alice also sent a message: ${JSON.stringify(await alice.receive())}`)
say(`bob answered: ${await bob.call(greeter, 'greet', ['vitest'])}`)
say(`bob also sent a message: ${JSON.stringify(await bob.receive())}`)
say(`node:os hostname() inside alice: ${await alice.call('node:os', 'hostname')}`)
say(`evaluate() in bob: 6 * 7 = ${await bob.evaluate((a, b) => a * b, 6, 7)}`)

say("alice's console output, as captured by the origin:")
for (const line of alice.output.trimEnd().split('\n')) console.log(`  | ${line}`)

say('asking alice to crash (an uncaught exception on her next tick)...')
const pending = alice.receive(undefined, { timeout: 10_000 })
await alice.call(greeter, 'explodeSoon')
try {
  await pending
  say('unexpected: alice answered')
  process.exitCode = 1
} catch (error) {
  if (!(error instanceof PeerDownError)) throw error
  say(`the waiting receive() failed with ${error.name} (${error.code})`)
}
const reason = await alice.exited
say(`alice is down: ${describeDown(reason)} -> ${JSON.stringify(reason)}`)
say('the last lines alice printed:')
for (const line of alice.outputTail(8).trimEnd().split('\n')) console.log(`  | ${line}`)

say('stopping bob gracefully...')
await bob.stop()
say(`bob is down: ${describeDown(await bob.exited)} -> ${JSON.stringify(bob.state)}`)
say('done: both peers are gone, nothing is left running.')
