// The project's code, run inside a peer: a job worker with a bug. The third job's callback throws,
// on a later turn of the event loop, as real bugs do: nothing catches it and the process dies.
export async function runJobs(files: string[]): Promise<number> {
  console.log(`worker ${process.pid}: ${files.length} jobs from queue ${process.env.JOB_QUEUE}`)
  for (const [index, file] of files.entries()) {
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        if (file.endsWith('.gif'))
          throw new Error(`cannot make a thumbnail of ${file}: animated GIFs are not supported`)
        console.log(`job ${index + 1}: thumbnail of ${file} done`)
        resolve()
      }),
    )
  }
  return files.length
}
