// The protocol: one command per line, one reply per line.
//   SET <key> <value>   OK
//   GET <key>           the value, or (nil)
//   DEL <key>           1 if the key was there, else 0
//   KEYS                the keys, sorted, space-separated
// Anything else gets `ERR <why>`.

export type Command = { op: 'set'; key: string; value: string } | { op: 'get' | 'del'; key: string } | { op: 'keys' }

/** Parse one line into a command, or say why it is not one. */
export function parse(line: string): Command | { error: string } {
  const [word = '', ...args] = line.trim().split(/\s+/)
  const name = word.toUpperCase()
  switch (name) {
    case 'SET':
      return args.length === 2
        ? { op: 'set', key: args[0]!, value: args[1]! }
        : { error: 'SET takes a key and a value' }
    case 'GET':
    case 'DEL':
      return args.length === 1
        ? { op: name === 'GET' ? 'get' : 'del', key: args[0]! }
        : { error: `${name} takes a key` }
    case 'KEYS':
      return args.length === 0 ? { op: 'keys' } : { error: 'KEYS takes no argument' }
    default:
      return { error: `unknown command '${word}'` }
  }
}
