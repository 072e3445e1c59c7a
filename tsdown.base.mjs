// Build settings every package shares: Node.js libraries for Node 20 and later, with fixed
// .mjs/.cjs extensions so the `exports` maps can name the files.
export const nodeLibrary = { platform: 'node', target: 'node20', fixedExtension: true }
