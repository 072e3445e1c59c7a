// A rolling upgrade runs two releases side by side: the client of one Node major must talk to the
// server of the other, either way round (as Common Test's ?CT_PEER_REL starts a peer of an older
// OTP release). The peers run the Node running this test and another major, installed by the
// test from the npm registry's `node` package (scripts/node-release.mjs, cached per machine).
import { beforeAll, expect } from 'vitest'
import { test } from 'vitest-peer'
import { nodeRelease } from '../../scripts/node-release.mjs'

const THIS = process.versions.node
const OTHER = THIS.startsWith('22.') ? '24.21.0' : '22.23.3'
const major = (version: string) => Number(version.split('.')[0])
const [OLD, NEW] = [THIS, OTHER].sort((a, b) => major(a) - major(b)) as [string, string]

/** The Node binary of each version. */
const node: Record<string, string> = { [THIS]: process.execPath }

beforeAll(async () => {
  node[OTHER] = await nodeRelease(OTHER, {
    onInstall: (dir) => console.log(`installing node@${OTHER} from the npm registry into ${dir}`),
  })
}, 600_000)

test.for<[string, string]>([
  [OLD, NEW],
  [NEW, OLD],
])('server on Node %s, client on Node %s', async ([server, client], { startPeer }) => {
  const serverPeer = await startPeer({ exec: node[server] })
  const port = await serverPeer.call<number>('./src/server.ts', 'listen', [0])
  const clientPeer = await startPeer({ exec: node[client] })
  expect(await clientPeer.call('./src/client.ts', 'hello', [port])).toEqual({
    server: `v${server}`,
    client: `v${client}`,
  })
})
