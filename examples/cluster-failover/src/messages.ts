// Runs inside a KV node (a peer): what nodes send each other, and what a node reports to the
// test (the origin) with `origin.send`. The protocol is Raft's, cut down: elections with the
// "most up-to-date log wins" vote rule, and one append message that replicates the log and serves
// as the leader's heartbeat (https://raft.github.io/raft.pdf, §5).

/** One write in the replicated log; `key: null` is the no-op a new leader appends. */
export interface Entry {
  term: number
  key: string | null
  value?: unknown
}

/** A candidate asks for a vote. */
export interface VoteRequest {
  type: 'vote'
  from: number
  term: number
  lastIndex: number
  lastTerm: number
}

/** The answer to a vote request. */
export interface VoteReply {
  type: 'voted'
  from: number
  term: number
  granted: boolean
}

/** The leader's log from `prev` on (none: a heartbeat), and how far it is committed. */
export interface Append {
  type: 'append'
  from: number
  term: number
  prev: number
  prevTerm: number
  entries: Entry[]
  commit: number
}

/** A follower's answer: `match` is how much of the leader's log it now holds (when `ok`). */
export interface AppendReply {
  type: 'appended'
  from: number
  term: number
  ok: boolean
  match: number
}

export type Message = VoteRequest | VoteReply | Append | AppendReply

/** What a node reports to the test: who it follows (or that it leads), and how far its log is committed. */
export type KvEvent = { event: 'leader'; id: number; term: number } | { event: 'commit'; index: number }
