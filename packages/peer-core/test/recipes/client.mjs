// The partition recipe (README.md, "Recipe: partition a peer"): a client that keeps a connection,
// prints `connected <n>` at each first answer and `lost: <code>` at each loss, and reconnects.
import { connect as dial } from 'node:net'

let connections = 0

export function connect(port) {
  const socket = dial(port, '127.0.0.1')
  let answered = false
  socket.on('data', () => {
    if (!answered) console.log(`connected ${++connections}`)
    answered = true
  })
  socket.on('connect', () => socket.write('ping\n'))
  socket.on('error', (error) => console.log(`lost: ${error.code}`))
  socket.on('close', () => setTimeout(() => connect(port), 50)) // retry
}
