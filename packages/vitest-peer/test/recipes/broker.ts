// Recipe "Sharing an expensive peer" (docs/recipes.md): state that lives as long as the peer.
let starts = 0
const topics = new Map<string, string[]>()

export function start(): number {
  return ++starts
}

export function publish(topic: string, message: string): void {
  topics.set(topic, [...(topics.get(topic) ?? []), message])
}

export function read(topic: string): string[] {
  return topics.get(topic) ?? []
}

export function startCount(): number {
  return starts
}
