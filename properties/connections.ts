/**
 * Properties for spec/connections.md: `SSL` objects and TLS 1.2 handshakes with session ids.
 *
 * The handshake's course is restated here from the spec's "order of a handshake" (`course`):
 * what the client offers (§HS-1), what the server's lookup finds and decides (§LOOKUP-1 …
 * §LOOKUP-5), whether the client resumes, refuses or fails (§HS-4, §HS-5), and which side
 * finishes and stores (§STORE-1, §STORE-2, §AUTO-1). Each property then checks one clause's
 * part of the observed step against that course.
 */
import { HANDSHAKE_NOW, liveCtxs } from '../src/gen/commands.js';
import type { Model } from '../src/model/model.js';
import { cacheKey, type Conn, type State } from '../src/model/state.js';
import type {
  Call,
  CallOf,
  Counter,
  CtxHandle,
  Event,
  SessionHandle,
  SslHandle,
  StepResult,
} from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import { cachedSet, expectedFor, idLen, isCachedIn, removeCbs, sess, show, unchanged } from './views.js';

/** The connection level's rules, restated from spec/connections.md (the same for both profiles). */
const TLS1_2 = 0x303;
const DEFAULT_TIMEOUT = 7200n;
const MAX_SID_CTX = 32;
const MODE = {
  CLIENT: 0x1n,
  SERVER: 0x2n,
  NO_AUTO_CLEAR: 0x80n,
  NO_INTERNAL_LOOKUP: 0x100n,
  NO_INTERNAL_STORE: 0x200n,
};

const level = 'handshake' as const;
/** The get_session_cb names under which the driver answers from its external store (spec/external.md). */
const EXTERNAL_GET_CBS: readonly string[] = ['store', 'store-copy0', 'stale'];

type Handshake = CallOf<'handshake'>;
type HsCase = StepCase & { call: Handshake };
const isHs = (c: StepCase): c is HsCase => c.call.fn === 'handshake';
/** A handshake this page states the course of: no external store answering (spec/external.md). */
const inScope = (c: StepCase): c is HsCase => isHs(c) && !course(c).external;

const conn = (st: State, t: SslHandle): Conn => {
  const c = st.conns.get(t);
  if (c === undefined) throw new Error(`view: ${t} is not live`);
  return c;
};
const ctxOf = (st: State, ch: CtxHandle) => {
  const c = st.ctxs.get(ch);
  if (c === undefined) throw new Error(`view: ${ch} is not live`);
  return c;
};
const intRet = (c: { outcome: { ret: { t: string; v?: unknown } } }): bigint | undefined =>
  c.outcome.ret.t === 'int' ? (c.outcome.ret.v as bigint) : undefined;

/** Whether a session has expired at `now` for the server's check (§LOOKUP-4, as §FLUSH-2). */
const expiredAt = (model: Model, st: State, h: SessionHandle, now: bigint): boolean => {
  const e = expectedFor(model.name).expiry(sess(st, h));
  return !e.never && now > e.at;
};

/** What the server's lookup decides (§LOOKUP-1 … §LOOKUP-5). */
type Lookup = 'none' | 'not-found' | 'mismatch' | 'fatal' | 'expired' | 'hit';

/** The course of a handshake, restated from the spec for a call with a single clock reading. */
interface Course {
  readonly client: SslHandle;
  readonly server: SslHandle;
  readonly cli: Conn;
  readonly srv: Conn;
  /** The session the ClientHello offers (§HS-1). */
  readonly offered: SessionHandle | null;
  /** The id the ClientHello carries ('' for none). */
  readonly sent: string;
  /** The server may get its session from an external store (spec/external.md): out of scope here. */
  readonly external: boolean;
  /** Whether the server looked the id up in its internal cache (§LOOKUP-1). */
  readonly internal: boolean;
  /** What the internal lookup found under the offered id. */
  readonly found: SessionHandle | undefined;
  readonly lookup: Lookup;
  /** The client reads the ServerHello (the call goes past it). */
  readonly clientReads: boolean;
  /** Resumed, but the client fails it: another sid_ctx, or another master secret (§HS-4, §HS-5). */
  readonly clientFails: boolean;
  /** The handshake failed with a fatal alert (§HS-5). */
  readonly failed: boolean;
  /** Both sides finished. */
  readonly finished: boolean;
  readonly resumed: boolean;
}

const courses = new WeakMap<StepCase, Course>();
const course = (c: HsCase): Course => {
  const known = courses.get(c);
  if (known !== undefined) return known;
  const k = computeCourse(c);
  courses.set(c, k);
  return k;
};
const computeCourse = (c: HsCase): Course => {
  const { before, call } = c;
  const cli = conn(before, call.client);
  const srv = conn(before, call.server);
  const cs = cli.session === null ? undefined : sess(before, cli.session);
  const offered =
    cs !== undefined && !cs.notResumable && idLen(cs) > 0 && cs.version === TLS1_2 ? cli.session : null;
  // The id the ClientHello carries: the offered one, or a TLS 1.3-capable client's random legacy
  // id (spec/external.md §EXT-5), or none.
  const sent =
    offered !== null ? sess(before, offered).id : cli.tls13 ? (call.ids[0] ?? 'cc'.repeat(32)) : '';
  const srvCtx = ctxOf(before, srv.ctx);
  const internal = sent !== '' && (srvCtx.mode & MODE.NO_INTERNAL_LOOKUP) === 0n;
  const found = internal ? srvCtx.cache.get(cacheKey({ version: TLS1_2, id: sent })) : undefined;
  // An external store that may answer the get_session_cb (spec/external.md): not this page's.
  const external =
    sent !== '' &&
    found === undefined &&
    EXTERNAL_GET_CBS.includes(srvCtx.cbs.get ?? '') &&
    before.store.has(sent);
  let lookup: Lookup = 'none';
  if (sent !== '') {
    if (found === undefined) lookup = 'not-found';
    else if (sess(before, found).sidCtx !== srv.sidCtx) lookup = 'mismatch';
    else if (srv.verifyPeer && srv.sidCtx === '') lookup = 'fatal';
    else if (expiredAt(c.model, before, found, call.now)) lookup = 'expired';
    else lookup = 'hit';
  }
  const clientReads = lookup !== 'fatal' && call.until === 'done';
  let clientFails = false;
  if (clientReads && lookup === 'hit' && offered !== null && found !== undefined) {
    const o = sess(before, offered);
    const f = sess(before, found);
    clientFails = o.sidCtx !== cli.sidCtx || o.secret === '' || o.secret !== f.secret;
  }
  const failed = lookup === 'fatal' || clientFails;
  const finished = clientReads && !failed;
  return {
    client: call.client,
    server: call.server,
    cli,
    srv,
    sent,
    external,
    offered,
    internal,
    found,
    lookup,
    clientReads,
    clientFails,
    failed,
    finished,
    resumed: finished && lookup === 'hit',
  };
};

/**
 * Sessions the library made in the step, with the connection each was made for: a server's
 * new session is followed by its `gen_id` (after the release of the session it replaces).
 */
const made = (c: HsCase): { s: SessionHandle; t: SslHandle }[] => {
  const ev = c.outcome.events;
  return ev.flatMap((e, k) => {
    if (e.ev !== 'new') return [];
    const next = ev.slice(k + 1).find((x) => x.ev !== 'free');
    return [{ s: e.s, t: next?.ev === 'gen_id' ? next.ssl : c.call.client }];
  });
};

/** The (context, key) entries §HS-5's removals take out of the caches in a failed handshake. */
const failRemovals = (c: HsCase, k: Course): { t: SslHandle; ctx: CtxHandle; s: SessionHandle }[] => {
  if (!k.failed) return [];
  const sender = k.clientFails ? k.client : k.server;
  const reader = k.clientFails ? k.server : c.call.until === 'done' ? k.client : null;
  return [sender, reader].flatMap((t) => {
    if (t === null) return [];
    const a = conn(c.after, t);
    return a.session === null ? [] : [{ t, ctx: a.ctx, s: a.session }];
  });
};
/** Whether §HS-5's removals take the entry `h` of `ch` (same key; a zero-length id is never removed). */
const takenByFailure = (c: HsCase, k: Course, ch: CtxHandle, h: SessionHandle): boolean =>
  failRemovals(c, k).some((r) => {
    const s = sess(c.before, r.s);
    // The removal marks its argument, and takes whatever its context caches under the id.
    return r.s === h || (r.ctx === ch && idLen(s) > 0 && cacheKey(s) === cacheKey(sess(c.before, h)));
  });

/**
 * The counters a handshake moves, by context (§COUNT-1, §LOOKUP-1, §LOOKUP-4, §LOOKUP-5,
 * §HS-4): connect/accept at the start; the server's miss, timeout or hit at its lookup; the
 * client's miss when an offered id was not resumed; on finishing, the client's hit on a
 * resumption, then connect_good and accept_good.
 */
const COUNTED: readonly Counter[] = [
  'connect',
  'accept',
  'connect_good',
  'accept_good',
  'hits',
  'misses',
  'timeouts',
  'cb_hits',
  'connect_renegotiate',
  'accept_renegotiate',
];
const expectedCounts = (k: Course): Map<CtxHandle, Partial<Record<Counter, bigint>>> => {
  const d = new Map<CtxHandle, Partial<Record<Counter, bigint>>>();
  const add = (ch: CtxHandle, counter: Counter): void => {
    const m = d.get(ch) ?? {};
    m[counter] = (m[counter] ?? 0n) + 1n;
    d.set(ch, m);
  };
  add(k.cli.ctx, 'connect');
  add(k.srv.ctx, 'accept');
  if (k.internal && k.found === undefined) add(k.srv.ctx, 'misses');
  if (k.lookup === 'expired') add(k.srv.ctx, 'timeouts');
  if (k.lookup === 'hit') add(k.srv.ctx, 'hits');
  if (!k.clientReads) return d;
  if (k.lookup !== 'hit' && k.offered !== null) add(k.cli.ctx, 'misses');
  if (!k.finished) return d;
  if (k.resumed) add(k.cli.ctx, 'hits');
  add(k.cli.ctx, 'connect_good');
  add(k.srv.ctx, 'accept_good');
  return d;
};
const checkCounts = (c: HsCase, k: Course, which: readonly Counter[] = COUNTED): string | undefined => {
  const want = expectedCounts(k);
  for (const ch of new Set([k.cli.ctx, k.srv.ctx])) {
    const b = ctxOf(c.before, ch).stats;
    const a = ctxOf(c.after, ch).stats;
    for (const counter of which) {
      const delta = a[counter] - b[counter];
      const w = want.get(ch)?.[counter] ?? 0n;
      if (delta !== w) return `${ch} ${counter} moved by ${delta}, expected ${w} (lookup ${k.lookup})`;
    }
  }
  return undefined;
};

/** A handshake returns 0 exactly when it failed (§HS-5); stopping at the ServerHello is success. */
const expectedRet = (k: Course): bigint => (k.failed ? 0n : 1n);

/** The session each side holds when it finishes, and whether its cache update stores (§STORE-1, §STORE-2). */
interface Finish {
  readonly t: SslHandle;
  readonly c: Conn;
  readonly s: SessionHandle;
  /** §STORE-2: the update returns early (empty id, marked non-resumable, unverifiable server). */
  readonly skips: boolean;
  /** The context's mode has the side's role bit. */
  readonly roleBit: boolean;
}
const finishes = (c: HsCase, k: Course): Finish[] => {
  if (!k.finished) return [];
  const side = (t: SslHandle, cn: Conn): Finish | undefined => {
    const s = conn(c.after, t).session;
    if (s === null) return undefined;
    // The session as it was when the side finished: new ones are unmarked.
    const marked = c.before.sessions.get(s)?.notResumable ?? false;
    const id = c.after.sessions.get(s)?.id ?? sess(c.before, s).id;
    const server = cn.role === 'server';
    const skips = id === '' || marked || (server && cn.verifyPeer && cn.sidCtx === '');
    const mode = ctxOf(c.before, cn.ctx).mode;
    return { t, c: cn, s, skips, roleBit: (mode & (server ? MODE.SERVER : MODE.CLIENT)) !== 0n };
  };
  const order: [SslHandle, Conn][] = k.resumed
    ? [
        [k.client, k.cli],
        [k.server, k.srv],
      ]
    : [
        [k.server, k.srv],
        [k.client, k.cli],
      ];
  return order.flatMap(([t, cn]) => side(t, cn) ?? []);
};

/** Whether the side's update flushes its cache (§AUTO-1): the good counter before, low byte 0xff. */
const flushes = (c: HsCase, f: Finish): boolean => {
  if (f.skips || !f.roleBit) return false;
  const ctx = ctxOf(c.before, f.c.ctx);
  if ((ctx.mode & MODE.NO_AUTO_CLEAR) !== 0n) return false;
  const good = ctx.stats[f.c.role === 'server' ? 'accept_good' : 'connect_good'];
  return (good & 0xffn) === 0xffn;
};

const newCbs = (events: readonly Event[]): { ssl: SslHandle; s: SessionHandle }[] =>
  events.flatMap((e) => (e.ev === 'new_cb' ? [{ ssl: e.ssl, s: e.s }] : []));

/** The sessions cached in `ch` that have expired at `now`. */
const expiredCached = (model: Model, st: State, ch: CtxHandle, now: bigint): SessionHandle[] =>
  [...cachedSet(st, ch)].filter((h) => expiredAt(model, st, h, now));

type SslFn = 'SSL_free' | 'SSL_clear' | 'SSL_set_session';
const onSsl = (
  c: StepCase,
  fns: readonly string[],
): c is StepCase & { call: { fn: SslFn; ssl: SslHandle } } => fns.includes(c.call.fn) && 'ssl' in c.call;

/** §CONN-6: the connection is finished, has a session, and has not sent its shutdown. */
const bad = (st: State, t: SslHandle): boolean => {
  const cn = conn(st, t);
  return cn.session !== null && cn.phase === 'done' && !cn.sent;
};

/** The entry cached under `h`'s key in `ch`, if any. */
const cachedUnder = (st: State, ch: CtxHandle, h: SessionHandle): SessionHandle | undefined => {
  const s = st.sessions.get(h);
  return s === undefined ? undefined : st.ctxs.get(ch)?.cache.get(cacheKey(s));
};

const isUndefined = (_st: unknown, _call: unknown, r: { kind: string }) =>
  r.kind === 'undefined' ? undefined : 'accepted as defined';

const sameOutcome = (a: unknown, b: unknown): boolean => show(a) === show(b);

export const properties: ClauseProperty[] = [
  // ---- SSL objects ----
  {
    kind: 'step',
    title:
      "§CONN-1 SSL_new: a fresh connection with the context's sid_ctx and verify mode, no session, not reused, holding the context",
    level,
    minShare: 0.8,
    applies: (c) => c.call.fn === 'SSL_new',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_new' || outcome.ret.t !== 'ssl') return `returned ${show(outcome.ret)}`;
      const t = outcome.ret.v;
      if (before.conns.has(t) || Number(t.slice(1)) !== before.connsCreated + 1) return `handle ${t}`;
      const cn = conn(after, t);
      const ctx = ctxOf(before, call.ctx);
      if (cn.ctx !== call.ctx || cn.role !== call.role) return `made ${show(cn)}`;
      if (cn.sidCtx !== ctx.sidCtx) return `sid_ctx ${cn.sidCtx}, context has ${ctx.sidCtx}`;
      if (cn.verifyPeer !== ((ctx.verify & 1n) !== 0n)) return `verify ${cn.verifyPeer}, mode ${ctx.verify}`;
      if (cn.session !== null || cn.hit || cn.phase !== 'before' || cn.sent) return `not fresh: ${show(cn)}`;
      if (ctxOf(after, call.ctx).conns !== ctx.conns + 1) return 'the context is not held';
      return outcome.events.length === 0 && after.sessions === before.sessions
        ? undefined
        : 'sessions touched';
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-1 a connection keeps the sid_ctx and verify mode it was made with: later context settings do not reach it',
    level,
    minShare: 0.2,
    applies: (c) =>
      [...c.before.conns.values()].some((cn) => {
        const ctx = c.before.ctxs.get(cn.ctx);
        return (
          ctx !== undefined && (ctx.sidCtx !== cn.sidCtx || ((ctx.verify & 1n) !== 0n) !== cn.verifyPeer)
        );
      }),
    check: (c) => {
      for (const [t, cn] of c.before.conns) {
        const a = c.after.conns.get(t);
        if (a === undefined) continue;
        if (a.sidCtx !== cn.sidCtx || a.verifyPeer !== cn.verifyPeer)
          return `${t} changed sid_ctx/verify ${cn.sidCtx}/${cn.verifyPeer} → ${a.sidCtx}/${a.verifyPeer}`;
      }
      if (isHs(c)) {
        for (const m of made(c)) {
          const s = c.after.sessions.get(m.s);
          const cn = c.before.conns.get(m.t);
          if (s !== undefined && cn !== undefined && s.sidCtx !== cn.sidCtx)
            return `${m.s} made for ${m.t} with sid_ctx ${s.sidCtx}, the connection's is ${cn.sidCtx}`;
        }
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-2 SSL_CTX_free with live connections only drops the application reference; the last SSL_free flushes and frees it',
    level,
    minShare: 0.1,
    applies: ({ call, before }) =>
      (call.fn === 'SSL_CTX_free' && [...before.conns.values()].some((cn) => cn.ctx === call.ctx)) ||
      (call.fn === 'SSL_free' &&
        (() => {
          const ch = conn(before, call.ssl).ctx;
          const others = [...before.conns.values()].filter((cn) => cn.ctx === ch);
          return ctxOf(before, ch).appFreed && others.length === 1;
        })()),
    check: ({ call, outcome, before, after }) => {
      if (call.fn === 'SSL_CTX_free') {
        if (!after.ctxs.has(call.ctx)) return 'the context was freed at once';
        if (outcome.events.length > 0) return `events ${show(outcome.events)}`;
        if (show([...cachedSet(after, call.ctx)].sort()) !== show([...cachedSet(before, call.ctx)].sort()))
          return 'the cache changed';
        return after.sessions === before.sessions ? undefined : 'sessions changed';
      }
      if (call.fn !== 'SSL_free') return 'wrong call';
      const ch = conn(before, call.ssl).ctx;
      if (after.ctxs.has(ch)) return `${ch} still live after its last connection went`;
      const cached = [...cachedSet(before, ch)];
      for (const h of cached) {
        const s = after.sessions.get(h);
        if (s !== undefined && (!s.notResumable || s.owner !== null)) return `${h} survived the flush`;
      }
      const hasCb = ctxOf(before, ch).cbs.remove !== null;
      const cbs = removeCbs(outcome.events);
      return !hasCb || cached.every((h) => cbs.includes(h)) ? undefined : `callbacks ${show(cbs)}`;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-3 SSL_get_session lends the session; SSL_get1_session returns it with a reference the caller holds',
    level,
    minShare: 0.3,
    applies: (c) => c.call.fn === 'SSL_get_session' || c.call.fn === 'SSL_get1_session',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_get_session' && call.fn !== 'SSL_get1_session') return 'wrong call';
      const h = conn(before, call.ssl).session;
      if (outcome.ret.t !== 'session' || outcome.ret.v !== h)
        return `returned ${show(outcome.ret)}, holds ${h}`;
      if (outcome.events.length > 0) return `events ${show(outcome.events)}`;
      if (call.fn === 'SSL_get_session' || h === null)
        return unchanged(before, after) ? undefined : 'state changed';
      const [b, a] = [sess(before, h), sess(after, h)];
      return a.refs === b.refs + 1 && a.app === b.app + 1
        ? undefined
        : `refs ${b.refs}→${a.refs}, app ${b.app}→${a.app}`;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-4 SSL_session_reused is 1 exactly after a resumption: set by the lookup and by the echoed id (even when the client then fails), reset by SSL_clear',
    level,
    minShare: 0.3,
    applies: (c) =>
      c.call.fn === 'SSL_session_reused' ||
      c.call.fn === 'SSL_clear' ||
      (inScope(c) && course(c).lookup === 'hit'),
    check: (c) => {
      const { call, outcome, before, after } = c;
      if (call.fn === 'SSL_session_reused') {
        const want = conn(before, call.ssl).hit ? 1n : 0n;
        return intRet(c) === want && unchanged(before, after) ? undefined : `returned ${show(outcome.ret)}`;
      }
      if (call.fn === 'SSL_clear') return conn(after, call.ssl).hit ? 'still marked reused' : undefined;
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      if (!conn(after, k.server).hit) return 'the server resumed but is not marked';
      return conn(after, k.client).hit === k.clientReads
        ? undefined
        : `client marked ${conn(after, k.client).hit}, it ${k.clientReads ? 'read' : 'did not read'} the echoed id`;
    },
  },
  {
    kind: 'step',
    title: '§CONN-5 SSL_set_session returns 1, references the new session and drops the old one',
    level,
    minShare: 0.5,
    applies: (c) => c.call.fn === 'SSL_set_session',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_set_session') return 'wrong call';
      if (outcome.ret.t !== 'int' || outcome.ret.v !== 1n) return `returned ${show(outcome.ret)}`;
      const cn = conn(before, call.ssl);
      if (conn(after, call.ssl).session !== call.s) return `holds ${conn(after, call.ssl).session}`;
      // §CONN-6 may first remove the old session's cache entry (dropping the cache's reference).
      // A zero-length id is not removed at all (§REMOVE-1).
      const removed =
        bad(before, call.ssl) && cn.session !== null && idLen(sess(before, cn.session)) > 0
          ? cachedUnder(before, cn.ctx, cn.session)
          : undefined;
      const delta = (h: SessionHandle): number =>
        (h === call.s ? 1 : 0) - (h === cn.session ? 1 : 0) - (h === removed ? 1 : 0);
      for (const h of new Set([call.s, cn.session].filter((x): x is SessionHandle => x !== null))) {
        const b = sess(before, h);
        const want = b.refs + delta(h);
        const a = after.sessions.get(h);
        if (want <= 0 ? a !== undefined : a?.refs !== want)
          return `${h}: refs ${b.refs}→${a?.refs}, expected ${want}`;
        if (a !== undefined && a.app !== b.app) return `${h}: application references changed`;
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-6 SSL_free, SSL_clear and SSL_set_session remove the session of a finished connection that sent no shutdown, as SSL_CTX_remove_session',
    level,
    minShare: 0.4,
    applies: (c) => onSsl(c, ['SSL_free', 'SSL_clear', 'SSL_set_session']) && bad(c.before, c.call.ssl),
    check: (c) => {
      if (!onSsl(c, ['SSL_free', 'SSL_clear', 'SSL_set_session'])) return 'wrong call';
      const cn = conn(c.before, c.call.ssl);
      const h = cn.session as SessionHandle;
      const a = c.after.sessions.get(h);
      // As SSL_CTX_remove_session: a zero-length id does nothing at all (§REMOVE-1).
      if (idLen(sess(c.before, h)) === 0)
        return removeCbs(c.outcome.events).length === 0 || !c.after.ctxs.has(cn.ctx)
          ? undefined
          : `callbacks for a zero-length id ${show(c.outcome.events)}`;
      if (a !== undefined && !a.notResumable) return `${h} still resumable`;
      if (c.after.ctxs.has(cn.ctx) && cachedUnder(c.before, cn.ctx, h) !== undefined) {
        const key = cacheKey(sess(c.before, h));
        if (c.after.ctxs.get(cn.ctx)?.cache.has(key)) return `the entry under ${h}'s id is still cached`;
      }
      const hasCb = ctxOf(c.before, cn.ctx).cbs.remove !== null;
      const first = c.outcome.events[0];
      if (hasCb && !(first?.ev === 'remove_cb' && first.s === h && first.ctx === cn.ctx))
        return `events ${show(c.outcome.events)}`;
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-6 a connection that shut down cleanly, or whose handshake is unfinished or failed, leaves its session resumable and cached',
    level,
    minShare: 0.3,
    applies: (c) =>
      onSsl(c, ['SSL_free', 'SSL_clear', 'SSL_set_session']) &&
      conn(c.before, c.call.ssl).session !== null &&
      !bad(c.before, c.call.ssl),
    check: (c) => {
      if (!onSsl(c, ['SSL_free', 'SSL_clear', 'SSL_set_session'])) return 'wrong call';
      const cn = conn(c.before, c.call.ssl);
      const h = cn.session as SessionHandle;
      const a = c.after.sessions.get(h);
      if (a !== undefined && a.notResumable !== sess(c.before, h).notResumable) return `${h} was marked`;
      const cbs = removeCbs(c.outcome.events);
      // Only a context freed by this SSL_free (§CONN-2) may call the remove callback.
      return cbs.length === 0 || !c.after.ctxs.has(cn.ctx) ? undefined : `callbacks ${show(cbs)}`;
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-7 SSL_shutdown returns -1 and sets nothing during a handshake; after one, 0 the first time (shutdown sent), then -1',
    level,
    minShare: 0.4,
    applies: (c) => c.call.fn === 'SSL_shutdown',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_shutdown') return 'wrong call';
      const cn = conn(before, call.ssl);
      const first = cn.phase === 'done' && !cn.sent;
      const want = first ? 0n : -1n;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== want)
        return `returned ${show(outcome.ret)} (${cn.phase})`;
      if (outcome.events.length > 0) return `events ${show(outcome.events)}`;
      const a = conn(after, call.ssl);
      if (a.sent !== (first || cn.sent)) return `shutdown flag ${cn.sent}→${a.sent} (${cn.phase})`;
      return a.phase === cn.phase && a.session === cn.session ? undefined : 'the connection changed';
    },
  },
  {
    kind: 'step',
    title:
      '§CONN-8 SSL_clear returns 1, keeps a good session (drops one §CONN-6 removed) and makes the connection fresh',
    level,
    minShare: 0.3,
    applies: (c) => c.call.fn === 'SSL_clear',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_clear') return 'wrong call';
      if (outcome.ret.t !== 'int' || outcome.ret.v !== 1n) return `returned ${show(outcome.ret)}`;
      const cn = conn(before, call.ssl);
      const a = conn(after, call.ssl);
      if (a.phase !== 'before' || a.hit || a.sent) return `not fresh: ${show(a)}`;
      const want = bad(before, call.ssl) ? null : cn.session;
      if (a.session !== want) return `holds ${a.session}, expected ${want}`;
      if (want !== null && sess(after, want).refs !== sess(before, want).refs)
        return 'the kept session lost a reference';
      return undefined;
    },
  },
  {
    kind: 'step',
    title: '§CONN-9 SSL_CTX_set_session_id_context stores up to 32 bytes and refuses a longer one with 0',
    level,
    minShare: 0.3,
    applies: (c) => c.call.fn === 'SSL_CTX_set_session_id_context',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_CTX_set_session_id_context') return 'wrong call';
      const ok = call.sid.length / 2 <= MAX_SID_CTX;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== (ok ? 1n : 0n)) return `returned ${show(outcome.ret)}`;
      const want = ok ? call.sid : ctxOf(before, call.ctx).sidCtx;
      return ctxOf(after, call.ctx).sidCtx === want ? undefined : `sid_ctx ${ctxOf(after, call.ctx).sidCtx}`;
    },
  },

  // ---- handshakes ----
  {
    kind: 'step',
    title:
      '§HS-1 the client offers its session only when it is resumable and of TLS 1.2; otherwise it makes a new one first',
    level,
    minShare: 0.8,
    applies: isHs,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const first = c.outcome.events[0];
      const madeFirst = first?.ev === 'new' && conn(c.after, k.client).session === first.s;
      if (madeFirst === (k.offered !== null))
        return `offered ${k.offered} (client held ${k.cli.session}), but events ${show(c.outcome.events)}`;
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      "§HS-2 a handshake session: one new object, time = the clock, the context's timeout (7200 s when 0), the connection's sid_ctx, TLS 1.2",
    level,
    minShare: 0.8,
    applies: (c) => isHs(c) && made(c).length > 0,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      let n = c.before.sessionsCreated;
      for (const m of made(c)) {
        if (m.s !== `s${++n}` || c.before.sessions.has(m.s)) return `new session ${m.s}`;
        const s = c.after.sessions.get(m.s);
        if (s === undefined) continue;
        const cn = conn(c.before, m.t);
        const ctxTimeout = ctxOf(c.before, cn.ctx).timeout;
        const timeout = ctxTimeout === 0n ? DEFAULT_TIMEOUT : ctxTimeout;
        if (s.time !== c.call.now) return `${m.s} time ${s.time}, clock ${c.call.now}`;
        if (s.timeout !== timeout) return `${m.s} timeout ${s.timeout}, expected ${timeout}`;
        if (s.sidCtx !== cn.sidCtx) return `${m.s} sid_ctx ${s.sidCtx}`;
        // A TLS 1.3-capable client's session is TLS 1.2 once it has read the ServerHello (§EXT-5).
        const negotiated = !(cn.role === 'client' && cn.tls13 && c.call.until === 'server-hello');
        if (negotiated && s.version !== TLS1_2) return `${m.s} version ${s.version}`;
        if (s.app !== 0) return `${m.s} has application references`;
      }
      return n === c.after.sessionsCreated ? undefined : 'sessions made without a new event';
    },
  },
  {
    kind: 'step',
    title:
      '§HS-3 a server draws a 32-byte id for its new session, and keeps and sends an empty one when its mode lacks SERVER',
    level,
    minShare: 0.8,
    applies: (c) => isHs(c) && c.outcome.events.some((e) => e.ev === 'gen_id'),
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const sends = (ctxOf(c.before, k.srv.ctx).mode & MODE.SERVER) !== 0n;
      for (const [i, e] of c.outcome.events.entries()) {
        if (e.ev !== 'gen_id') continue;
        const prev = c.outcome.events
          .slice(0, i)
          .reverse()
          .find((x) => x.ev !== 'free');
        if (e.ssl !== k.server || prev?.ev !== 'new') return `events ${show(c.outcome.events)}`;
        const len = idLen(sess(c.after, prev.s));
        if (len !== (sends ? 32 : 0)) return `${prev.s} has a ${len}-byte id (SERVER bit ${sends})`;
      }
      if (!sends && k.finished) {
        const cs = conn(c.after, k.client).session;
        if (cs !== null && idLen(sess(c.after, cs)) !== 0) return `the client's ${cs} got an id`;
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      "§HS-4 after a full handshake the client's session has the server's id; an offered id not resumed counts a client miss and a new session",
    level,
    minShare: 0.5,
    applies: (c) =>
      inScope(c) &&
      (() => {
        const k = course(c);
        return k.clientReads && k.lookup !== 'hit';
      })(),
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const cs = conn(c.after, k.client).session;
      const ss = conn(c.after, k.server).session;
      if (cs === null || ss === null) return 'a side holds no session';
      if (sess(c.after, cs).id !== sess(c.after, ss).id)
        return `client id ${sess(c.after, cs).id} ≠ server id ${sess(c.after, ss).id}`;
      if (k.offered !== null && (cs === k.offered || c.before.sessions.has(cs)))
        return `the client kept ${cs}`;
      return checkCounts(c, k, ['misses']);
    },
  },
  {
    kind: 'step',
    title:
      "§HS-5 a failed handshake returns 0; the sender's and the reader's sessions are removed from their contexts and both stay failed",
    level,
    minShare: 0.07,
    applies: (c) => inScope(c) && course(c).failed,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      if (intRet(c) !== 0n) return `returned ${show(c.outcome.ret)}`;
      // The client fails a resumption it refuses: it sends; the server fails a lookup.
      const sender = k.clientFails ? k.client : k.server;
      const reader = k.clientFails ? k.server : c.call.until === 'done' ? k.client : null;
      const want: { ctx: CtxHandle; s: SessionHandle }[] = [];
      for (const t of [sender, reader]) {
        if (t === null) continue;
        const a = conn(c.after, t);
        if (a.phase !== 'failed') return `${t} is ${a.phase}`;
        if (a.session === null || idLen(sess(c.before, a.session)) === 0) continue;
        const s = c.after.sessions.get(a.session);
        if (s !== undefined && !s.notResumable) return `${t}'s ${a.session} still resumable`;
        if (s !== undefined && c.after.ctxs.get(a.ctx)?.cache.has(cacheKey(s)))
          return `an entry under ${t}'s id is still cached in ${a.ctx}`;
        if (ctxOf(c.before, a.ctx).cbs.remove !== null) want.push({ ctx: a.ctx, s: a.session });
      }
      const got = c.outcome.events.flatMap((e) => (e.ev === 'remove_cb' ? [{ ctx: e.ctx, s: e.s }] : []));
      return show(got) === show(want) ? undefined : `remove callbacks ${show(got)}, expected ${show(want)}`;
    },
  },
  {
    kind: 'probe',
    title:
      '§HS-6 a handshake whose clock moved on during the call allows exactly the outcomes of the readings: here a session expiring at `now` is resumed or found expired',
    level,
    minShare: 0.3,
    probe: (st, k) => {
      // A server context whose lookup reaches the expiry check: internal lookup, no fatal sid_ctx.
      const ctxs = liveCtxs(st).filter((ch) => {
        const c = ctxOf(st, ch);
        return (c.mode & MODE.NO_INTERNAL_LOOKUP) === 0n && !((c.verify & 1n) !== 0n && c.sidCtx === '');
      });
      const candidates = ctxs.flatMap((ch) =>
        [...cachedSet(st, ch)]
          .filter((h) => {
            const s = sess(st, h);
            return (
              s.version === TLS1_2 &&
              idLen(s) > 0 &&
              !s.notResumable &&
              !s.unfinished &&
              s.secret !== '' &&
              s.sidCtx === ctxOf(st, ch).sidCtx
            );
          })
          .map((h) => ({ ch, h })),
      );
      const pickd = candidates[k % Math.max(1, candidates.length)];
      if (pickd === undefined) return undefined;
      const { ch, h } = pickd;
      const c = ctxOf(st, ch);
      // No automatic flush due on this context (its readings would add outcomes of their own).
      if ((c.stats.accept_good & 0xffn) === 0xffn || (c.stats.connect_good & 0xffn) === 0xffn)
        return undefined;
      const now = HANDSHAKE_NOW;
      const client: SslHandle = `t${st.connsCreated + 1}`;
      const server: SslHandle = `t${st.connsCreated + 2}`;
      return [
        { fn: 'SSL_SESSION_set_timeout', s: h, t: 10n },
        { fn: 'SSL_SESSION_set_time', s: h, t: now - 10n },
        { fn: 'SSL_new', ctx: ch, role: 'client' },
        { fn: 'SSL_new', ctx: ch, role: 'server' },
        { fn: 'SSL_set_session', ssl: client, s: h },
        { fn: 'handshake', client, server, until: 'done', now, later: now + 1n, ids: [] },
      ];
    },
    check: (st: State, call: Call, result: StepResult<State>, model: Model) => {
      if (call.fn !== 'handshake' || call.later === undefined) return 'wrong call';
      if (result.kind !== 'defined') return `undefined: ${result.reason}`;
      const at = (t: bigint) => {
        const { later: _later, ...fixed } = call;
        const r = model.step(st, { ...fixed, now: t });
        if (r.kind !== 'defined' || r.branches.length !== 1) return undefined;
        return r.branches[0].outcome;
      };
      const early = at(call.now);
      const late = at(call.later);
      if (early === undefined || late === undefined) return 'a fixed clock gives no single outcome';
      if (sameOutcome(early, late)) return 'the probe did not make the outcome depend on the clock';
      const got = result.branches.map((b) => b.outcome);
      for (let i = 0; i < got.length; i++)
        for (let j = i + 1; j < got.length; j++)
          if (sameOutcome(got[i], got[j])) return `branches ${i} and ${j} are the same outcome`;
      const want = [early, late];
      if (got.length !== want.length || !want.every((w) => got.some((g) => sameOutcome(g, w))))
        return `branches ${show(got)}, expected the outcomes at ${call.now} and at ${call.later}`;
      return undefined;
    },
  },

  // ---- the server's lookup ----
  {
    kind: 'step',
    title:
      '§LOOKUP-1 the server looks an offered id up in its cache unless NO_INTERNAL_LOOKUP, a miss counts, then get_session_cb is asked',
    level,
    minShare: 0.5,
    applies: (c) => inScope(c) && course(c).sent !== '',
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const asks = k.found === undefined && ctxOf(c.before, k.srv.ctx).cbs.get !== null;
      const id = k.sent;
      const got = c.outcome.events.filter((e) => e.ev === 'get_cb');
      const want = asks ? [{ ev: 'get_cb', ssl: k.server, id }] : [];
      if (show(got) !== show(want)) return `get_session_cb ${show(got)}, expected ${show(want)}`;
      return checkCounts(c, k, ['misses']);
    },
  },
  {
    kind: 'step',
    title:
      '§LOOKUP-2 a found session of another sid_ctx is a silent miss: not resumed, not removed, not counted; the server makes a new session',
    level,
    minShare: 0.05,
    applies: (c) => inScope(c) && course(c).lookup === 'mismatch',
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const f = k.found as SessionHandle;
      // Only eviction by this handshake's own stores (§EVICT-1) may take it out afterwards.
      const evicted =
        ctxOf(c.after, k.srv.ctx).stats.cache_full > ctxOf(c.before, k.srv.ctx).stats.cache_full;
      const kept =
        isCachedIn(c.after, k.srv.ctx, f) && sess(c.after, f).notResumable === sess(c.before, f).notResumable;
      if (!kept && !evicted) return `${f} was removed`;
      if (conn(c.after, k.server).session === f) return `${f} was resumed`;
      if (!c.outcome.events.some((e) => e.ev === 'gen_id')) return 'no new server session';
      return checkCounts(c, k, ['misses', 'timeouts', 'hits']);
    },
  },
  {
    kind: 'step',
    title:
      '§LOOKUP-3 SSL_VERIFY_PEER with an empty sid_ctx makes a found session fatal; it stays cached and resumable, no counter moves',
    level,
    minShare: 0.05,
    applies: (c) => inScope(c) && course(c).lookup === 'fatal',
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const f = k.found as SessionHandle;
      if (intRet(c) !== 0n) return `returned ${show(c.outcome.ret)}`;
      if (conn(c.after, k.server).phase !== 'failed') return 'the server did not fail';
      // Unless §HS-5's removals (the client's session, same id, same context) take it.
      if (
        !takenByFailure(c, k, k.srv.ctx, f) &&
        (!isCachedIn(c.after, k.srv.ctx, f) ||
          sess(c.after, f).notResumable !== sess(c.before, f).notResumable)
      )
        return `${f} was removed`;
      return checkCounts(c, k);
    },
  },
  {
    kind: 'step',
    title:
      '§LOOKUP-4 an expired found session counts a timeout (not a server miss), is removed as by SSL_CTX_remove_session, and the server makes a new session',
    level,
    minShare: 0.05,
    applies: (c) => inScope(c) && course(c).lookup === 'expired',
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const f = k.found as SessionHandle;
      if (isCachedIn(c.after, k.srv.ctx, f)) return `${f} still cached`;
      const a = c.after.sessions.get(f);
      if (a !== undefined && !a.notResumable) return `${f} still resumable`;
      const hasCb = ctxOf(c.before, k.srv.ctx).cbs.remove !== null;
      if (hasCb && !removeCbs(c.outcome.events).includes(f)) return `no remove callback for ${f}`;
      if (!c.outcome.events.some((e) => e.ev === 'gen_id')) return 'no new server session';
      return checkCounts(c, k, ['timeouts', 'misses', 'hits']);
    },
  },
  {
    kind: 'step',
    title:
      '§LOOKUP-5 a resumption counts a hit on the server and uses the cached object itself; no new server session',
    level,
    minShare: 0.4,
    applies: (c) => inScope(c) && course(c).lookup === 'hit',
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const f = k.found as SessionHandle;
      if (conn(c.after, k.server).session !== f)
        return `the server holds ${conn(c.after, k.server).session}, not ${f}`;
      if (c.outcome.events.some((e) => e.ev === 'gen_id')) return 'the server drew an id';
      return checkCounts(c, k, ['hits', 'misses', 'timeouts']);
    },
  },

  // ---- the cache update ----
  {
    kind: 'step',
    title:
      "§STORE-1 a full handshake stores each side's session under its role bit (then new_session_cb); a resumption stores and calls nothing",
    level,
    minShare: 0.5,
    applies: (c) => inScope(c) && course(c).finished,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      const fs = finishes(c, k);
      const stores = k.resumed ? [] : fs.filter((f) => !f.skips && f.roleBit);
      const want = stores
        .filter((f) => ctxOf(c.before, f.c.ctx).cbs.new !== null)
        .map((f) => ({ ssl: f.t, s: f.s }));
      const got = newCbs(c.outcome.events);
      if (show(got) !== show(want)) return `new_session_cb ${show(got)}, expected ${show(want)}`;
      if (fs.some((f) => flushes(c, f))) return undefined;
      const shared = k.cli.ctx === k.srv.ctx;
      for (const f of stores) {
        if ((ctxOf(c.before, f.c.ctx).mode & MODE.NO_INTERNAL_STORE) !== 0n) continue;
        // In a context both sides store to, the client's session (same id) replaces the server's.
        if (shared && f.c.role === 'server' && stores.length === 2) continue;
        if (!isCachedIn(c.after, f.c.ctx, f.s)) return `${f.t}'s ${f.s} not cached in ${f.c.ctx}`;
      }
      if (k.resumed) {
        for (const ch of new Set([k.cli.ctx, k.srv.ctx])) {
          const links = (st: State) => show([...cachedSet(st, ch)].sort().map((h) => [h, sess(st, h).link]));
          if (links(c.before) !== links(c.after)) return `a resumption changed the cache of ${ch}`;
        }
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§STORE-2 a side finishing with an empty id, a non-resumable session, or as a server verifying peers with an empty sid_ctx stores nothing and calls nothing',
    level,
    minShare: 0.2,
    applies: (c) => inScope(c) && finishes(c, course(c)).some((f) => f.skips),
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      for (const f of finishes(c, k).filter((x) => x.skips)) {
        if (newCbs(c.outcome.events).some((e) => e.ssl === f.t)) return `new_session_cb for ${f.t}`;
        const wasCached = c.before.ctxs.get(f.c.ctx)?.cache.get(cacheKey(sess(c.after, f.s)));
        if (isCachedIn(c.after, f.c.ctx, f.s) && wasCached !== f.s) return `${f.t}'s ${f.s} was stored`;
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§AUTO-1 the 256th, 512th, … good handshake of a role flushes its context at the clock, unless NO_AUTO_CLEAR',
    level,
    minShare: 0.1,
    applies: (c) => inScope(c) && finishes(c, course(c)).some((f) => flushes(c, f)),
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      for (const f of finishes(c, course(c)).filter((x) => flushes(c, x))) {
        const left = expiredCached(c.model, c.after, f.c.ctx, c.call.now);
        if (left.length > 0) return `${show(left)} expired but still cached in ${f.c.ctx}`;
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title: '§AUTO-1 no other resumption flushes: expired sessions stay cached',
    level,
    minShare: 0.1,
    applies: (c) =>
      inScope(c) &&
      course(c).resumed &&
      !finishes(c, course(c)).some((f) => flushes(c, f)) &&
      [course(c).cli.ctx, course(c).srv.ctx].some(
        (ch) => expiredCached(c.model, c.before, ch, c.call.now).length > 0,
      ),
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      for (const ch of new Set([k.cli.ctx, k.srv.ctx])) {
        for (const h of expiredCached(c.model, c.before, ch, c.call.now))
          if (!isCachedIn(c.after, ch, h)) return `${h} (expired) left ${ch}`;
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§COUNT-1 connect and accept count each start; connect_good and accept_good each finish; hits, misses and timeouts as the lookup went; nothing counts renegotiations or cb_hits',
    level,
    minShare: 0.8,
    applies: inScope,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const k = course(c);
      if (intRet(c) !== expectedRet(k)) return `returned ${show(c.outcome.ret)} (lookup ${k.lookup})`;
      return checkCounts(c, k);
    },
  },
];

/** Properties for spec/undefined.md's connection clauses. */
export const undefinedProperties: ClauseProperty[] = [
  {
    kind: 'probe',
    title:
      '§UB-4 a handshake on a used connection, between two clients or two servers, or another verify mode, is undefined',
    level,
    minShare: 0.5,
    probe: (st, k) => {
      const ch = liveCtxs(st)[k % Math.max(1, liveCtxs(st).length)];
      if (ch === undefined) return undefined;
      const t1: SslHandle = `t${st.connsCreated + 1}`;
      const t2: SslHandle = `t${st.connsCreated + 2}`;
      const hs = (client: SslHandle, server: SslHandle): Call => ({
        fn: 'handshake',
        client,
        server,
        until: 'done',
        now: HANDSHAKE_NOW,
        ids: [],
      });
      const used = [...st.conns.entries()].filter(([, c]) => c.phase !== 'before');
      switch (k % 4) {
        case 0: {
          const u = used[k % Math.max(1, used.length)];
          if (u === undefined) return [{ fn: 'SSL_CTX_set_verify', ctx: ch, mode: 2n }];
          const [t, c] = u;
          const other = c.role === 'client' ? 'server' : 'client';
          return [{ fn: 'SSL_new', ctx: ch, role: other }, c.role === 'client' ? hs(t, t1) : hs(t1, t)];
        }
        case 1:
          return [
            { fn: 'SSL_new', ctx: ch, role: 'client' },
            { fn: 'SSL_new', ctx: ch, role: 'client' },
            hs(t1, t2),
          ];
        case 2:
          return [
            { fn: 'SSL_new', ctx: ch, role: 'server' },
            { fn: 'SSL_new', ctx: ch, role: 'server' },
            hs(t1, t2),
          ];
        default:
          return [{ fn: 'SSL_CTX_set_verify', ctx: ch, mode: k % 8 === 3 ? 2n : 3n }];
      }
    },
    check: isUndefined,
  },
  {
    kind: 'probe',
    title:
      '§UB-5 a server finding a session whose handshake stopped at the ServerHello (cached by the application) is undefined',
    level,
    minShare: 0.5,
    probe: (st, k) => {
      const ctxs = liveCtxs(st).filter((ch) => {
        const m = ctxOf(st, ch).mode;
        return (m & MODE.SERVER) !== 0n && (m & MODE.NO_INTERNAL_LOOKUP) === 0n;
      });
      const ch = ctxs[k % Math.max(1, ctxs.length)];
      if (ch === undefined) return undefined;
      const t = (n: number): SslHandle => `t${st.connsCreated + n}`;
      // The client's ClientHello makes a session first, then the server its own (§HS-2).
      const unfinished: SessionHandle = `s${st.sessionsCreated + 2}`;
      return [
        { fn: 'SSL_new', ctx: ch, role: 'client' },
        { fn: 'SSL_new', ctx: ch, role: 'server' },
        { fn: 'handshake', client: t(1), server: t(2), until: 'server-hello', now: HANDSHAKE_NOW, ids: [] },
        { fn: 'SSL_CTX_add_session', ctx: ch, s: unfinished, now: HANDSHAKE_NOW },
        { fn: 'SSL_new', ctx: ch, role: 'client' },
        { fn: 'SSL_new', ctx: ch, role: 'server' },
        { fn: 'SSL_set_session', ssl: t(3), s: unfinished },
        { fn: 'handshake', client: t(3), server: t(4), until: 'done', now: HANDSHAKE_NOW, ids: [] },
      ];
    },
    check: isUndefined,
  },
];
