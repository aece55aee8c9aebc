/**
 * The transition function: `step(profile)(state, call)`.
 *
 * Covers the object-level API of the man pages SSL_SESSION_new(3), SSL_SESSION_set1_id(3),
 * SSL_SESSION_get_time(3), SSL_SESSION_free(3), SSL_SESSION_is_resumable(3), SSL_CTX_new(3),
 * SSL_CTX_add_session(3), SSL_CTX_flush_sessions(3), SSL_CTX_sess_set_cache_size(3),
 * SSL_CTX_sess_number(3), SSL_CTX_set_session_cache_mode(3), SSL_CTX_set_timeout(3) and
 * SSL_CTX_sess_set_get_cb(3). Each handler is "checks, then core": undefined behaviour is
 * detected first and returned as an outcome of its own; then the state changes, recording the
 * observable events in the order the library produces them and the clauses that decided them.
 *
 * @category model
 */
import { asSigned64, asUnsigned64 } from './int64.js';
import { emptyLHash, lhDelete, lhFlushWalk, lhInsert } from './lhash.js';
import { Edit, PMap } from './pmap.js';
import type { Profile, Rules } from './profile.js';
import { Map as IMap } from 'immutable';
import { connHandlers } from './connection.js';
import {
  type Conn,
  type Ctx,
  cacheKey,
  emptyOrder,
  idLength,
  orderKey,
  type Sess,
  type State,
  zeroStats,
} from './state.js';
import {
  type Call,
  type CallOf,
  type ClauseId,
  type Counter,
  type CtxHandle,
  type Event,
  type Branch,
  type Outcome,
  type Ret,
  ret,
  type SessionHandle,
  type SslHandle,
  type StatFn,
  type StepResult,
} from './types.js';

/** Thrown inside a handler to end it with an undefined-behaviour outcome. */
export class Undefined {
  constructor(
    readonly reason: string,
    readonly clause: ClauseId,
  ) {}
}

/**
 * The clock readings a step may take: `lo` and `hi` bound them (the clock before and after the
 * call), and `choices` fixes the value of each reading in turn (readings past the end take the
 * last choice, or `lo`). Readings never go backwards.
 */
export interface ClockPlan {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly choices: readonly bigint[];
}

/** In `Tx.seen`: a session not read before this step wrote it. */
const UNREAD: unique symbol = Symbol('unread');
/** Sessions `Tx.seen` holds before it writes them back. */
const SEEN_MAX = 8;

/**
 * A step in progress: an immutable state being rebuilt, the events and clauses so far.
 *
 * The maps the step writes are transients of the state's maps owned by `edit` (see pmap.ts):
 * a step makes one new version of each map it writes, however many writes it does, and the
 * state it started from is never changed. `edit` is closed when the step ends.
 *
 * The few sessions a step works on are read and written through `seen`, a small write-back
 * cache in front of the session map: a handler reads and rewrites the same one or two records
 * a dozen times, and each of those would otherwise be a lookup in a map the size of the cache
 * (a cache miss each, at a million sessions). `sessions` writes it back before it is read.
 */
export class Tx {
  private sessionsMap: PMap<SessionHandle, Sess>;
  /**
   * Handle, value as this step has it (undefined: freed), value in `sessionsMap` (or UNREAD);
   * three slots per session, at most SEEN_MAX sessions.
   */
  private readonly seen: (SessionHandle | Sess | undefined | typeof UNREAD)[] = [];
  ctxs: PMap<CtxHandle, Ctx>;
  conns: IMap<SslHandle, Conn>;
  store: IMap<string, SessionHandle>;
  sessionsCreated: number;
  ctxsCreated: number;
  connsCreated: number;
  nextLink: number;
  readonly events: Event[] = [];
  /** The clauses so far, each once, in the order they first applied. */
  readonly clauses: ClauseId[] = [];
  readonly edit = new Edit();
  /** How many times the step read the clock. */
  reads = 0;

  constructor(
    readonly rules: Rules,
    state: State,
    readonly clockPlan: ClockPlan | null = null,
  ) {
    this.sessionsMap = state.sessions;
    this.ctxs = state.ctxs;
    this.conns = state.conns;
    this.store = state.store;
    this.sessionsCreated = state.sessionsCreated;
    this.ctxsCreated = state.ctxsCreated;
    this.connsCreated = state.connsCreated;
    this.nextLink = state.nextLink;
  }

  /** The session map as this step has left it so far. */
  get sessions(): PMap<SessionHandle, Sess> {
    this.writeBack();
    return this.sessionsMap;
  }

  set sessions(m: PMap<SessionHandle, Sess>) {
    this.writeBack();
    this.sessionsMap = m;
  }

  /** Writes the sessions changed in `seen` into the session map, and empties `seen`. */
  private writeBack(): void {
    const w = this.seen;
    if (w.length === 0) return;
    let m = this.sessionsMap;
    for (let i = 0; i < w.length; i += 3) {
      const h = w[i] as SessionHandle;
      const s = w[i + 1] as Sess | undefined;
      if (s === w[i + 2]) continue;
      m = m.asMutable(this.edit);
      m = s === undefined ? m.delete(h) : m.set(h, s);
    }
    this.sessionsMap = m;
    w.length = 0;
  }

  /** The index of `h` in `seen`, or -1. */
  private seenAt(h: SessionHandle): number {
    const w = this.seen;
    for (let i = 0; i < w.length; i += 3) if (w[i] === h) return i;
    return -1;
  }

  /** Room for one more session in `seen`. */
  private seenRoom(): void {
    if (this.seen.length >= 3 * SEEN_MAX) this.writeBack();
  }

  state(): State {
    const sessions = this.sessions;
    this.edit.close();
    return {
      sessions,
      ctxs: this.ctxs,
      conns: this.conns,
      store: this.store,
      sessionsCreated: this.sessionsCreated,
      ctxsCreated: this.ctxsCreated,
      connsCreated: this.connsCreated,
      nextLink: this.nextLink,
    };
  }

  /** One reading of the library's clock (`time(NULL)`), as the clock plan fixes it. */
  clock(): bigint {
    const p = this.clockPlan;
    if (p === null) throw new Error('model: a call without a clock input read the clock');
    const k = this.reads++;
    return p.choices[Math.min(k, p.choices.length - 1)] ?? p.lo;
  }

  conn(h: SslHandle): Conn {
    const c = this.conns.get(h);
    if (c === undefined) throw new Undefined(`use after free: ${h} was freed`, '§UB-1');
    return c;
  }

  putConn(h: SslHandle, c: Conn): void {
    this.conns = this.conns.set(h, c);
  }

  by(...clauses: ClauseId[]): void {
    for (const c of clauses) if (!this.clauses.includes(c)) this.clauses.push(c);
  }

  // §UB-1: every handle passed to a call must name a live object.
  sess(h: SessionHandle): Sess {
    const i = this.seenAt(h);
    let s: Sess | undefined;
    if (i >= 0) s = this.seen[i + 1] as Sess | undefined;
    else {
      s = this.sessionsMap.get(h);
      this.seenRoom();
      this.seen.push(h, s, s);
    }
    if (s === undefined) throw new Undefined(`use after free: ${h} was freed`, '§UB-1');
    return s;
  }

  ctx(h: CtxHandle): Ctx {
    const c = this.ctxs.get(h);
    if (c === undefined) throw new Undefined(`use after free: ${h} was freed`, '§UB-1');
    return c;
  }

  putSess(h: SessionHandle, s: Sess): void {
    this.stash(h, s);
  }

  /** Sets what this step has for `h` (undefined: freed). */
  private stash(h: SessionHandle, s: Sess | undefined): void {
    const i = this.seenAt(h);
    if (i >= 0) this.seen[i + 1] = s;
    else {
      this.seenRoom();
      this.seen.push(h, s, UNREAD);
    }
  }

  putCtx(h: CtxHandle, c: Ctx): void {
    this.ctxs = this.ctxs.asMutable(this.edit).set(h, c);
  }

  /**
   * Stores `ctx`'s list after an edit. A list this step already edits is edited in place (a
   * transient, see pmap.ts), and the context record this step made for it already points to
   * it: no new record is needed.
   */
  private putOrder(ch: CtxHandle, c: Ctx, order: Ctx['order']): void {
    if (order !== c.order) this.putCtx(ch, { ...c, order });
  }

  /** Stores `ctx`'s hash table after an edit (like `putOrder`). */
  private putCache(ch: CtxHandle, c: Ctx, cache: Ctx['cache'], lhash: Ctx['lhash']): void {
    if (cache !== c.cache || lhash !== c.lhash) this.putCtx(ch, { ...c, cache, lhash });
  }

  count(h: CtxHandle, counter: Counter): void {
    const c = this.ctx(h);
    this.putCtx(h, { ...c, stats: { ...c.stats, [counter]: c.stats[counter] + 1n } });
  }

  /** Drops one reference; the object is destroyed, observably, when none is left. §REF-2 */
  release(h: SessionHandle): void {
    const s = this.sess(h);
    if (s.refs > 1) {
      this.putSess(h, { ...s, refs: s.refs - 1 });
      return;
    }
    this.stash(h, undefined);
    this.events.push({ ev: 'free', s: h });
    this.by('§REF-2');
  }

  /** Puts a session into `ctx`'s list at the position of its rank, as the newest link. §ORDER-1 */
  link(ch: CtxHandle, h: SessionHandle): void {
    const c = this.ctx(ch);
    const seq = this.nextLink++;
    const s = { ...this.sess(h), owner: ch, link: this.rules.tieBreak === 'newest-at-head' ? seq : -seq };
    this.putSess(h, s);
    this.putOrder(ch, c, c.order.asMutable(this.edit).with(orderKey(s), h, true));
    this.by('§ORDER-1');
    if (this.rules.time.flagged(s.time, s.timeout)) this.by('§ORDER-2');
  }

  /** Takes a session out of its owner's list (`owner` cleared). */
  unlink(h: SessionHandle): void {
    const s = this.sess(h);
    if (s.owner === null) return;
    const c = this.ctx(s.owner);
    this.putOrder(s.owner, c, c.order.asMutable(this.edit).without(orderKey(s)));
    this.putSess(h, { ...s, owner: null });
  }

  /**
   * Sets time and timeout. A cached session is re-linked at the position of its new rank where
   * the profile re-sorts; elsewhere it keeps its list position (and rank). §SESS-5
   */
  retime(h: SessionHandle, time: bigint, timeout: bigint): void {
    const s = this.sess(h);
    const owner = s.owner;
    if (owner === null) {
      this.putSess(h, { ...s, time, timeout, rank: this.rules.time.rank(time, timeout) });
      return;
    }
    if (!this.rules.settersRelink) {
      this.putSess(h, { ...s, time, timeout });
      return;
    }
    this.unlink(h);
    this.putSess(h, { ...this.sess(h), time, timeout, rank: this.rules.time.rank(time, timeout) });
    this.link(owner, h);
    this.by('§SESS-5');
  }

  /** Files `h` in the hash table under its key (replacing what was there, in place). */
  cacheSet(ch: CtxHandle, h: SessionHandle): void {
    const c = this.ctx(ch);
    const s = this.sess(h);
    const lhash = c.lhash === null ? null : lhInsert(c.lhash, s.id, s.version, h);
    this.putCache(ch, c, c.cache.asMutable(this.edit).set(cacheKey(s), h), lhash);
  }

  /** Takes the entry with `h`'s key out of the hash table (`lhash` too unless `keepLhash`). */
  cacheDelete(ch: CtxHandle, h: SessionHandle, keepLhash = false): void {
    const c = this.ctx(ch);
    const s = this.sess(h);
    const lhash = c.lhash === null || keepLhash ? c.lhash : lhDelete(c.lhash, s.id, s.version);
    this.putCache(ch, c, c.cache.asMutable(this.edit).delete(cacheKey(s)), lhash);
  }

  /** Removes the hash entry and list link of a cached session, marking it non-resumable. */
  evictEntry(ch: CtxHandle, h: SessionHandle, keepLhash = false): void {
    this.unlink(h);
    this.cacheDelete(ch, h, keepLhash);
    this.putSess(h, { ...this.sess(h), notResumable: true });
  }

  removeCallback(ch: CtxHandle, h: SessionHandle): void {
    if (this.ctx(ch).cbs.remove !== null) this.events.push({ ev: 'remove_cb', ctx: ch, s: h });
  }

  /**
   * `remove_session_lock`: matches by key (any cached object with the argument's key), marks
   * the argument, reports the argument to the remove callback whether or not anything was
   * found, and drops the removed entry's reference after the callback. Size-based eviction
   * uses the same path with the list tail as the argument. Returns whether an entry was removed.
   * §REMOVE-1 §REMOVE-2 §REMOVE-3 §REMOVE-4 §REMOVE-5
   */
  removeSession(ch: CtxHandle, h: SessionHandle, eviction: boolean): boolean {
    const r = this.rules;
    const arg = this.sess(h);
    if (idLength(arg) === 0 && r.removeIgnoresEmptyId) {
      this.by('§REMOVE-1');
      return false;
    }
    const key = cacheKey(arg);
    const cached = this.ctx(ch).cache.get(key);
    const found = r.removeMatches === 'key' || cached === h ? cached : undefined;
    this.by('§REMOVE-2');
    if (found !== undefined) {
      this.unlink(found);
      this.cacheDelete(ch, found);
    }
    if (
      r.removeMarks === 'argument-always' ||
      (r.removeMarks === 'argument-when-found' && found !== undefined)
    ) {
      this.putSess(h, { ...this.sess(h), notResumable: true });
      this.by('§REMOVE-3');
    }
    if (!eviction || r.evictionCallsRemoveCb) {
      if (r.removeCallback === 'argument-always') this.removeCallback(ch, h);
      else if (found !== undefined) this.removeCallback(ch, found);
      this.by('§REMOVE-4');
    }
    if (found !== undefined) {
      this.release(found);
      this.by('§REMOVE-5');
    }
    return found !== undefined;
  }

  /** Frees a context: the whole cache is flushed first. §CTX-2 */
  freeCtx(ch: CtxHandle): void {
    this.flush(ch, 0n);
    this.ctxs = this.ctxs.delete(ch);
    this.by('§CTX-2');
  }

  /** The flush walk shared by `SSL_CTX_flush_sessions` and `SSL_CTX_free`. §FLUSH-1..4 */
  flush(ch: CtxHandle, t: bigint): void {
    const r = this.rules;
    const all = t === 0n && r.flushZeroMeansAll;
    const expired = (h: SessionHandle): boolean => {
      if (all) return true;
      const s = this.sess(h);
      if (r.time.flagged(s.time, s.timeout)) this.by('§ORDER-2');
      return r.time.expiredAt(t, s.time, s.timeout);
    };
    this.by(all ? '§FLUSH-1' : '§FLUSH-2');
    const removed: SessionHandle[] = [];
    const remove = (h: SessionHandle, keepLhash = false): void => {
      this.evictEntry(ch, h, keepLhash);
      this.removeCallback(ch, h);
      if (r.flushFrees === 'in-walk') this.release(h);
      else removed.push(h);
      this.by('§FLUSH-4');
    };
    if (r.flushWalk === 'tail-until-unexpired') {
      this.by('§FLUSH-3');
      for (;;) {
        const tail = this.ctx(ch).order.minKey();
        if (tail === undefined) break;
        const h = this.ctx(ch).order.get(tail) as SessionHandle;
        if (!expired(h)) break;
        remove(h);
      }
    } else if (r.flushWalk === 'lhash') {
      // 1.1.1: `doall` over the hash table, deleting as it goes (with shrinking held off).
      this.by('§FLUSH-3');
      const lhash = this.ctx(ch).lhash;
      if (lhash === null) throw new Error('model: the profile walks an lhash it does not keep');
      const walk = lhFlushWalk(lhash, (h) => expired(h));
      for (const h of walk.removed) remove(h, true);
      this.putCtx(ch, { ...this.ctx(ch), lhash: walk.table });
    } else {
      for (const h of this.ctx(ch).cache.values()) if (expired(h)) remove(h);
    }
    for (const h of removed) this.release(h);
  }
}

export type Handler<N extends Call['fn']> = (tx: Tx, call: CallOf<N>) => Ret;

const STAT_COUNTER = (fn: StatFn): Counter => fn.slice('SSL_CTX_sess_'.length) as Counter;

/** Consumes one reference the application holds. §REF-3 */
const releaseAppRef = (tx: Tx, h: SessionHandle): void => {
  const s = tx.sess(h);
  if (s.app === 0) {
    throw new Undefined(
      `${h} released without a reference held by the application (the cache's reference would be freed)`,
      '§REF-3',
    );
  }
  tx.putSess(h, { ...s, app: s.app - 1 });
  tx.by('§REF-3');
  tx.release(h);
};

const handlers: { readonly [N in Exclude<Call['fn'], keyof typeof connHandlers>]: Handler<N> } = {
  SSL_SESSION_new: (tx, { now }) => {
    const h: SessionHandle = `s${++tx.sessionsCreated}`;
    const timeout = tx.rules.newSessionTimeout;
    tx.putSess(h, {
      refs: 1,
      app: 1,
      id: '',
      version: 0,
      time: now,
      timeout,
      rank: tx.rules.time.rank(now, timeout),
      notResumable: false,
      owner: null,
      link: -1,
      sidCtx: '',
      unfinished: false,
      secret: '',
    });
    tx.by('§SESS-1');
    return ret.session(h);
  },

  SSL_SESSION_set1_id: (tx, { s: h, id }) => {
    const s = tx.sess(h);
    tx.by('§SESS-2');
    if (id.length / 2 > tx.rules.maxIdLength) return ret.int(0);
    if (s.owner !== null || tx.ctxs.some((c) => c.cache.get(cacheKey(s)) === h)) {
      throw new Undefined(`the id of ${h} changed while it is cached (the hash key would be stale)`, '§UB-3');
    }
    tx.putSess(h, { ...s, id });
    return ret.int(1);
  },

  SSL_SESSION_set_time: (tx, { s: h, t }) => {
    const s = tx.sess(h);
    tx.retime(h, t, s.timeout);
    tx.by('§SESS-3');
    return tx.rules.setTimeReturns === 'argument' ? ret.int(t) : ret.int(1);
  },

  SSL_SESSION_set_timeout: (tx, { s: h, t }) => {
    const s = tx.sess(h);
    tx.by('§SESS-4');
    if (t < 0n && tx.rules.setTimeoutRejectsNegative) return ret.int(0);
    tx.retime(h, s.time, t);
    return ret.int(1);
  },

  SSL_SESSION_get_time: (tx, { s }) => {
    tx.by('§SESS-6');
    return ret.int(tx.sess(s).time);
  },

  SSL_SESSION_get_timeout: (tx, { s }) => {
    tx.by('§SESS-6');
    return ret.int(tx.sess(s).timeout);
  },

  SSL_SESSION_up_ref: (tx, { s: h }) => {
    const s = tx.sess(h);
    tx.putSess(h, { ...s, refs: s.refs + 1, app: s.app + 1 });
    tx.by('§REF-1');
    return ret.int(1);
  },

  SSL_SESSION_free: (tx, { s }) => {
    if (s === null) {
      tx.by('§REF-2');
      return ret.void;
    }
    releaseAppRef(tx, s);
    return ret.void;
  },

  SSL_SESSION_is_resumable: (tx, { s: h }) => {
    const s = tx.sess(h);
    tx.by('§SESS-7');
    return ret.int(!s.notResumable && idLength(s) > 0);
  },

  SSL_CTX_new: (tx) => {
    const h: CtxHandle = `c${++tx.ctxsCreated}`;
    const d = tx.rules.ctxDefaults;
    tx.putCtx(h, {
      cache: emptyCache,
      order: emptyOrder(),
      size: d.size,
      mode: d.mode,
      timeout: d.timeout,
      stats: zeroStats,
      lhash: tx.rules.keepsLhash ? emptyLHash<SessionHandle>() : null,
      cbs: { new: null, remove: null, get: null },
      sidCtx: '',
      verify: 0n,
      conns: 0,
      appFreed: false,
    });
    tx.by('§CTX-1');
    return ret.ctx(h);
  },

  SSL_CTX_free: (tx, { ctx }) => {
    const c = tx.ctx(ctx);
    if (c.conns > 0 && tx.rules.conn.ctxHeldByConnections) {
      // §CONN-2: each SSL holds the context; the last SSL_free flushes and frees it.
      tx.putCtx(ctx, { ...c, appFreed: true });
      tx.by('§CONN-2');
      return ret.void;
    }
    tx.freeCtx(ctx);
    return ret.void;
  },

  SSL_CTX_add_session: (tx, { ctx: ch, s: h, now }) => addSession(tx, ch, h, () => now),

  SSL_CTX_remove_session: (tx, { ctx, s }) => {
    tx.ctx(ctx);
    if (s === null) {
      tx.by('§REMOVE-1');
      return ret.int(0);
    }
    return ret.int(tx.removeSession(ctx, s, false));
  },

  SSL_CTX_flush_sessions: (tx, { ctx, t }) => {
    tx.ctx(ctx);
    tx.flush(ctx, t);
    return ret.void;
  },

  SSL_CTX_sess_set_cache_size: (tx, { ctx: ch, size }) => {
    const c = tx.ctx(ch);
    tx.by('§SIZE-1');
    if (size < 0n && tx.rules.cacheSizeRejectsNegative) return ret.int(0);
    tx.putCtx(ch, { ...c, size: asUnsigned64(size) });
    return ret.int(asSigned64(c.size));
  },

  SSL_CTX_sess_get_cache_size: (tx, { ctx }) => {
    tx.by('§SIZE-1');
    return ret.int(asSigned64(tx.ctx(ctx).size));
  },

  SSL_CTX_sess_number: (tx, { ctx }) => {
    tx.by('§SIZE-2');
    return ret.int(tx.ctx(ctx).cache.size);
  },

  SSL_CTX_set_session_cache_mode: (tx, { ctx: ch, mode }) => {
    const c = tx.ctx(ch);
    tx.putCtx(ch, { ...c, mode: mode & tx.rules.modeMask });
    tx.by('§MODE-1');
    return ret.int(c.mode);
  },

  SSL_CTX_get_session_cache_mode: (tx, { ctx }) => {
    tx.by('§MODE-1');
    return ret.int(tx.ctx(ctx).mode);
  },

  SSL_CTX_set_timeout: (tx, { ctx: ch, t }) => {
    const c = tx.ctx(ch);
    tx.putCtx(ch, { ...c, timeout: t });
    tx.by('§CTX-3');
    return ret.int(c.timeout);
  },

  SSL_CTX_get_timeout: (tx, { ctx }) => {
    tx.by('§CTX-3');
    return ret.int(tx.ctx(ctx).timeout);
  },

  SSL_CTX_sess_set_new_cb: (tx, { ctx, cb }) => setCallback(tx, ctx, 'new', cb),
  SSL_CTX_sess_set_remove_cb: (tx, { ctx, cb }) => setCallback(tx, ctx, 'remove', cb),
  SSL_CTX_sess_set_get_cb: (tx, { ctx, cb }) => setCallback(tx, ctx, 'get', cb),
  SSL_CTX_sess_get_new_cb: (tx, { ctx }) => getCallback(tx, ctx, 'new'),
  SSL_CTX_sess_get_remove_cb: (tx, { ctx }) => getCallback(tx, ctx, 'remove'),
  SSL_CTX_sess_get_get_cb: (tx, { ctx }) => getCallback(tx, ctx, 'get'),

  SSL_CTX_sess_connect: (tx, call) => stat(tx, call),
  SSL_CTX_sess_connect_good: (tx, call) => stat(tx, call),
  SSL_CTX_sess_connect_renegotiate: (tx, call) => stat(tx, call),
  SSL_CTX_sess_accept: (tx, call) => stat(tx, call),
  SSL_CTX_sess_accept_good: (tx, call) => stat(tx, call),
  SSL_CTX_sess_accept_renegotiate: (tx, call) => stat(tx, call),
  SSL_CTX_sess_hits: (tx, call) => stat(tx, call),
  SSL_CTX_sess_cb_hits: (tx, call) => stat(tx, call),
  SSL_CTX_sess_misses: (tx, call) => stat(tx, call),
  SSL_CTX_sess_timeouts: (tx, call) => stat(tx, call),
  SSL_CTX_sess_cache_full: (tx, call) => stat(tx, call),
};

/**
 * The handlers of every call. The connection level's are joined on first use: connection.ts
 * imports this module, so at this module's evaluation they may not exist yet.
 */
let allHandlers: { readonly [N in Call['fn']]: Handler<N> } | undefined;
const handlerOf = (fn: Call['fn']): Handler<Call['fn']> => {
  allHandlers ??= { ...handlers, ...connHandlers } as { readonly [N in Call['fn']]: Handler<N> };
  return allHandlers[fn] as Handler<Call['fn']>;
};

const emptyCache: PMap<string, SessionHandle> = PMap.empty();

/**
 * `SSL_CTX_add_session(ctx, s)`, also reached from a handshake's cache update. `now` reads the
 * clock, which the library does only under UPDATE_TIME.
 */
export const addSession = (tx: Tx, ch: CtxHandle, h: SessionHandle, now: () => bigint): Ret => {
  const r = tx.rules;
  const c = tx.ctx(ch);
  const s0 = tx.sess(h);
  if (s0.owner !== null && s0.owner !== ch) {
    throw new Undefined(`${h} is already cached in ${s0.owner}; one session must serve one SSL_CTX`, '§UB-2');
  }
  tx.by('§ADD-6');
  if (idLength(s0) === 0 && r.addRejectsEmptyId) return ret.int(0);
  const key = cacheKey(s0);
  const prev = c.cache.get(key);
  // §ADD-1: the cache takes its reference, and the hash entry, first.
  tx.putSess(h, { ...s0, refs: s0.refs + 1 });
  tx.cacheSet(ch, h);
  tx.by('§ADD-1');
  const identical = prev === h;
  if (prev !== undefined && !identical) {
    // §ADD-4: a different object with the same key is replaced silently.
    tx.unlink(prev);
    if (r.replaceCallsRemoveCb) tx.removeCallback(ch, prev);
    tx.release(prev);
    tx.by('§ADD-4');
  }
  // §ADD-3: the identical object is taken out of the list and re-linked below.
  if (identical && r.readdRelinks) tx.unlink(h);
  if (r.updateTimeBit !== 0n && (tx.ctx(ch).mode & r.updateTimeBit) !== 0n) {
    // §ADD-5: the time is refreshed before the entry is (re)linked; a session still linked
    // keeps its position.
    const s = tx.sess(h);
    const t = now();
    tx.putSess(h, { ...s, time: t, rank: s.owner === null ? r.time.rank(t, s.timeout) : s.rank });
    tx.by('§ADD-5');
  }
  if (identical) {
    tx.by('§ADD-2');
    if (r.readdRelinks) {
      tx.link(ch, h);
      tx.by('§ADD-3');
    }
    tx.release(h);
    return ret.int(r.identicalAddResult);
  }
  if (r.eviction === 'before-link-while-count-ge-size') {
    evict(tx, ch, 0);
    tx.link(ch, h);
  } else {
    tx.link(ch, h);
    evict(tx, ch, 1);
  }
  return ret.int(1);
};

/**
 * Size-based eviction from the list tail. `extra` is 0 when the new entry is counted in the
 * hash but not yet linked (3.0: `while count >= size`), 1 when it is already linked (1.1.1:
 * `while count > size`). Stops when the tail cannot be removed (empty list or a zero-length
 * id). §EVICT-1 §EVICT-2 §EVICT-3
 */
const evict = (tx: Tx, ch: CtxHandle, extra: 0 | 1): void => {
  const size = tx.ctx(ch).size;
  if (size === 0n) return;
  tx.by('§EVICT-1');
  for (let evicted = 0; ; evicted++) {
    const count = BigInt(tx.ctx(ch).cache.size);
    if (extra === 0 ? count < size : count <= size) return;
    if (evicted > 0 && tx.rules.evictionLoop === 'one-per-add') return;
    if (evicted > 0) tx.by('§EVICT-4');
    const tail = tx.ctx(ch).order.minKey();
    const victim = tail === undefined ? undefined : tx.ctx(ch).order.get(tail);
    if (victim === undefined) return;
    if (idLength(tx.sess(victim)) === 0) {
      tx.by('§EVICT-3');
      if (!tx.rules.evictEmptyIdTail) return;
      tx.evictEntry(ch, victim);
      tx.removeCallback(ch, victim);
      tx.release(victim);
    } else {
      tx.removeSession(ch, victim, true);
    }
    tx.count(ch, 'cache_full');
    tx.by('§EVICT-2');
  }
};

const setCallback = (tx: Tx, ch: CtxHandle, which: 'new' | 'remove' | 'get', cb: string | null): Ret => {
  const c = tx.ctx(ch);
  tx.putCtx(ch, { ...c, cbs: { ...c.cbs, [which]: cb } });
  tx.by('§CB-1');
  return ret.void;
};

const getCallback = (tx: Tx, ch: CtxHandle, which: 'new' | 'remove' | 'get'): Ret => {
  tx.by('§CB-1');
  return ret.callback(tx.ctx(ch).cbs[which]);
};

const stat = (tx: Tx, call: { readonly fn: StatFn; readonly ctx: CtxHandle }): Ret => {
  tx.by('§STAT-1');
  return ret.int(tx.ctx(call.ctx).stats[STAT_COUNTER(call.fn)]);
};

/** Runs one handler in a fresh transaction; `undefined` behaviour is returned, not thrown. */
const attempt = (
  rules: Rules,
  state: State,
  call: Call,
  clockPlan: ClockPlan | null,
): { outcome: Outcome; state: State; clauses: readonly ClauseId[]; reads: number } | Undefined => {
  const tx = new Tx(rules, state, clockPlan);
  try {
    // §UB-1: a context the application freed is gone for it, even while connections hold it.
    if ('ctx' in call && tx.ctxs.get(call.ctx)?.appFreed === true) {
      throw new Undefined(`use after free: ${call.ctx} was freed`, '§UB-1');
    }
    const r = handlerOf(call.fn)(tx, call);
    return {
      outcome: { ret: r, events: tx.events },
      state: tx.state(),
      clauses: tx.clauses,
      reads: tx.reads,
    };
  } catch (e) {
    if (e instanceof Undefined) return e;
    throw e;
  } finally {
    tx.edit.close();
  }
};

/**
 * Every non-decreasing assignment of `n` clock readings to the seconds `lo..hi` (at most 64
 * of them; a clock that jumped further is taken at its ends).
 */
const clockChoices = (n: number, lo: bigint, hi: bigint): bigint[][] => {
  const span = Number(hi - lo);
  if (n === 0 || span <= 0) return [[lo]];
  const out: bigint[][] = [];
  const values = span <= 3 ? Array.from({ length: span + 1 }, (_, k) => lo + BigInt(k)) : [lo, hi];
  const go = (prefix: bigint[], from: number): void => {
    if (out.length >= 64) return;
    if (prefix.length === n) {
      out.push(prefix);
      return;
    }
    for (let k = from; k < values.length; k++) go([...prefix, values[k] as bigint], k);
  };
  go([], 0);
  return out;
};

/**
 * The transition function of `profile`. A call whose clock input is an interval (a handshake
 * that straddled a second) is run once per way its clock readings may fall in it; the distinct
 * outcomes are the allowed branches. §HS-6
 */
export const step =
  (profile: Profile) =>
  (state: State, call: Call): StepResult<State> => {
    const rules = profile.rules;
    const lo = 'now' in call ? call.now : 0n;
    const hi = 'later' in call && call.later !== undefined && call.later > lo ? call.later : lo;
    const first = attempt(rules, state, call, { lo, hi, choices: [lo] });
    if (first instanceof Undefined)
      return { kind: 'undefined', reason: first.reason, clauses: [first.clause] };
    const branches: Branch<State>[] = [{ outcome: first.outcome, state: first.state }];
    const clauses = new Set(first.clauses);
    if (hi > lo) {
      clauses.add('§HS-6');
      for (const choices of clockChoices(first.reads, lo, hi).slice(1)) {
        const r = attempt(rules, state, call, { lo, hi, choices });
        if (r instanceof Undefined) continue;
        for (const c of r.clauses) clauses.add(c);
        if (!branches.some((x) => sameOutcome(x.outcome, r.outcome)))
          branches.push({ outcome: r.outcome, state: r.state });
      }
    }
    return {
      kind: 'defined',
      branches: branches as [Branch<State>, ...Branch<State>[]],
      clauses: [...clauses],
    };
  };

const sameOutcome = (a: Outcome, b: Outcome): boolean =>
  JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) ===
  JSON.stringify(b, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
