// The raw baseline's child: no peer library. Answers each request on the same channel the engine
// uses: IPC (advanced serialisation) or 4-byte length-prefixed v8 frames on stdin/stdout.
const v8 = require('node:v8')
const mode = process.argv[2]
if (mode === 'ipc') {
  process.on('message', (m) => process.send({ id: m.id, r: process.platform }))
  process.send({ ready: true })
} else {
  let buf = Buffer.alloc(0)
  const reply = (m) => {
    const body = v8.serialize({ id: m.id, r: process.platform })
    const head = Buffer.allocUnsafe(4)
    head.writeUInt32BE(body.length)
    process.stdout.write(Buffer.concat([head, body]))
  }
  process.stdin.on('data', (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0)
      if (buf.length < 4 + len) break
      reply(v8.deserialize(buf.subarray(4, 4 + len)))
      buf = buf.subarray(4 + len)
    }
  })
  process.stdout.write('R')
}
