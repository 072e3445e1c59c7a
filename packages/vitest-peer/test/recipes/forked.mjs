// Recipe "Migrating from child_process.fork or execa" (docs/recipes.md): the forked script before
// the migration, answering each number with its double.
process.on('message', (n) => process.send(n * 2))
