// Runs inside a peer: a tiny service the example calls remotely.
import { origin } from '@vitest-peer/core/peer'

let greeted = 0

/** Prints a line (relayed to the origin), tells the origin, and answers. */
export function greet(name) {
  greeted += 1
  console.log(`[greeter ${process.pid}] greeting ${name}`)
  origin.send({ greeted: name, count: greeted })
  return `Hello, ${name}! (greeting #${greeted} from pid ${process.pid})`
}

/** Fails the way a real bug would: an uncaught exception on a later turn of the event loop. */
export function explodeSoon() {
  setImmediate(() => {
    throw new Error('the greeter exploded')
  })
  return 'fuse lit'
}
