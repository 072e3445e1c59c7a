// The project's own code. The test runs it inside a peer (a child Node.js process), TypeScript as is.
export interface Greeting {
  text: string
  pid: number
}

export function greet(name: string): Greeting {
  console.log(`greeting ${name}`)
  return { text: `Hello, ${name}!`, pid: process.pid }
}
