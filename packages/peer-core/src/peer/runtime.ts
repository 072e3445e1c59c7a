// Peer side: the runtime, the program a peer process runs. It connects the control connection,
// relays the console, answers the boot handshake, serves requests, and halts when the connection
// is lost (the link: it exits with code 1). Built as one self-contained CommonJS file
// (dist/runtime.cjs) so it can also be shipped over stdin to a machine that has only `node`.
import { decodeMessage, encodeMessage } from '../protocol/codec.js'
import { readRuntimeFlags } from '../protocol/flags.js'
import { type PeerToOrigin, PROTOCOL_VERSION } from '../protocol/messages.js'
import type { EncodedError } from '../protocol/values.js'
import { connectIpc } from './connection/ipc.js'
import { connectStdio } from './connection/stdio.js'
import { connectTcp } from './connection/tcp.js'
import type { PeerChannel, PeerChannelEvents } from './connection/types.js'
import { connectUds } from './connection/uds.js'
import { rawStreams, relayConsole } from './console.js'
import { RUNTIME_KEY, type RuntimeHandle } from './handle.js'
import { Server } from './serve.js'
import { startWatchdog } from './watchdog.js'

const exit = process.exit.bind(process)

const flags = readRuntimeFlags(process.argv)
const name = flags.name ?? `peer-${process.pid}`
const connection = flags.connection ?? 'ipc'

let halting = false
/** Leave now. Code 1 when the link broke, 0 when stopped. */
function halt(code: number, flushFirst: boolean): void {
  if (halting) return
  halting = true
  if (!flushFirst) return exit(code)
  channel.flush().then(
    () => exit(code),
    () => exit(code),
  )
}

/**
 * How long the peer must receive nothing after its hello before it starts Node's ESM loader
 * (`Server.warm`): a call made right after boot is not delayed by the loader's start, and one
 * made after a pause finds it started. Each message before then restarts the wait.
 */
const LOADER_IDLE_MS = 5
let loaderWait: NodeJS.Timeout | undefined

const events: PeerChannelEvents = {
  message: (message) => {
    loaderWait?.refresh()
    try {
      server.serve(decodeMessage(message, rebuildLocalError))
    } catch (error) {
      fail(error as Error)
    }
  },
  lost: () => halt(1, false),
}

/** A failure in the peer's own connection handling halts it, as OTP's peer supervision does. */
function fail(error: Error): void {
  try {
    process.stderr.write(`vitest-peer: control connection failed: ${error?.stack ?? error}\n`)
  } catch {}
  halt(1, true)
}

const raw = rawStreams()
const channel: PeerChannel =
  connection === 'stdio'
    ? connectStdio(events, raw)
    : connection === 'ipc'
      ? connectIpc(events)
      : connection === 'tcp'
        ? connectTcp(name, flags, events)
        : connection === 'uds'
          ? connectUds(name, flags, events)
          : unsupported(connection)

function unsupported(kind: string): never {
  process.stderr.write(`vitest-peer: unknown control connection '${kind}'\n`)
  return exit(2)
}

/** Send one message, encoded at this one place; throws when it cannot be encoded or serialised. */
function send(message: PeerToOrigin): void {
  if (!halting) channel.send(encodeMessage(message))
}

relayConsole((stream, data) => {
  if (halting) return
  try {
    channel.send({ t: 'out', s: stream, d: data })
  } catch {}
})

const handlers = new Map<string, (message: unknown) => unknown>()
const undelivered = new Map<string, unknown[]>()
const shutdownHooks: (() => unknown)[] = []

function deliver(to: string, value: unknown): void {
  const handler = handlers.get(to)
  if (handler === undefined) {
    // Kept until a handler registers under that name: nothing sent is lost.
    const queue = undelivered.get(to) ?? []
    queue.push(value)
    undelivered.set(to, queue)
    return
  }
  try {
    const result = handler(value)
    if (result instanceof Promise)
      result.catch((error: unknown) => console.error(`vitest-peer: handler '${to}' failed:`, error))
  } catch (error) {
    console.error(`vitest-peer: handler '${to}' failed:`, error)
  }
}

async function stop(graceful: boolean): Promise<void> {
  if (graceful) {
    for (const hook of [...shutdownHooks].reverse()) {
      try {
        await hook()
      } catch (error) {
        console.error('vitest-peer: shutdown hook failed:', error)
      }
    }
  }
  halt(0, true)
}

const server = new Server({ send, deliver, stop: (graceful: boolean) => void stop(graceful) })

const handle: RuntimeHandle = {
  name,
  send(message) {
    send({ t: 'msg', v: message })
  },
  register(target, handler) {
    if (typeof target !== 'string' || typeof handler !== 'function') {
      throw new TypeError('register(name, handler) takes a string and a function')
    }
    handlers.set(target, handler)
    const queued = undelivered.get(target)
    if (queued !== undefined) {
      undelivered.delete(target)
      for (const value of queued) deliver(target, value)
    }
    return () => {
      if (handlers.get(target) === handler) handlers.delete(target)
    }
  },
  onShutdown(hook) {
    if (typeof hook !== 'function') throw new TypeError('onShutdown(hook) takes a function')
    shutdownHooks.push(hook)
    return () => {
      const index = shutdownHooks.indexOf(hook)
      if (index !== -1) shutdownHooks.splice(index, 1)
    }
  },
  connection: { fail },
}
Object.defineProperty(globalThis, RUNTIME_KEY, { value: handle, enumerable: false })

/** Errors from the origin become instances of the builtin class of their name, else of Error. */
function rebuildLocalError(encoded: EncodedError): Error {
  const Builtin = (globalThis as Record<string, unknown>)[encoded.name]
  const error =
    typeof Builtin === 'function' && (Builtin === Error || Builtin.prototype instanceof Error)
      ? new (Builtin as ErrorConstructor)(encoded.message)
      : Object.defineProperty(new Error(encoded.message), 'name', {
          value: encoded.name,
          writable: true,
          configurable: true,
        })
  if (encoded.stack !== undefined) error.stack = encoded.stack
  return error
}

const hello = () => {
  send({ t: 'hello', v: PROTOCOL_VERSION })
  channel.whenOpen(() => {
    loaderWait = setTimeout(() => {
      loaderWait = undefined
      server.warm()
    }, LOADER_IDLE_MS).unref()
  })
}
if (flags.watchdog) startWatchdog().then(hello, fail)
else hello()
