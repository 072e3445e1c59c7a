// Test support, runs in each Vitest worker before its test file.
// Node parses the NODE_EXTRA_CA_CERTS bundle at every start (~50 ms per peer on the project
// machine); peers inherit this worker's environment, so drop it once.
delete process.env.NODE_EXTRA_CA_CERTS
