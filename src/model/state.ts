/**
 * The modelled world: every live `SSL_SESSION` and `SSL_CTX`, with reference counts explicit.
 *
 * Persistent structures keep each step proportional to the library's own work: a hash map
 * stands for the `SSL_CTX`'s lhash, and a sorted map (a B+ tree) for the doubly linked session
 * list. Both are rerooted versions of one mutable structure (`pmap.ts`): the newest state is a
 * plain `Map`/B+ tree, older states stay valid and reroot when read.
 *
 * @category state
 */

import type { LHash } from './lhash.js';
import { Map as IMap } from 'immutable';
import { PMap, PSortedMap } from './pmap.js';
import type { CallbackName, Counter, CtxHandle, Role, SessionHandle, SslHandle } from './types.js';
import { COUNTERS } from './types.js';

/** One `SSL_SESSION` object. */
export interface Sess {
  /** The C reference count. */
  readonly refs: number;
  /** References the application holds (from `SSL_SESSION_new`, `SSL_SESSION_up_ref`, …). */
  readonly app: number;
  /** Session id, lower-case hex, 0–32 bytes. */
  readonly id: string;
  /** Protocol version, part of the cache key (0 for `SSL_SESSION_new`). */
  readonly version: number;
  readonly time: bigint;
  readonly timeout: bigint;
  /** Position key in the owner's list (profile-defined rank; see §ORDER-1). */
  readonly rank: bigint;
  readonly notResumable: boolean;
  /** The `SSL_CTX` whose list holds the session (OpenSSL's `owner`), or null. */
  readonly owner: CtxHandle | null;
  /** Link sequence number: when the session was last linked into a list. */
  readonly link: number;
  /** The session id context (hex) copied from the connection that made it; '' for others. */
  readonly sidCtx: string;
  /** Made by a handshake that has not finished (no master secret yet): never to be resumed (§UB-5). */
  readonly unfinished: boolean;
  /**
   * Which master secret it holds: the handle of the server session of the full handshake that
   * made it ('' for none). A client and a server can resume only with the same secret.
   */
  readonly secret: string;
}

/** How far an `SSL`'s handshake has gone. */
export type Phase =
  /** Never started, or reset by `SSL_clear`: `SSL_in_before`. */
  | 'before'
  /** Started, not finished: `SSL_in_init`. */
  | 'partial'
  /** Finished. */
  | 'done'
  /** Stopped by a fatal error (the state machine stays in init). */
  | 'failed';

/** One `SSL` object. */
export interface Conn {
  /** Its `SSL_CTX`, which is also its `session_ctx` (SNI switching is not modelled). */
  readonly ctx: CtxHandle;
  readonly role: Role;
  /** `s->session`: the session it holds one reference on, or null. */
  readonly session: SessionHandle | null;
  readonly phase: Phase;
  /** `s->hit`, what `SSL_session_reused` returns. */
  readonly hit: boolean;
  /** `SSL_SENT_SHUTDOWN`. */
  readonly sent: boolean;
  /** Session id context and verify mode, copied from the context by `SSL_new`. */
  readonly sidCtx: string;
  readonly verifyPeer: boolean;
  /** A client that also speaks TLS 1.3 (`SSL_new(…, max TLSv1.3)`). */
  readonly tls13: boolean;
}

/** A list position: rank first, then link sequence (older links nearer the tail). */
export interface OrderKey {
  readonly rank: bigint;
  readonly link: number;
}

const compareOrder = (a: OrderKey, b: OrderKey): number =>
  a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.link - b.link;

/** The session list, ordered from tail (first) to head (last). */
export type Order = PSortedMap<OrderKey, SessionHandle>;
const EMPTY_ORDER: Order = PSortedMap.empty<OrderKey, SessionHandle>(compareOrder);
export const emptyOrder = (): Order => EMPTY_ORDER;

export interface Callbacks {
  readonly new: CallbackName;
  readonly remove: CallbackName;
  readonly get: CallbackName;
}

export type Stats = Readonly<Record<Counter, bigint>>;
export const zeroStats: Stats = Object.fromEntries(COUNTERS.map((c) => [c, 0n])) as Stats;

/** One `SSL_CTX` with its internal session cache. */
export interface Ctx {
  /** The hash table: cache key → session. */
  readonly cache: PMap<string, SessionHandle>;
  /** The linked list, as an ordered tree. */
  readonly order: Order;
  /** `session_cache_size` (a `size_t`). */
  readonly size: bigint;
  /** `session_cache_mode`, stored as set. */
  readonly mode: bigint;
  /** `session_timeout`. */
  readonly timeout: bigint;
  readonly stats: Stats;
  readonly cbs: Callbacks;
  /** OpenSSL 1.1.1's hash-table layout, kept by profiles that walk it (§FLUSH-3). */
  readonly lhash: LHash<SessionHandle> | null;
  /** `SSL_CTX_set_session_id_context` (hex) and `SSL_CTX_set_verify`'s mode. */
  readonly sidCtx: string;
  readonly verify: bigint;
  /** Live `SSL` objects made from it: each holds it alive (§CONN-2). */
  readonly conns: number;
  /** The application called `SSL_CTX_free` while connections still held it. */
  readonly appFreed: boolean;
}

export interface State {
  readonly sessions: PMap<SessionHandle, Sess>;
  readonly ctxs: PMap<CtxHandle, Ctx>;
  /** Connections and the external store change rarely: plain persistent (Immutable) maps. */
  readonly conns: IMap<SslHandle, Conn>;
  /**
   * The external session store behind the callbacks (spec/external.md): session id → the
   * session it keeps, one reference each. One store serves every context, as a shared cache does.
   */
  readonly store: IMap<string, SessionHandle>;
  /** Handles ever created (a handle below the mark and absent from the map was freed). */
  readonly sessionsCreated: number;
  readonly ctxsCreated: number;
  readonly connsCreated: number;
  readonly nextLink: number;
}

export const initialState: State = {
  sessions: PMap.empty(),
  ctxs: PMap.empty(),
  conns: IMap(),
  store: IMap(),
  sessionsCreated: 0,
  ctxsCreated: 0,
  connsCreated: 0,
  nextLink: 0,
};

/** The hash-table key of a session: protocol version, id length, id bytes. */
export const cacheKey = (s: Pick<Sess, 'version' | 'id'>): string => `${s.version}:${s.id}`;
export const orderKey = (s: Pick<Sess, 'rank' | 'link'>): OrderKey => ({ rank: s.rank, link: s.link });
export const idLength = (s: Pick<Sess, 'id'>): number => s.id.length / 2;
