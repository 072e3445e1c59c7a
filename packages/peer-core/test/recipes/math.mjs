// Getting started (README.md): the module the first test calls in a peer.
export function add(a, b) {
  return a + b
}
