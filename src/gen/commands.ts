/**
 * Generated call sequences, weighted toward the corners of the session cache: tiny cache
 * sizes, a small pool of colliding ids (zero-length and over-long ones included), equal and
 * boundary times, overflowing timeouts, every mode bit.
 *
 * A plan is a list of abstract operations whose targets are indices; `resolve` turns one into
 * a concrete call against the current model state, choosing only targets that keep the
 * sequence defined (a session the application still holds for a free, an uncached session for
 * a new id, …). Plans therefore shrink well: removing an operation never invalidates another.
 *
 * @category generators
 */
import fc from 'fast-check';
import { LONG_MAX, LONG_MIN } from '../model/int64.js';
import { cacheKey, type State } from '../model/state.js';
import {
  type Call,
  COUNTERS,
  type Counter,
  type CtxHandle,
  type HandshakeUntil,
  type SessionHandle,
  type SslHandle,
  statFn,
} from '../model/types.js';

/** Which calls a campaign generates: the object-level API, connections, or both mixed. */
export type Level = 'object' | 'handshake' | 'all';
export const LEVELS: readonly Level[] = ['object', 'handshake', 'all'];

export const BASE_TIME = 1_700_000_000n;

/** Times: a few equal values near a base, zero, negative, and values near `LONG_MAX`. */
export const timeArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(BASE_TIME, BASE_TIME + 1n, BASE_TIME + 10n, BASE_TIME + 304n) },
  { weight: 1, arbitrary: fc.constantFrom(0n, 1n, -5n, LONG_MAX, LONG_MAX - 5n, 2n ** 31n) },
);

/** Timeouts: zero, small, the defaults, negative, and overflowing ones. */
export const timeoutArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(0n, 1n, 10n, 304n, 7200n) },
  { weight: 1, arbitrary: fc.constantFrom(-1n, LONG_MAX, LONG_MAX - 1000n, -(2n ** 62n)) },
);

/** Session ids (hex): a small colliding pool, the empty id, the 32-byte maximum, 33 bytes. */
export const idArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('01', '02', '03', '0102', '01020304') },
  { weight: 2, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('ab'.repeat(32), 'cd'.repeat(33)) },
);

export const cacheSizeArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(1n, 2n, 3n, 4n) },
  { weight: 2, arbitrary: fc.constantFrom(0n, 20480n, -1n) },
);

/** Every `SSL_SESS_CACHE_*` bit alone and in the usual combinations, plus unknown bits. */
export const modeArb: fc.Arbitrary<bigint> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(0n, 1n, 2n, 3n, 0x80n, 0x100n, 0x200n, 0x300n, 0x400n, 0x402n) },
  { weight: 1, arbitrary: fc.constantFrom(0x401n, 0x7fffn, 0xffffffffn, -1n, 0x10000n) },
);

const callbackArb = fc.constantFrom<string | null>('cb', 'cb', 'cb2', 'cb3', 'cb4', null);
/**
 * The callback names of each kind: remove callbacks only report; `keep` is the external store's
 * new-session callback, `store`, `store-copy0` and `stale` its get-session callbacks
 * (spec/external.md); others keep nothing and answer NULL.
 */
const CALLBACK_NAMES: Readonly<Record<CbKind, Readonly<Record<string, string>>>> = {
  remove: { cb: 'cb', cb2: 'cb2', cb3: 'cb', cb4: 'cb2' },
  new: { cb: 'keep', cb2: 'cb', cb3: 'keep', cb4: 'cb' },
  get: { cb: 'store', cb2: 'store-copy0', cb3: 'stale', cb4: 'cb' },
};
const callbackName = (which: CbKind, cb: string | null): string | null =>
  cb === null ? null : (CALLBACK_NAMES[which][cb] ?? cb);

/** An abstract operation; `i`/`j` pick targets at resolution time. */
export type Op =
  | { readonly op: 'new'; readonly now: bigint; readonly id: string | null }
  | { readonly op: 'setId'; readonly i: number; readonly id: string }
  | { readonly op: 'setTime'; readonly i: number; readonly t: bigint }
  | { readonly op: 'setTimeout'; readonly i: number; readonly t: bigint }
  | { readonly op: 'getTime' | 'getTimeout' | 'isResumable' | 'upRef'; readonly i: number }
  | { readonly op: 'free'; readonly i: number }
  | { readonly op: 'ctxNew' }
  | { readonly op: 'ctxFree'; readonly j: number }
  | { readonly op: 'add'; readonly j: number; readonly i: number; readonly now: bigint }
  | { readonly op: 'remove'; readonly j: number; readonly i: number; readonly nil: boolean }
  | { readonly op: 'flush'; readonly j: number; readonly t: FlushTime }
  | { readonly op: 'setSize'; readonly j: number; readonly size: bigint }
  | { readonly op: 'setMode'; readonly j: number; readonly mode: bigint }
  | { readonly op: 'setCtxTimeout'; readonly j: number; readonly t: bigint }
  | { readonly op: 'ctxGet'; readonly j: number; readonly what: CtxGetter }
  | { readonly op: 'setCb'; readonly j: number; readonly which: CbKind; readonly cb: string | null }
  | { readonly op: 'getCb'; readonly j: number; readonly which: CbKind }
  // ---- connections ----
  | {
      /** A handshake between a fresh client on context `a` and a fresh server on context `b`. */
      readonly op: 'connect';
      readonly a: number;
      readonly b: number;
      /** Reuse an existing fresh SSL of the right role instead of making one, when there is one. */
      readonly reuse: boolean;
      /** What the client offers: nothing new, the newest handshake session, or a session by index. */
      readonly offer: 'keep' | 'newest' | 'pick';
      readonly i: number;
      readonly until: HandshakeUntil;
      /** A new client also speaks TLS 1.3 (and sends a random legacy id when it offers nothing). */
      readonly tls13: boolean;
    }
  | { readonly op: 'sslCall'; readonly k: number; readonly fn: SslCallFn }
  | { readonly op: 'sslSetSession'; readonly k: number; readonly i: number; readonly nil: boolean }
  | { readonly op: 'setSidCtx'; readonly j: number; readonly sid: string }
  | { readonly op: 'setVerify'; readonly j: number; readonly peer: boolean }
  | {
      /**
       * `n` handshakes between one client and one server, shut down cleanly and cleared in
       * between, so that all but the first resume: cheap good handshakes, the way to the
       * automatic flush. With `marker`, first an expired session is cached on the server's
       * context, for the flush to remove.
       */
      readonly op: 'burst';
      readonly a: number;
      readonly b: number;
      readonly n: number;
      readonly marker: boolean;
    };

/** Connection calls that take only the `SSL`. */
type SslCallFn =
  | 'SSL_free'
  | 'SSL_shutdown'
  | 'SSL_clear'
  | 'SSL_get_session'
  | 'SSL_get1_session'
  | 'SSL_session_reused';

type CbKind = 'new' | 'remove' | 'get';
type CtxGetter = 'size' | 'number' | 'mode' | 'timeout' | Counter;
/** A flush time: absolute, or relative to a cached session's expiry (the boundary cases). */
export type FlushTime = { readonly abs: bigint } | { readonly rel: number; readonly delta: -1n | 0n | 1n };

const i = fc.nat({ max: 15 });
const j = fc.nat({ max: 3 });

const flushTimeArb: fc.Arbitrary<FlushTime> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<FlushTime>({ abs: 0n }) },
  { weight: 2, arbitrary: timeArb.map((t): FlushTime => ({ abs: t })) },
  {
    weight: 5,
    arbitrary: fc.record({ rel: i, delta: fc.constantFrom<-1n | 0n | 1n>(-1n, 0n, 1n) }),
  },
);

/** Abstract operations, weighted like a test of the cache's corners. */
export const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 14,
    arbitrary: fc.record({
      op: fc.constant('new' as const),
      now: timeArb,
      // Four in five get an id; shrinking goes toward a session without one (k = 0).
      id: fc.tuple(fc.nat({ max: 4 }), idArb).map(([k, id]) => (k === 0 ? null : id)),
    }),
  },
  { weight: 10, arbitrary: fc.record({ op: fc.constant('setId' as const), i, id: idArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('setTime' as const), i, t: timeArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('setTimeout' as const), i, t: timeoutArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constantFrom(
        'getTime' as const,
        'getTimeout' as const,
        'isResumable' as const,
        'upRef' as const,
      ),
      i,
    }),
  },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('free' as const), i }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'ctxNew' }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ctxFree' as const), j }) },
  { weight: 16, arbitrary: fc.record({ op: fc.constant('add' as const), j, i, now: timeArb }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('remove' as const),
      j,
      i,
      nil: fc.oneof(
        { weight: 9, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('flush' as const), j, t: flushTimeArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('setSize' as const), j, size: cacheSizeArb }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setMode' as const), j, mode: modeArb }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setCtxTimeout' as const), j, t: timeoutArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('ctxGet' as const),
      j,
      what: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom<CtxGetter>('number', 'cache_full') },
        { weight: 2, arbitrary: fc.constantFrom<CtxGetter>('size', 'mode', 'timeout', ...COUNTERS) },
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({
        op: fc.constant('setCb' as const),
        j,
        which: fc.constantFrom<CbKind>('remove', 'remove', 'new', 'get'),
        cb: callbackArb,
      })
      .map((o) => ({ ...o, cb: callbackName(o.which, o.cb) })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('getCb' as const),
      j,
      which: fc.constantFrom<CbKind>('new', 'remove', 'get'),
    }),
  },
);

const sidCtxArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', '01', '0102') },
  { weight: 1, arbitrary: fc.constantFrom('aa'.repeat(32), 'bb'.repeat(33)) },
);
const k = fc.nat({ max: 7 });

/** Connection operations, weighted toward handshakes that resume, fail and tear down. */
export const connOpArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 16,
    arbitrary: fc.record({
      op: fc.constant('connect' as const),
      a: j,
      b: j,
      reuse: fc.boolean(),
      offer: fc.constantFrom<'keep' | 'newest' | 'pick'>('newest', 'newest', 'pick', 'keep'),
      i,
      until: fc.oneof(
        { weight: 9, arbitrary: fc.constant<HandshakeUntil>('done') },
        { weight: 1, arbitrary: fc.constant<HandshakeUntil>('server-hello') },
      ),
      tls13: fc.nat({ max: 4 }).map((x) => x === 0),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('sslCall' as const),
      k,
      fn: fc.constantFrom<SslCallFn>(
        'SSL_free',
        'SSL_free',
        'SSL_shutdown',
        'SSL_shutdown',
        'SSL_clear',
        'SSL_get_session',
        'SSL_get1_session',
        'SSL_session_reused',
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('sslSetSession' as const),
      k,
      i,
      nil: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    }),
  },
  // Context settings that change a later lookup's course (§LOOKUP-2, §LOOKUP-3), and contexts
  // freed while their connections live (§CONN-2).
  { weight: 3, arbitrary: fc.record({ op: fc.constant('setSidCtx' as const), j, sid: sidCtxArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('setVerify' as const), j, peer: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ctxFree' as const), j }) },
  {
    // Context timeouts that matter to handshakes: 0 (the method's default, §HS-2) and -1 (a
    // session expired at once, for the server's expiry check, §LOOKUP-4).
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('setCtxTimeout' as const),
      j,
      t: fc.constantFrom(0n, -1n, -1n, 10n, 7200n),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('burst' as const),
      a: j,
      b: j,
      n: fc.oneof({ weight: 1, arbitrary: fc.constant(3) }, { weight: 1, arbitrary: fc.constant(256) }),
      marker: fc.nat({ max: 3 }).map((x) => x > 0),
    }),
  },
);

/** The object-level operations that matter most next to connections. */
const besideConnections: fc.Arbitrary<Op> = opArb.filter((o) =>
  [
    'setTime',
    'setTimeout',
    'add',
    'remove',
    'flush',
    'setSize',
    'setMode',
    'setCtxTimeout',
    'ctxGet',
    'setCb',
    'free',
    'ctxFree',
    'ctxNew',
    'isResumable',
    'getTime',
    'upRef',
  ].includes(o.op),
);

/** The operations of a level. */
export const levelOpArb = (level: Level): fc.Arbitrary<Op> =>
  level === 'object'
    ? opArb
    : level === 'handshake'
      ? fc.oneof({ weight: 3, arbitrary: connOpArb }, { weight: 1, arbitrary: besideConnections })
      : fc.oneof({ weight: 1, arbitrary: connOpArb }, { weight: 1, arbitrary: opArb });

export interface Plan {
  /** Install a remove callback on the first context. */
  readonly removeCb: boolean;
  /** Give the first context a small cache at once (null: keep the default size). */
  readonly cacheSize: bigint | null;
  /**
   * Connection levels: a second context for clients, and its cache mode (null: no second
   * context). Absent at the object level.
   */
  readonly clientCtx?: { readonly mode: bigint; readonly removeCb: boolean } | null;
  /**
   * Connection levels: the first context as a server with an external store (spec/external.md):
   * its callbacks and cache mode (null: none).
   */
  readonly external?: { readonly newCb: string; readonly getCb: string; readonly mode: bigint } | null;
  readonly ops: readonly Op[];
}

/** Every plan starts with a context, usually with a remove callback and a small cache. */
export const prelude = (plan: Pick<Plan, 'removeCb' | 'cacheSize' | 'clientCtx' | 'external'>): Call[] => [
  { fn: 'SSL_CTX_new' },
  ...(plan.removeCb ? [{ fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' } as const] : []),
  ...(plan.cacheSize === null
    ? []
    : [{ fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: plan.cacheSize } as const]),
  ...(plan.clientCtx === undefined || plan.clientCtx === null
    ? []
    : [
        { fn: 'SSL_CTX_new' } as const,
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c2', mode: plan.clientCtx.mode } as const,
        ...(plan.clientCtx.removeCb
          ? [{ fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c2', cb: 'cb' } as const]
          : []),
      ]),
  ...(plan.external === undefined || plan.external === null
    ? []
    : [
        { fn: 'SSL_CTX_sess_set_new_cb', ctx: 'c1', cb: plan.external.newCb } as const,
        { fn: 'SSL_CTX_sess_set_get_cb', ctx: 'c1', cb: plan.external.getCb } as const,
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: plan.external.mode } as const,
      ]),
];

export const planArb = (maxOps = 60, level: Level = 'object'): fc.Arbitrary<Plan> => {
  const common = {
    // Mostly on, but shrinking (toward 0) drops them from the prelude.
    removeCb: fc.nat({ max: 5 }).map((x) => x > 0),
    cacheSize: fc.nat({ max: 4 }).map((x) => (x === 0 ? null : BigInt(x))),
    ops: fc.array(levelOpArb(level), { minLength: 1, maxLength: maxOps, size: 'max' }),
  };
  if (level === 'object') return fc.record(common);
  return fc.record({
    ...common,
    clientCtx: fc.option(
      fc.record({
        mode: fc.constantFrom(1n, 3n, 1n, 0x81n, 0x201n),
        removeCb: fc.nat({ max: 3 }).map((x) => x > 0),
      }),
      { nil: null, freq: 3 },
    ),
    external: fc.option(
      fc.record({
        newCb: fc.constantFrom('keep', 'keep', 'cb'),
        getCb: fc.constantFrom('store', 'store', 'store-copy0', 'stale', 'cb'),
        // Mostly an external store only (NO_INTERNAL_STORE); sometimes also the internal cache,
        // NO_INTERNAL (no lookup either) or caching off.
        mode: fc.constantFrom(0x202n, 0x202n, 0x302n, 0x2n, 0x200n, 0x0n),
      }),
      { nil: null, freq: 2 },
    ),
  });
};

/** The `k`-th element, cyclically; undefined for an empty list. */
export const pick = <T>(xs: readonly T[], k: number): T | undefined =>
  xs.length === 0 ? undefined : xs[k % xs.length];

/** Live sessions in creation order. */
export const liveSessions = (st: State): SessionHandle[] =>
  [...st.sessions.keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
/** Contexts the application still holds (one freed while connections hold it is not). */
export const liveCtxs = (st: State): CtxHandle[] =>
  [...st.ctxs.entries()]
    .filter(([, c]) => !c.appFreed)
    .map(([h]) => h)
    .sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
/** Live connections in creation order. */
export const liveConns = (st: State): SslHandle[] =>
  [...st.conns.keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));

/**
 * The concrete calls an operation stands for in `st`: none when it has no defined target there
 * (it is then skipped). A new session usually gets its id at once. Sessions cached in one
 * context are only added to that one; an operation on a context when none is live creates one.
 */
export const resolve = (st: State, op: Op): readonly Call[] => {
  const r = resolveOne(st, op);
  return r === undefined ? [] : Array.isArray(r) ? r : [r as Call];
};

const resolveOne = (st: State, op: Op): Call | readonly Call[] | undefined => {
  if (('j' in op || 'a' in op) && liveCtxs(st).length === 0) return { fn: 'SSL_CTX_new' };
  const sessions = liveSessions(st);
  const ctxs = liveCtxs(st);
  const s = (k: number) => pick(sessions, k);
  const c = (k: number) => pick(ctxs, k);
  switch (op.op) {
    case 'new': {
      const h: SessionHandle = `s${st.sessionsCreated + 1}`;
      const created: Call = { fn: 'SSL_SESSION_new', now: op.now };
      return op.id === null ? created : [created, { fn: 'SSL_SESSION_set1_id', s: h, id: op.id }];
    }
    case 'setId': {
      const h = pick(
        sessions.filter((x) => st.sessions.get(x)?.owner === null),
        op.i,
      );
      return h && { fn: 'SSL_SESSION_set1_id', s: h, id: op.id };
    }
    case 'setTime': {
      const h = s(op.i);
      return h && { fn: 'SSL_SESSION_set_time', s: h, t: op.t };
    }
    case 'setTimeout': {
      const h = s(op.i);
      return h && { fn: 'SSL_SESSION_set_timeout', s: h, t: op.t };
    }
    case 'getTime':
    case 'getTimeout':
    case 'isResumable':
    case 'upRef': {
      const h = s(op.i);
      const fn = {
        getTime: 'SSL_SESSION_get_time',
        getTimeout: 'SSL_SESSION_get_timeout',
        isResumable: 'SSL_SESSION_is_resumable',
        upRef: 'SSL_SESSION_up_ref',
      } as const;
      return h && { fn: fn[op.op], s: h };
    }
    case 'free': {
      const held = sessions.filter((x) => (st.sessions.get(x)?.app ?? 0) > 0);
      return { fn: 'SSL_SESSION_free', s: pick(held, op.i) ?? null };
    }
    case 'ctxNew':
      return { fn: 'SSL_CTX_new' };
    case 'ctxFree': {
      const h = c(op.j);
      return h && { fn: 'SSL_CTX_free', ctx: h };
    }
    case 'add': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      // Two adds in three aim at an uncached session, so that keys collide and caches fill.
      const fresh = sessions.filter((x) => st.sessions.get(x)?.owner === null);
      const mine = sessions.filter((x) => st.sessions.get(x)?.owner === ch);
      const h = op.i % 3 !== 0 && fresh.length > 0 ? pick(fresh, op.i) : pick([...fresh, ...mine], op.i);
      return h && { fn: 'SSL_CTX_add_session', ctx: ch, s: h, now: op.now };
    }
    case 'remove': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      if (op.nil) return { fn: 'SSL_CTX_remove_session', ctx: ch, s: null };
      const h = s(op.i);
      return h && { fn: 'SSL_CTX_remove_session', ctx: ch, s: h };
    }
    case 'flush': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      if ('abs' in op.t) return { fn: 'SSL_CTX_flush_sessions', ctx: ch, t: op.t.abs };
      const cached = [...(st.ctxs.get(ch)?.cache.values() ?? [])].sort();
      const h = pick(cached, op.t.rel);
      const sess = h === undefined ? undefined : st.sessions.get(h);
      const t = sess === undefined ? BASE_TIME : sess.time + sess.timeout + op.t.delta;
      return {
        fn: 'SSL_CTX_flush_sessions',
        ctx: ch,
        t: t > LONG_MAX ? LONG_MAX : t < LONG_MIN ? LONG_MIN : t,
      };
    }
    case 'setSize': {
      const ch = c(op.j);
      return ch && { fn: 'SSL_CTX_sess_set_cache_size', ctx: ch, size: op.size };
    }
    case 'setMode': {
      const ch = c(op.j);
      return ch && { fn: 'SSL_CTX_set_session_cache_mode', ctx: ch, mode: op.mode };
    }
    case 'setCtxTimeout': {
      const ch = c(op.j);
      return ch && { fn: 'SSL_CTX_set_timeout', ctx: ch, t: op.t };
    }
    case 'ctxGet': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      switch (op.what) {
        case 'size':
          return { fn: 'SSL_CTX_sess_get_cache_size', ctx: ch };
        case 'number':
          return { fn: 'SSL_CTX_sess_number', ctx: ch };
        case 'mode':
          return { fn: 'SSL_CTX_get_session_cache_mode', ctx: ch };
        case 'timeout':
          return { fn: 'SSL_CTX_get_timeout', ctx: ch };
        default:
          return { fn: statFn(op.what), ctx: ch };
      }
    }
    case 'setCb': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      const fn = {
        new: 'SSL_CTX_sess_set_new_cb',
        remove: 'SSL_CTX_sess_set_remove_cb',
        get: 'SSL_CTX_sess_set_get_cb',
      } as const;
      return { fn: fn[op.which], ctx: ch, cb: op.cb };
    }
    case 'getCb': {
      const ch = c(op.j);
      if (ch === undefined) return undefined;
      const fn = {
        new: 'SSL_CTX_sess_get_new_cb',
        remove: 'SSL_CTX_sess_get_remove_cb',
        get: 'SSL_CTX_sess_get_get_cb',
      } as const;
      return { fn: fn[op.which], ctx: ch };
    }
    case 'connect':
      return resolveConnect(st, op, sessions, ctxs);
    case 'sslCall': {
      const t = pick(liveConns(st), op.k);
      return t && { fn: op.fn, ssl: t };
    }
    case 'sslSetSession': {
      const t = pick(liveConns(st), op.k);
      if (t === undefined) return undefined;
      const h = op.nil ? null : (pick(handshakeSessions(st), op.i) ?? null);
      if (h !== null && freedBySet(st, t, h)) return undefined;
      return { fn: 'SSL_set_session', ssl: t, s: h };
    }
    case 'setSidCtx': {
      const ch = c(op.j);
      return ch && { fn: 'SSL_CTX_set_session_id_context', ctx: ch, sid: op.sid };
    }
    case 'setVerify': {
      const ch = c(op.j);
      return ch && { fn: 'SSL_CTX_set_verify', ctx: ch, mode: op.peer ? 1n : 0n };
    }
    case 'burst':
      return resolveBurst(st, op, ctxs);
  }
};

/**
 * Whether `SSL_set_session(t, h)` would free `h` before referencing it (§UB-1): §CONN-6 first
 * removes `t`'s own session by key, and `h` may be the entry under that key that only the cache
 * holds.
 */
const freedBySet = (st: State, t: SslHandle, h: SessionHandle): boolean => {
  const c = st.conns.get(t);
  const own = c?.session == null ? undefined : st.sessions.get(c.session);
  if (c === undefined || own === undefined || c.phase !== 'done' || c.sent || own.id === '') return false;
  return st.ctxs.get(c.ctx)?.cache.get(cacheKey(own)) === h && st.sessions.get(h)?.refs === 1;
};

/** Sessions made by handshakes (a version the client speaks), in creation order. */
const handshakeSessions = (st: State): SessionHandle[] =>
  liveSessions(st).filter((h) => (st.sessions.get(h)?.version ?? 0) !== 0);

/** The clock a model-only run gives a handshake: after every generated time. */
export const HANDSHAKE_NOW = BASE_TIME + 1_000_000n;

const handshakeCall = (client: SslHandle, server: SslHandle, until: HandshakeUntil): Call => ({
  fn: 'handshake',
  client,
  server,
  until,
  now: HANDSHAKE_NOW,
  ids: [],
});

const resolveConnect = (
  st: State,
  op: Extract<Op, { op: 'connect' }>,
  sessions: readonly SessionHandle[],
  ctxs: readonly CtxHandle[],
): readonly Call[] | undefined => {
  const calls: Call[] = [];
  let next = st.connsCreated;
  const fresh = (role: 'client' | 'server'): SslHandle[] =>
    liveConns(st).filter((t) => {
      const c = st.conns.get(t);
      return c !== undefined && c.role === role && c.phase === 'before';
    });
  const end = (role: 'client' | 'server', j: number, other?: SslHandle): SslHandle | undefined => {
    const reusable = fresh(role).filter((t) => t !== other);
    if (op.reuse && reusable.length > 0) return pick(reusable, op.i);
    const ch = pick(ctxs, j);
    if (ch === undefined) return undefined;
    calls.push(
      role === 'client' && op.tls13
        ? { fn: 'SSL_new', ctx: ch, role, max: 'TLSv1.3' }
        : { fn: 'SSL_new', ctx: ch, role },
    );
    return `t${++next}`;
  };
  const client = end('client', op.a);
  const server = end('server', op.b, client);
  if (client === undefined || server === undefined) return undefined;
  let offered = st.conns.get(client)?.session ?? null;
  if (op.offer !== 'keep') {
    const hs = handshakeSessions(st);
    const s = op.offer === 'newest' ? hs.at(-1) : pick(hs.length > 0 ? hs : sessions, op.i);
    if (s !== undefined) {
      calls.push({ fn: 'SSL_set_session', ssl: client, s });
      offered = s;
    }
  }
  // §UB-5: never let a server find a session whose handshake never finished.
  const serverCtx = st.conns.get(server)?.ctx ?? pick(ctxs, op.b);
  const o = offered === null ? undefined : st.sessions.get(offered);
  const found = o && serverCtx && st.ctxs.get(serverCtx)?.cache.get(cacheKey(o));
  if (found !== undefined && st.sessions.get(found)?.unfinished === true) return undefined;
  calls.push(handshakeCall(client, server, op.until));
  return calls;
};

const resolveBurst = (
  st: State,
  op: Extract<Op, { op: 'burst' }>,
  ctxs: readonly CtxHandle[],
): readonly Call[] | undefined => {
  const cc = pick(ctxs, op.a);
  const sc = pick(ctxs, op.b);
  if (cc === undefined || sc === undefined) return undefined;
  const calls: Call[] = [];
  if (op.marker) {
    const m: SessionHandle = `s${st.sessionsCreated + 1}`;
    calls.push(
      { fn: 'SSL_SESSION_new', now: BASE_TIME },
      { fn: 'SSL_SESSION_set1_id', s: m, id: 'ee'.repeat(32) },
      { fn: 'SSL_SESSION_set_time', s: m, t: BASE_TIME },
      { fn: 'SSL_CTX_add_session', ctx: sc, s: m, now: BASE_TIME },
      { fn: 'SSL_SESSION_free', s: m },
    );
  }
  const client: SslHandle = `t${st.connsCreated + 1}`;
  const server: SslHandle = `t${st.connsCreated + 2}`;
  calls.push({ fn: 'SSL_new', ctx: cc, role: 'client' }, { fn: 'SSL_new', ctx: sc, role: 'server' });
  for (let r = 0; r < op.n; r++) {
    if (r > 0) {
      calls.push(
        { fn: 'SSL_shutdown', ssl: client },
        { fn: 'SSL_shutdown', ssl: server },
        { fn: 'SSL_clear', ssl: client },
        { fn: 'SSL_clear', ssl: server },
      );
    }
    calls.push(handshakeCall(client, server, 'done'));
  }
  calls.push({ fn: 'SSL_free', ssl: client }, { fn: 'SSL_free', ssl: server });
  return calls;
};
