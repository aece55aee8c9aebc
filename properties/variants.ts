/**
 * The registry of broken models: one per clause, each changing exactly that clause's rule in a
 * small, targeted way — mostly by overriding one rule of the profile record (many of these are
 * what other implementations really do), otherwise by rewriting the outcome of the one call
 * the rule governs. The meta-test requires every clause's properties to fail on its variant.
 */

import { wrap64 } from '../src/model/int64.js';
import { type Model, modelOf } from '../src/model/model.js';
import {
  type ConnRules,
  openssl30,
  openssl30TimeRules,
  PROFILES,
  type Profile,
  type Rules,
} from '../src/model/profile.js';
import type { State } from '../src/model/state.js';
import { step } from '../src/model/step.js';
import {
  type Branch,
  type Call,
  type ClauseId,
  type Event,
  ret,
  type SessionHandle,
  type SslHandle,
  type StepResult,
} from '../src/model/types.js';

export interface Variant {
  readonly clause: ClauseId;
  readonly describe: string;
  readonly model: Model;
}

type Rewrite = (before: State, call: Call, result: StepResult<State>) => StepResult<State>;

/** Maps the first branch of a defined result. */
const mapBranch = (r: StepResult<State>, f: (b: Branch<State>) => Branch<State>): StepResult<State> =>
  r.kind === 'defined' ? { ...r, branches: [f(r.branches[0])] } : r;

/** Applies `f` to the first branch's state. */
const mapState = (r: StepResult<State>, f: (st: State) => State): StepResult<State> =>
  mapBranch(r, (b) => ({ ...b, state: f(b.state) }));

/** `st` with session `h` changed by `f` (if it is live). */
const withSess = (
  st: State,
  h: SessionHandle,
  f: (s: NonNullable<ReturnType<State['sessions']['get']>>) => typeof s,
): State => {
  const s = st.sessions.get(h);
  return s === undefined ? st : { ...st, sessions: st.sessions.set(h, f(s)) };
};

/** `st` with connection `t` changed by `f` (if it is live). */
const withConn = (
  st: State,
  t: SslHandle,
  f: (c: NonNullable<ReturnType<State['conns']['get']>>) => typeof c,
): State => {
  const c = st.conns.get(t);
  return c === undefined ? st : { ...st, conns: st.conns.set(t, f(c)) };
};

/** Turns an undefined-behaviour verdict of `clause` into a silent no-op. */
const acceptUndefined =
  (clause: ClauseId): Rewrite =>
  (st, _call, r) =>
    r.kind === 'undefined' && r.clauses.includes(clause)
      ? { kind: 'defined', branches: [{ outcome: { ret: ret.int(0), events: [] }, state: st }], clauses: [] }
      : r;

/**
 * The broken variants of `base`, one per clause. Where the rule is a field of the profile, the
 * variant flips it relative to `base` (so the 1.1.1 profile's variant of §EVICT-1 is 3.0's rule,
 * and the other way round).
 */
export const variantsFor = (base: Profile): readonly Variant[] => {
  const rules = (clause: ClauseId, describe: string, overrides: Partial<Rules>): Variant => {
    const profile: Profile = { ...base, rules: { ...base.rules, ...overrides } };
    return { clause, describe, model: { ...modelOf(profile), name: base.name, variant: clause } };
  };
  const rewrite = (clause: ClauseId, describe: string, f: Rewrite): Variant => {
    const inner = step(base);
    return {
      clause,
      describe,
      model: {
        name: base.name,
        profile: base,
        variant: clause,
        step: (st, call) => f(st, call, inner(st, call)),
      },
    };
  };
  const conn = (clause: ClauseId, describe: string, overrides: Partial<ConnRules>): Variant =>
    rules(clause, describe, { conn: { ...base.rules.conn, ...overrides } });
  /** A variant whose step runs the profile's step on a changed state or call first. */
  const around = (
    clause: ClauseId,
    describe: string,
    f: (inner: (st: State, call: Call) => StepResult<State>, st: State, call: Call) => StepResult<State>,
  ): Variant => {
    const inner = step(base);
    return {
      clause,
      describe,
      model: { name: base.name, profile: base, variant: clause, step: (st, call) => f(inner, st, call) },
    };
  };
  const rule = base.rules;
  return [
    rules('§SESS-1', 'SSL_SESSION_new uses the documented 300 s', { newSessionTimeout: 300n }),
    rules('§SESS-2', 'set1_id accepts 33 bytes', { maxIdLength: 33 }),
    rules('§SESS-3', 'set_time returns 1 as documented for set_time_ex', { setTimeReturns: 'one' }),
    rules('§SESS-4', 'negative timeouts handled the other way', {
      setTimeoutRejectsNegative: !rule.setTimeoutRejectsNegative,
    }),
    rules('§SESS-5', 'the time setters re-link (or not) the other way', {
      settersRelink: !rule.settersRelink,
    }),
    rewrite('§SESS-6', 'the getters report one second more', (_st, call, r) =>
      call.fn === 'SSL_SESSION_get_time' || call.fn === 'SSL_SESSION_get_timeout'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: {
              ...b.outcome,
              ret: b.outcome.ret.t === 'int' ? ret.int(b.outcome.ret.v + 1n) : b.outcome.ret,
            },
          }))
        : r,
    ),
    rewrite('§SESS-7', 'is_resumable ignores the non-resumable mark', (st, call, r) =>
      call.fn === 'SSL_SESSION_is_resumable'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: { ...b.outcome, ret: ret.int((st.sessions.get(call.s)?.id.length ?? 0) > 0) },
          }))
        : r,
    ),
    rewrite('§REF-1', 'up_ref returns 1 but takes no reference', (st, call, r) =>
      call.fn === 'SSL_SESSION_up_ref'
        ? mapBranch(r, (b) => {
            const s = b.state.sessions.get(call.s);
            const was = st.sessions.get(call.s);
            return s && was
              ? {
                  ...b,
                  state: { ...b.state, sessions: b.state.sessions.set(call.s, { ...s, refs: was.refs }) },
                }
              : b;
          })
        : r,
    ),
    rewrite('§REF-2', 'the last SSL_SESSION_free destroys silently (no free observed)', (_st, call, r) =>
      call.fn === 'SSL_SESSION_free'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: { ...b.outcome, events: b.outcome.events.filter((e) => e.ev !== 'free') },
          }))
        : r,
    ),
    rewrite('§REF-3', 'freeing the cache-held reference is accepted', acceptUndefined('§REF-3')),
    rules('§CTX-1', 'SSL_CTX_new uses the documented 300 s timeout', {
      ctxDefaults: { ...rule.ctxDefaults, timeout: 300n },
    }),
    rewrite('§CTX-2', 'SSL_CTX_free frees the cache without the remove callback', (_st, call, r) =>
      call.fn === 'SSL_CTX_free'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: { ...b.outcome, events: b.outcome.events.filter((e) => e.ev !== 'remove_cb') },
          }))
        : r,
    ),
    rewrite('§CTX-3', 'SSL_CTX_set_timeout returns the new value', (_st, call, r) =>
      call.fn === 'SSL_CTX_set_timeout'
        ? mapBranch(r, (b) => ({ ...b, outcome: { ...b.outcome, ret: ret.int(call.t) } }))
        : r,
    ),
    rules('§SIZE-1', 'a negative cache size is stored as a huge size_t', { cacheSizeRejectsNegative: false }),
    rewrite('§SIZE-2', 'sess_number leaves out zero-length ids', (st, call, r) =>
      call.fn === 'SSL_CTX_sess_number'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: {
              ...b.outcome,
              ret: ret.int(
                [...(st.ctxs.get(call.ctx)?.cache.keys() ?? [])].filter((k) => !k.endsWith(':')).length,
              ),
            },
          }))
        : r,
    ),
    rules('§MODE-1', 'the mode is masked to the known bits', { modeMask: 0x7ffn }),
    rewrite('§CB-1', 'get_get_cb returns the remove callback', (st, call, r) =>
      call.fn === 'SSL_CTX_sess_get_get_cb'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: { ...b.outcome, ret: ret.callback(st.ctxs.get(call.ctx)?.cbs.remove ?? null) },
          }))
        : r,
    ),
    rewrite('§STAT-1', 'the cache_full getter reads 0', (_st, call, r) =>
      call.fn === 'SSL_CTX_sess_cache_full'
        ? mapBranch(r, (b) => ({ ...b, outcome: { ...b.outcome, ret: ret.int(0) } }))
        : r,
    ),
    rewrite('§ADD-1', 'the cache keeps a new session without taking a reference', (st, call, r) =>
      call.fn === 'SSL_CTX_add_session'
        ? mapBranch(r, (b) => {
            const s = b.state.sessions.get(call.s);
            const was = st.sessions.get(call.s);
            if (!s || !was || b.outcome.ret.t !== 'int' || b.outcome.ret.v !== 1n) return b;
            return {
              ...b,
              state: { ...b.state, sessions: b.state.sessions.set(call.s, { ...s, refs: was.refs }) },
            };
          })
        : r,
    ),
    rules('§ADD-2', 're-adding the identical object returns 1 (wolfSSL)', { identicalAddResult: 1n }),
    rules('§ADD-3', 're-adding re-links (or not) the other way', { readdRelinks: !rule.readdRelinks }),
    rules('§ADD-4', 'a replaced session is reported to the remove callback', { replaceCallsRemoveCb: true }),
    rules('§ADD-5', 'UPDATE_TIME honoured (or ignored) the other way', {
      updateTimeBit: rule.updateTimeBit === 0n ? 0x400n : 0n,
    }),
    rules('§ADD-6', 'a zero-length id is refused (wolfSSL)', { addRejectsEmptyId: true }),
    rules(
      '§EVICT-1',
      "the other profile's eviction loop (3.0: before linking, count >= size; 1.1.1: after, >)",
      {
        eviction:
          rule.eviction === 'after-link-while-count-gt-size'
            ? 'before-link-while-count-ge-size'
            : 'after-link-while-count-gt-size',
      },
    ),
    rules('§EVICT-2', 'eviction does not call the remove callback', { evictionCallsRemoveCb: false }),
    rules('§EVICT-3', 'eviction also removes a zero-length-id tail', { evictEmptyIdTail: true }),
    rules('§EVICT-4', 'one add evicts at most one session', { evictionLoop: 'one-per-add' }),
    rules('§ORDER-1', 'among equal expiries the newest goes to the tail', { tieBreak: 'newest-at-tail' }),
    rules(
      '§ORDER-2',
      rule.time === openssl30TimeRules
        ? 'time + timeout wraps around instead of being flagged'
        : "3.0's overflow flag (negative times never expire)",
      {
        time:
          rule.time === openssl30TimeRules
            ? {
                flagged: () => false,
                rank: (time, timeout) => wrap64(time + timeout),
                expiredAt: (t, time, timeout) => t > wrap64(time + timeout),
              }
            : { ...rule.time, flagged: openssl30TimeRules.flagged, expiredAt: openssl30TimeRules.expiredAt },
      },
    ),
    rules('§REMOVE-1', 'a zero-length id is removed like any other key', { removeIgnoresEmptyId: false }),
    rules('§REMOVE-2', 'only the identical object is removed (BoringSSL)', { removeMatches: 'object' }),
    rules('§REMOVE-3', 'the argument is marked only when something was removed', {
      removeMarks: 'argument-when-found',
    }),
    rules('§REMOVE-4', 'the callback gets the removed entry, only when found (BoringSSL)', {
      removeCallback: 'removed-when-found',
    }),
    rewrite('§REMOVE-5', 'the removed entry is released before the callback', (_st, call, r) =>
      call.fn === 'SSL_CTX_remove_session'
        ? mapBranch(r, (b) => ({
            ...b,
            outcome: {
              ...b.outcome,
              events: [
                ...b.outcome.events.filter((e) => e.ev === 'free'),
                ...b.outcome.events.filter((e) => e.ev !== 'free'),
              ],
            },
          }))
        : r,
    ),
    rules('§FLUSH-1', 'time 0 is an ordinary time', { flushZeroMeansAll: false }),
    rules('§FLUSH-2', 'a session expires at time + timeout itself (BoringSSL, wolfSSL)', {
      time: {
        ...rule.time,
        expiredAt: (t, time, timeout) => rule.time.expiredAt(t + 1n, time, timeout),
      },
    }),
    rules('§FLUSH-3', 'the flush walks the other structure (hash table or list)', {
      flushWalk: rule.flushWalk === 'tail-until-unexpired' ? 'every-entry' : 'tail-until-unexpired',
      keepsLhash: rule.keepsLhash,
    }),
    rules('§FLUSH-4', 'flushed sessions released at the other time (after the walk, or one by one)', {
      flushFrees: rule.flushFrees === 'in-walk' ? 'after-walk' : 'in-walk',
    }),
    rewrite('§UB-1', 'calls on freed objects are no-ops', acceptUndefined('§UB-1')),
    rewrite('§UB-2', 'a session may be added to a second context', acceptUndefined('§UB-2')),
    rewrite('§UB-3', 'a cached session may change its id', acceptUndefined('§UB-3')),
    rewrite('§UB-4', 'handshakes outside the modelled protocol accepted', acceptUndefined('§UB-4')),
    around('§UB-5', 'a session from an unfinished handshake resumes like any other', (inner, st, call) => {
      const r = inner(st, call);
      if (r.kind !== 'undefined' || !r.clauses.includes('§UB-5')) return r;
      let sessions = st.sessions;
      for (const [h, s] of st.sessions.entries()) {
        if (s.unfinished) sessions = sessions.set(h, { ...s, unfinished: false, secret: s.secret || 'x' });
      }
      return inner({ ...st, sessions }, call);
    }),
    // ---- connections ----
    around('§CONN-1', "the connection reads the context's sid_ctx at handshake time", (inner, st, call) => {
      if (call.fn !== 'handshake') return inner(st, call);
      let s2 = st;
      for (const t of [call.client, call.server]) {
        s2 = withConn(s2, t, (c) => ({ ...c, sidCtx: st.ctxs.get(c.ctx)?.sidCtx ?? c.sidCtx }));
      }
      return inner(s2, call);
    }),
    conn('§CONN-2', 'SSL_CTX_free flushes at once', { ctxHeldByConnections: false }),
    rewrite('§CONN-3', 'get1 takes no reference', (st, call, r) =>
      call.fn === 'SSL_get1_session'
        ? mapState(r, (after) => {
            const h = st.conns.get(call.ssl)?.session;
            const was = h == null ? undefined : st.sessions.get(h);
            return h == null || was === undefined
              ? after
              : withSess(after, h, (s) => ({ ...s, refs: was.refs, app: was.app }));
          })
        : r,
    ),
    rewrite('§CONN-4', 'the client marks the resumption only when it succeeds', (_st, call, r) =>
      call.fn === 'handshake'
        ? mapBranch(r, (b) =>
            b.outcome.ret.t === 'int' && b.outcome.ret.v === 0n
              ? { ...b, state: withConn(b.state, call.client, (c) => ({ ...c, hit: false })) }
              : b,
          )
        : r,
    ),
    rewrite('§CONN-5', 'no reference taken on the new session', (_st, call, r) =>
      call.fn === 'SSL_set_session' && call.s !== null
        ? mapState(r, (after) =>
            withSess(after, call.s as SessionHandle, (s) => (s.refs > 1 ? { ...s, refs: s.refs - 1 } : s)),
          )
        : r,
    ),
    conn('§CONN-6', 'no removal', { badSessionRemoved: false }),
    rewrite('§CONN-7', 'shutdown in a handshake sets the flag', (st, call, r) =>
      call.fn === 'SSL_shutdown' && st.conns.get(call.ssl)?.phase !== 'done'
        ? mapState(r, (after) => withConn(after, call.ssl, (c) => ({ ...c, sent: true })))
        : r,
    ),
    rewrite('§CONN-8', 'SSL_clear always drops the session', (_st, call, r) =>
      call.fn === 'SSL_clear'
        ? mapBranch(r, (b) => {
            const h = b.state.conns.get(call.ssl)?.session;
            if (h == null) return b;
            const s = b.state.sessions.get(h);
            if (s === undefined) return b;
            const state = withConn(b.state, call.ssl, (c) => ({ ...c, session: null }));
            if (s.refs > 1) return { ...b, state: withSess(state, h, (x) => ({ ...x, refs: x.refs - 1 })) };
            const events: Event[] = [...b.outcome.events, { ev: 'free', s: h }];
            return {
              outcome: { ...b.outcome, events },
              state: { ...state, sessions: state.sessions.delete(h) },
            };
          })
        : r,
    ),
    conn('§CONN-9', '33 bytes accepted', { maxSidCtxLength: 33 }),
    conn('§HS-1', 'a non-resumable session with an id is offered', { offerNeedsResumable: false }),
    conn('§HS-2', 'default 300 s', { defaultTimeout: 300n }),
    conn('§HS-3', 'the id is kept', { emptyIdWithoutServerBit: false }),
    conn('§HS-4', 'no client miss', { clientCountsMiss: false }),
    rewrite('§HS-5', 'the reader keeps its session', (st, call, r) => {
      if (call.fn !== 'handshake' || call.until !== 'done') return r;
      return mapBranch(r, (b) => {
        if (b.outcome.ret.t !== 'int' || b.outcome.ret.v !== 0n) return b;
        const cs = b.state.conns.get(call.client)?.session;
        const ss = b.state.conns.get(call.server)?.session;
        const id = (h: SessionHandle | null | undefined) =>
          h == null ? undefined : b.state.sessions.get(h)?.id;
        // The client fails a resumption (the server, holding the same id, reads); else the server fails.
        const reader = id(cs) !== undefined && id(cs) === id(ss) ? ss : cs;
        const was = reader == null ? undefined : st.sessions.get(reader);
        if (reader == null || was === undefined) return b;
        const events = b.outcome.events.filter((e) => !(e.ev === 'remove_cb' && e.s === reader));
        return {
          outcome: { ...b.outcome, events },
          state: withSess(b.state, reader, (s) => ({ ...s, notResumable: was.notResumable })),
        };
      });
    }),
    rewrite('§HS-6', 'only the earliest reading allowed', (_st, call, r) =>
      call.fn === 'handshake' && call.later !== undefined && r.kind === 'defined'
        ? { ...r, branches: [r.branches[0]] }
        : r,
    ),
    around('§LOOKUP-1', 'NO_INTERNAL_LOOKUP ignored', (inner, st, call) => {
      if (call.fn !== 'handshake') return inner(st, call);
      const ch = st.conns.get(call.server)?.ctx;
      const ctx = ch === undefined ? undefined : st.ctxs.get(ch);
      if (ch === undefined || ctx === undefined || (ctx.mode & 0x100n) === 0n) return inner(st, call);
      const r = inner({ ...st, ctxs: st.ctxs.set(ch, { ...ctx, mode: ctx.mode & ~0x100n }) }, call);
      return mapState(r, (after) => {
        const a = after.ctxs.get(ch);
        return a === undefined ? after : { ...after, ctxs: after.ctxs.set(ch, { ...a, mode: ctx.mode }) };
      });
    }),
    conn('§LOOKUP-2', 'counted as a miss', { sidCtxMismatchCountsMiss: true }),
    conn('§LOOKUP-3', 'no such check: the session is resumed', { verifyPeerEmptySidCtxFatal: false }),
    conn('§LOOKUP-4', 'the expired session stays cached', { expiredCandidateRemoved: false }),
    rewrite('§LOOKUP-5', 'no hit counted', (st, call, r) =>
      call.fn === 'handshake'
        ? mapState(r, (after) => {
            const ch = st.conns.get(call.server)?.ctx;
            const was = ch === undefined ? undefined : st.ctxs.get(ch);
            const a = ch === undefined ? undefined : after.ctxs.get(ch);
            return ch === undefined || was === undefined || a === undefined
              ? after
              : { ...after, ctxs: after.ctxs.set(ch, { ...a, stats: { ...a.stats, hits: was.stats.hits } }) };
          })
        : r,
    ),
    conn('§STORE-1', 'resumptions stored too', { storeAfterResumption: true }),
    around(
      '§STORE-2',
      "a client's session with an empty id is stored (and new_session_cb called)",
      (inner, st, call) => {
        const r = inner(st, call);
        if (call.fn !== 'handshake' || r.kind !== 'defined') return r;
        const b = r.branches[0];
        const t = call.client;
        const c = b.state.conns.get(t);
        const h = c?.session;
        const ctx = c === undefined ? undefined : b.state.ctxs.get(c.ctx);
        if (c === undefined || h == null || ctx === undefined || c.phase !== 'done' || c.hit) return r;
        if (b.state.sessions.get(h)?.id !== '' || (ctx.mode & 0x1n) === 0n) return r;
        const add = inner(b.state, { fn: 'SSL_CTX_add_session', ctx: c.ctx, s: h, now: call.now });
        if (add.kind !== 'defined') return r;
        const events: Event[] = [
          ...b.outcome.events,
          ...add.branches[0].outcome.events,
          ...(ctx.cbs.new !== null ? [{ ev: 'new_cb', ssl: t, s: h } as const] : []),
        ];
        return { ...r, branches: [{ outcome: { ...b.outcome, events }, state: add.branches[0].state }] };
      },
    ),
    conn('§AUTO-1', 'the counter read after its increment (the 255th)', { goodCountedBeforeUpdate: true }),
    // ---- the external cache ----
    rewrite('§EXT-1', 'the library keeps its reference whatever new_session_cb returns', (st, call, r) =>
      call.fn === 'handshake'
        ? mapState(r, (after) => {
            let out = after;
            for (const e of r.kind === 'defined' ? r.branches[0].outcome.events : []) {
              if (e.ev !== 'new_cb') continue;
              const ch = st.conns.get(e.ssl)?.ctx;
              if (ch !== undefined && st.ctxs.get(ch)?.cbs.new !== 'keep') {
                out = withSess(out, e.s, (x) => ({ ...x, refs: x.refs + 1 }));
              }
            }
            return out;
          })
        : r,
    ),
    rewrite(
      '§EXT-2',
      '*copy entering as 0: the library adopts the store reference it should have copied',
      (st, call, r) => {
        if (call.fn !== 'handshake' || r.kind !== 'defined') return r;
        const ev = r.branches[0].outcome.events.find((e) => e.ev === 'get_cb');
        const srv = st.conns.get(call.server);
        if (ev === undefined || ev.ev !== 'get_cb' || srv === undefined) return r;
        const cb = st.ctxs.get(srv.ctx)?.cbs.get;
        const answered = st.store.get(ev.id);
        const before = st.ctxs.get(srv.ctx)?.stats.cb_hits ?? 0n;
        const after = r.branches[0].state.ctxs.get(srv.ctx)?.stats.cb_hits ?? 0n;
        if ((cb !== 'store' && cb !== 'stale') || answered === undefined || after === before) return r;
        return mapState(r, (a) => withSess(a, answered, (x) => ({ ...x, refs: x.refs - 1 })));
      },
    ),
    conn('§EXT-3', 'a non-resumable answer is used (or, for 1.1.1, ignored)', {
      getCbRejectsNotResumable: !rule.conn.getCbRejectsNotResumable,
    }),
    around('§EXT-4', 'answers are never added to the internal cache', (inner, st, call) => {
      if (call.fn !== 'handshake') return inner(st, call);
      const ch = st.conns.get(call.server)?.ctx;
      const c = ch === undefined ? undefined : st.ctxs.get(ch);
      if (ch === undefined || c === undefined || c.cbs.get === null) return inner(st, call);
      const r = inner({ ...st, ctxs: st.ctxs.set(ch, { ...c, mode: c.mode | 0x200n }) }, call);
      return mapState(r, (a) => {
        const x = a.ctxs.get(ch);
        return x === undefined ? a : { ...a, ctxs: a.ctxs.set(ch, { ...x, mode: c.mode }) };
      });
    }),
    around('§EXT-5', 'a TLS 1.3-capable client sends no legacy id', (inner, st, call) => {
      if (call.fn !== 'handshake' || st.conns.get(call.client)?.tls13 !== true) return inner(st, call);
      const r = inner(
        withConn(st, call.client, (c) => ({ ...c, tls13: false })),
        call,
      );
      return mapState(r, (a) => withConn(a, call.client, (c) => ({ ...c, tls13: true })));
    }),
    rewrite('§COUNT-1', 'accept_good counted at the start', (_st, call, r) =>
      call.fn === 'handshake'
        ? mapBranch(r, (b) => {
            const srv = b.state.conns.get(call.server);
            const ch = srv?.ctx;
            const a = ch === undefined ? undefined : b.state.ctxs.get(ch);
            if (srv === undefined || ch === undefined || a === undefined || srv.phase === 'done') return b;
            return {
              ...b,
              state: {
                ...b.state,
                ctxs: b.state.ctxs.set(ch, {
                  ...a,
                  stats: { ...a.stats, accept_good: a.stats.accept_good + 1n },
                }),
              },
            };
          })
        : r,
    ),
  ];
};

/** The variants of every profile, by profile name. */
export const VARIANTS_BY_PROFILE: Readonly<Record<string, readonly Variant[]>> = Object.fromEntries(
  PROFILES.map((p) => [p.name, variantsFor(p)]),
);

/** The variants of `openssl-3.0`. */
export const VARIANTS: readonly Variant[] = variantsFor(openssl30);
