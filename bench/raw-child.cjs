// The floor's child: no peer library. Answers requests on one channel: 'ipc' (advanced
// serialisation), 'ipc-json', 'stdio' (v8 frames on stdin/stdout), 'tcp' PORT or 'uds' PATH (v8
// frames on a socket it connects back to). {op:'call'} → process.platform, {op:'echo', p} → p,
// {op:'file', f} → import(f) and its ping(), {op:'exit'} → exits; it also exits when its channel
// closes. Sends {ready:true} first. Only Node's builtins and the framing (lib/frames.cjs) are loaded.
const { decoder, encode } = require('./lib/frames.cjs')
const [mode, address] = process.argv.slice(2)

function answer(m, send) {
  if (m.op === 'exit') process.exit(0)
  if (m.op === 'file') return import(m.f).then((module) => send({ id: m.id, r: module.ping() }))
  send({ id: m.id, r: m.op === 'echo' ? m.p : process.platform })
}

function framed(input, output) {
  const send = (m) => {
    const [head, body] = encode(m)
    output.cork()
    output.write(head)
    output.write(body)
    output.uncork()
  }
  input.on(
    'data',
    decoder((m) => answer(m, send)),
  )
  input.on('end', () => process.exit(0))
  send({ ready: true })
}

if (mode === 'ipc' || mode === 'ipc-json') {
  process.on('message', (m) => answer(m, (r) => process.send(r)))
  process.on('disconnect', () => process.exit(0))
  process.send({ ready: true })
} else if (mode === 'stdio') {
  framed(process.stdin, process.stdout)
} else {
  const net = require('node:net')
  const socket = net.connect(mode === 'tcp' ? { port: Number(address), host: '127.0.0.1' } : { path: address })
  socket.setNoDelay?.(true)
  socket.on('connect', () => framed(socket, socket))
}
