// Test support, runs in each Vitest worker before its test file.
// Node 20 parses the NODE_EXTRA_CA_CERTS bundle at every start (~50 ms per peer here,
// research/node-mechanics.md); peers inherit this worker's environment, so drop it once.
delete process.env.NODE_EXTRA_CA_CERTS
