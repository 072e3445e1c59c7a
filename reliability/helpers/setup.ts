// Test support (test:reliability), in each worker before its file: Node 20 parses the
// NODE_EXTRA_CA_CERTS bundle at every start (~50 ms per peer); peers inherit this environment.
delete process.env.NODE_EXTRA_CA_CERTS
