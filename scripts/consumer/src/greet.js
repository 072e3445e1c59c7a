// Plain JavaScript, run only inside peers.
export function greet(name) {
  console.log(`hello, ${name}`)
  return name.length
}

export function neverCalled() {
  return 'not covered'
}
