// Runs only inside peers: the consumer's tests call it with `peer.call`, never import it.
export function add(a: number, b: number): number {
  return a + b
}

export function neverCalled(): string {
  return 'not covered'
}
