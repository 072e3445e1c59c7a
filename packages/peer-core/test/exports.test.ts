// The published declaration files export only the documented API: a leaked internal type shows
// here as a diff, and every exported name is documented in the README.
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'

const packageDir = new URL('../', import.meta.url)
const readme = readFileSync(new URL('README.md', packageDir), 'utf8')

/** The names a built `.d.mts` exports (its closing `export { … }`), sorted, `type ` dropped. */
function exportedNames(file: string): string[] {
  const text = readFileSync(new URL(`dist/${file}`, packageDir), 'utf8')
  const lists = [...text.matchAll(/^export \{([^}]*)\};?$/gm)].map((match) => match[1] ?? '')
  return lists
    .flatMap((list) => list.split(','))
    .map((name) => name.trim().replace(/^type /, ''))
    .filter((name) => name !== '')
    .sort()
}

describe('published declarations', () => {
  test('@vitest-peer/core exports', () => {
    expect(exportedNames('index.d.mts')).toMatchInlineSnapshot(`
      [
        "BOOT_TIMEOUT_MS",
        "CALL_TIMEOUT_MS",
        "CallOptions",
        "Connection",
        "DownReason",
        "HALT_TIMEOUT_MS",
        "ModuleResolver",
        "ModuleResolverOption",
        "ModuleSpecifier",
        "NetworkProxy",
        "NetworkProxyOptions",
        "NetworkProxyStats",
        "OUTPUT_TAIL_LINES",
        "OutputStream",
        "Peer",
        "PeerBootError",
        "PeerCloneError",
        "PeerDownError",
        "PeerDownMode",
        "PeerError",
        "PeerEvents",
        "PeerOptions",
        "PeerOptionsError",
        "PeerProtocolError",
        "PeerState",
        "PeerTimeoutError",
        "ProxyListenError",
        "ProxyOptionsError",
        "RemoteError",
        "RemoteModule",
        "ShutdownMode",
        "WaitOptions",
        "describeDown",
        "formatCommand",
        "randomName",
        "renamePeer",
        "startPeer",
        "startProxy",
      ]
    `)
  })

  test('@vitest-peer/core/peer exports', () => {
    expect(exportedNames('peer.d.mts')).toMatchInlineSnapshot(`
      [
        "isPeer",
        "onShutdown",
        "origin",
        "peerName",
        "register",
      ]
    `)
  })

  test('the README documents every exported name', () => {
    const names = [...exportedNames('index.d.mts'), ...exportedNames('peer.d.mts')]
    expect(names.filter((name) => !readme.includes(`\`${name}`))).toEqual([])
  })
})
