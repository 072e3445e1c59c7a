// Runs inside a KV node (a peer): who leads, and the replicated log. A follower that hears no
// leader for a while becomes a candidate and asks the others for their votes; a node votes once
// per term, and only for a candidate whose log is at least as up to date as its own, so the node
// elected holds every acknowledged write. The leader appends each write to its log, sends the
// log to the followers, and acknowledges the write once a majority holds it (Raft, §5:
// https://raft.github.io/raft.pdf). The timers here are the product's own heartbeats.
import type { Append, AppendReply, Entry, KvEvent, Message, VoteReply, VoteRequest } from './messages.js'

/** How often a leader sends its log (a heartbeat when there is nothing new), and a candidate asks again for votes. */
export const HEARTBEAT_MS = 100
/** A follower that has heard no leader for between this and twice this starts an election. */
export const ELECTION_MS = 1_000

/** What a node keeps on disk, written before it answers anyone. */
export interface Durable {
  term: number
  votedFor: number | null
  log: Entry[]
}

/** How the state machine reaches the world. */
export interface NodeIo {
  send(to: number, message: Message): void
  save(state: Durable): void
  report(event: KvEvent): void
}

/** A write sent to a node that does not lead; `leader` is the one it follows, if it knows one. */
export class NotLeaderError extends Error {
  readonly code = 'NOT_LEADER'
  constructor(
    id: number,
    readonly leader: number | null,
  ) {
    super(`node ${id} is not the leader${leader === null ? '' : ` (node ${leader} is)`}`)
  }
}

/** A write the leader could not get a majority to hold in time: not acknowledged. */
export class NoQuorumError extends Error {
  readonly code = 'NO_QUORUM'
}

interface Waiter {
  index: number
  resolve: (index: number) => void
  reject: (error: Error) => void
}

export class Consensus {
  role: 'follower' | 'candidate' | 'leader' = 'follower'
  leader: number | null = null
  /** How much of the log is committed (held by a majority). */
  commit = 0
  private readonly votes = new Set<number>()
  /** Per follower (leader only): where its log and the leader's may start to differ. */
  private readonly next = new Map<number, number>()
  /** Per follower (leader only): how much of the leader's log it is known to hold. */
  private readonly match = new Map<number, number>()
  private waiters: Waiter[] = []
  private electionTimer: NodeJS.Timeout | undefined
  private ticker: NodeJS.Timeout | undefined
  private reported = { id: null as number | null, term: -1 }

  constructor(
    readonly id: number,
    private readonly others: number[],
    private readonly durable: Durable,
    private readonly io: NodeIo,
  ) {}

  /** Start as a follower; a bootstrapping node stands for election at once. */
  start(bootstrap: boolean): void {
    if (bootstrap) this.startElection()
    else this.resetElectionTimer()
  }

  stop(): void {
    clearTimeout(this.electionTimer)
    clearInterval(this.ticker)
    this.failWaiters(new NotLeaderError(this.id, null))
  }

  get log(): readonly Entry[] {
    return this.durable.log
  }

  /** Append a write (leader only); resolves with its index once a majority holds it. */
  put(key: string, value: unknown, timeoutMs: number): Promise<number> {
    if (this.role !== 'leader') return Promise.reject(new NotLeaderError(this.id, this.leader))
    this.durable.log.push({ term: this.durable.term, key, value })
    this.io.save(this.durable)
    const index = this.durable.log.length
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.index !== index)
        reject(new NoQuorumError(`write of ${key} not acknowledged: no majority held it within ${timeoutMs} ms`))
      }, timeoutMs)
      const settle =
        <A>(fn: (a: A) => void) =>
        (a: A) => (clearTimeout(timer), fn(a))
      this.waiters.push({ index, resolve: settle(resolve), reject: settle(reject) })
      this.replicate()
    })
  }

  receive(message: Message): void {
    // A newer term, from anyone: this node's view is stale; it follows until it learns the leader.
    if (message.term > this.durable.term) this.becomeFollower(message.term)
    switch (message.type) {
      case 'vote':
        return this.onVote(message)
      case 'voted':
        return this.onVoted(message)
      case 'append':
        return this.onAppend(message)
      case 'appended':
        return this.onAppended(message)
    }
  }

  private onVote(m: VoteRequest): void {
    const { term, votedFor } = this.durable
    const lastTerm = this.lastTerm()
    const upToDate = m.lastTerm > lastTerm || (m.lastTerm === lastTerm && m.lastIndex >= this.durable.log.length)
    const granted = m.term === term && (votedFor === null || votedFor === m.from) && upToDate
    if (granted) {
      this.durable.votedFor = m.from
      this.io.save(this.durable)
      this.resetElectionTimer()
    }
    this.io.send(m.from, { type: 'voted', from: this.id, term, granted })
  }

  private onVoted(m: VoteReply): void {
    if (this.role !== 'candidate' || m.term !== this.durable.term || !m.granted) return
    this.votes.add(m.from)
    if (this.isMajority(this.votes.size)) this.becomeLeader()
  }

  private onAppend(m: Append): void {
    const { term, log } = this.durable
    const reply = (ok: boolean, match: number) =>
      this.io.send(m.from, { type: 'appended', from: this.id, term, ok, match })
    if (m.term < term) return reply(false, 0)
    // The leader of this term: a candidate that lost goes back to following.
    this.role = 'follower'
    this.stopTicking()
    this.follow(m.from)
    this.resetElectionTimer()
    // The logs must agree up to `prev`; if not, the leader retries from further back.
    if (m.prev > log.length || (m.prev > 0 && log[m.prev - 1]!.term !== m.prevTerm)) {
      return reply(false, Math.min(m.prev - 1, log.length))
    }
    // Messages from one leader arrive in order, each with its whole log from `prev` on: what this
    // log holds after `prev` is replaced (entries of an older term the leader does not have go).
    if (m.entries.length > 0 || log.length > m.prev) {
      log.splice(m.prev, log.length - m.prev, ...m.entries)
      this.io.save(this.durable)
    }
    this.advanceCommit(Math.min(m.commit, m.prev + m.entries.length))
    reply(true, m.prev + m.entries.length)
  }

  private onAppended(m: AppendReply): void {
    if (this.role !== 'leader' || m.term !== this.durable.term) return
    if (!m.ok) {
      this.next.set(m.from, Math.max(0, m.match))
      return this.sendAppend(m.from)
    }
    const match = Math.max(this.match.get(m.from) ?? 0, m.match)
    this.match.set(m.from, match)
    this.next.set(m.from, match)
    // Commit the newest entry of this term that a majority holds, and with it everything before.
    const { log, term } = this.durable
    for (let n = log.length; n > this.commit; n--) {
      const holders = 1 + this.others.filter((o) => (this.match.get(o) ?? 0) >= n).length
      if (log[n - 1]!.term === term && this.isMajority(holders)) return this.advanceCommit(n)
    }
  }

  private startElection(): void {
    this.role = 'candidate'
    this.durable.term += 1
    this.durable.votedFor = this.id
    this.io.save(this.durable)
    this.votes.clear()
    this.votes.add(this.id)
    this.resetElectionTimer()
    this.tick(() => this.requestVotes())
  }

  private requestVotes(): void {
    const { term, log } = this.durable
    for (const other of this.others) {
      this.io.send(other, { type: 'vote', from: this.id, term, lastIndex: log.length, lastTerm: this.lastTerm() })
    }
  }

  private becomeLeader(): void {
    this.role = 'leader'
    clearTimeout(this.electionTimer)
    // A no-op of its own term: committing it commits every entry before it (Raft §5.4.2).
    this.durable.log.push({ term: this.durable.term, key: null })
    this.io.save(this.durable)
    for (const other of this.others) {
      this.next.set(other, this.durable.log.length - 1)
      this.match.set(other, 0)
    }
    this.follow(this.id)
    this.tick(() => this.replicate())
  }

  private becomeFollower(term: number): void {
    const wasLeader = this.role === 'leader'
    this.durable.term = term
    this.durable.votedFor = null
    this.io.save(this.durable)
    this.role = 'follower'
    this.leader = null
    this.stopTicking()
    if (wasLeader) this.failWaiters(new NotLeaderError(this.id, null))
    this.resetElectionTimer()
  }

  private replicate(): void {
    for (const other of this.others) this.sendAppend(other)
  }

  private sendAppend(to: number): void {
    const { term, log } = this.durable
    const prev = this.next.get(to) ?? 0
    const prevTerm = prev === 0 ? 0 : log[prev - 1]!.term
    this.io.send(to, {
      type: 'append',
      from: this.id,
      term,
      prev,
      prevTerm,
      entries: log.slice(prev),
      commit: this.commit,
    })
  }

  private advanceCommit(index: number): void {
    if (index <= this.commit) return
    this.commit = index
    this.io.report({ event: 'commit', index })
    const done = this.waiters.filter((w) => w.index <= index)
    this.waiters = this.waiters.filter((w) => w.index > index)
    for (const w of done) w.resolve(w.index)
  }

  /** Note who leads this term; the test hears of each change. */
  private follow(leader: number): void {
    this.leader = leader
    const term = this.durable.term
    if (this.reported.id === leader && this.reported.term === term) return
    this.reported = { id: leader, term }
    this.io.report({ event: 'leader', id: leader, term })
  }

  private failWaiters(error: Error): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w.reject(error)
  }

  private resetElectionTimer(): void {
    clearTimeout(this.electionTimer)
    this.electionTimer = setTimeout(() => this.startElection(), ELECTION_MS * (1 + Math.random()))
  }

  /** Do `action` now and every `HEARTBEAT_MS` until the role changes. */
  private tick(action: () => void): void {
    this.stopTicking()
    action()
    this.ticker = setInterval(action, HEARTBEAT_MS)
  }

  private stopTicking(): void {
    clearInterval(this.ticker)
    this.ticker = undefined
  }

  private lastTerm(): number {
    return this.durable.log.at(-1)?.term ?? 0
  }

  private isMajority(count: number): boolean {
    return count * 2 > this.others.length + 1
  }
}
