// The server's data: an in-memory map of strings.
import type { Command } from './commands.js'

export class Store {
  private readonly entries = new Map<string, string>()

  /** Run `command`; its reply line. */
  run(command: Command): string {
    switch (command.op) {
      case 'set':
        this.entries.set(command.key, command.value)
        return 'OK'
      case 'get':
        return this.entries.get(command.key) ?? '(nil)'
      case 'del':
        return this.entries.delete(command.key) ? '1' : '0'
      case 'keys':
        return [...this.entries.keys()].sort().join(' ')
    }
  }
}
