// Recipe "Testing a crash" (docs/recipes.md): a job that throws outside any request.
export function explode(): void {
  setImmediate(() => {
    throw new Error('boom')
  })
}
