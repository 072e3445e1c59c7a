// 4-byte big-endian length + v8.serialize body: the framing of the raw children on a stream
// (stdio, tcp, uds), on both sides (CommonJS: raw-child.cjs requires it). The decoder keeps
// chunks in a list and joins them once a frame is whole, so that a 64 MiB frame costs one copy,
// not one per 64 KiB chunk.
const { deserialize, serialize } = require('node:v8')

function encode(message) {
  const body = serialize(message)
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32BE(body.length)
  return [head, body]
}

function decoder(onMessage) {
  let chunks = []
  let length = 0
  let need = -1
  return (chunk) => {
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
      const message = deserialize(all.subarray(4, 4 + need))
      const rest = all.subarray(4 + need)
      chunks = rest.length ? [rest] : []
      length = rest.length
      need = -1
      onMessage(message)
    }
  }
}

module.exports = { encode, decoder }
