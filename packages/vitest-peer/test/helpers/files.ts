// Test helper (parent side): wait for a file written by a child run (fs.watch on its folder,
// re-checked on every event), instead of sleeping.
import { existsSync, readFileSync, watch } from 'node:fs'
import { basename, dirname } from 'node:path'

/** Resolves with the file's text once `accept(text)` holds. */
export function waitForFile(path: string, accept: (text: string) => boolean = () => true): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      if (!existsSync(path)) return false
      const text = readFileSync(path, 'utf8')
      if (!accept(text)) return false
      watcher.close()
      resolve(text)
      return true
    }
    const watcher = watch(dirname(path), (_event, file) => {
      if (file === null || file === basename(path)) check()
    })
    watcher.on('error', reject)
    check()
  })
}
