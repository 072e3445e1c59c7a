// The floor's child: no peer library. Answers requests on one channel: 'ipc' (advanced
// serialisation), 'ipc-json', 'stdio' (v8 frames on stdin/stdout), 'tcp' PORT or 'uds' PATH (v8
// frames on a socket it connects back to). {op:'call'} → process.platform, {op:'echo', p} → p,
// {op:'exit'} → exits; it also exits when its channel closes. Sends {ready:true} first.
const v8 = require('node:v8')
const [mode, address] = process.argv.slice(2)

function answer(m, send) {
  if (m.op === 'exit') process.exit(0)
  send({ id: m.id, r: m.op === 'echo' ? m.p : process.platform })
}

function framed(input, output) {
  let chunks = []
  let length = 0
  let need = -1
  const send = (m) => {
    const body = v8.serialize(m)
    const head = Buffer.allocUnsafe(4)
    head.writeUInt32BE(body.length)
    output.cork()
    output.write(head)
    output.write(body)
    output.uncork()
  }
  input.on('data', (chunk) => {
    chunks.push(chunk)
    length += chunk.length
    for (;;) {
      if (need < 0) {
        if (length < 4) return
        if (chunks[0].length < 4) chunks = [Buffer.concat(chunks)]
        need = chunks[0].readUInt32BE(0)
      }
      if (length < 4 + need) return
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)
      const m = v8.deserialize(all.subarray(4, 4 + need))
      const rest = all.subarray(4 + need)
      chunks = rest.length ? [rest] : []
      length = rest.length
      need = -1
      answer(m, send)
    }
  })
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
