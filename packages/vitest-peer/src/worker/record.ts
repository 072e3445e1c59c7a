// Vitest worker side: the registry record of a peer, whoever owns it (a test, a file or worker
// scope, a spare), so that the safety net kills it, and what it started, if it outlives its owner.
import type { Peer } from '@vitest-peer/core'
import { readCmdline, readStat } from '../shared/proc.js'
import type { Registry } from '../shared/registry.js'

/**
 * Record `peer`, whose descendants hold `cookie`, in `registry` under the owner `testId` (`file`,
 * `test`: how a leak report names it).
 */
export function recordOwned(
  registry: Registry,
  { peer, cookie }: { peer: Peer; cookie: string },
  testId: string,
  file: string,
  test: string,
): void {
  if (peer.pid === 0) return
  const stat = readStat(peer.pid)
  registry.add({
    pid: peer.pid,
    startTime: stat?.startTime ?? null,
    cmdline: readCmdline(peer.pid),
    cookie,
    // The engine makes a peer lead a process group; behind some wrappers it may not.
    ...(stat?.pgrp === peer.pid ? { pgid: peer.pid } : {}),
    name: peer.name,
    worker: process.pid,
    testId,
    file,
    test,
  })
}
