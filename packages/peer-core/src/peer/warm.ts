// Peer side: an empty ES module. The runtime imports it once, while idle after its boot
// handshake, so that Node's ESM loader has loaded a file before the peer's first call does
// (modules.ts, `Modules.warm`).
export {}
