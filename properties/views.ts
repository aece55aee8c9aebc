/**
 * Read-only views of model states for the properties, and the expectations each property
 * holds a profile to. Expectations are restated here, per profile name, independently of the
 * profile record: a variant that changes a rule keeps its profile's name, so its properties
 * still expect the real rule and catch the change.
 */
import { LONG_MAX } from '../src/model/int64.js';
import { cacheKey, type Sess, type State } from '../src/model/state.js';
import type { CtxHandle, Event, SessionHandle } from '../src/model/types.js';
import { hashWalk } from './hash-walk.js';

/** Sessions in `ctx`'s list from tail (next to be evicted or flushed) to head. */
export const listOrder = (st: State, ch: CtxHandle): SessionHandle[] => [
  ...(st.ctxs.get(ch)?.order.values() ?? []),
];

export const cachedSet = (st: State, ch: CtxHandle): Set<SessionHandle> =>
  new Set(st.ctxs.get(ch)?.cache.values() ?? []);

export const sess = (st: State, h: SessionHandle): Sess => {
  const s = st.sessions.get(h);
  if (s === undefined) throw new Error(`view: ${h} is not live`);
  return s;
};

export const isCachedIn = (st: State, ch: CtxHandle, h: SessionHandle): boolean => {
  const s = st.sessions.get(h);
  return s !== undefined && st.ctxs.get(ch)?.cache.get(cacheKey(s)) === h;
};

/**
 * OpenSSL 3.0.19 expiry of a session, restated from the spec (§ORDER-2): with
 * `d = LONG_MAX - time` wrapping at 64 bits, a timeout above `d` flags the session (`never`
 * expires) and its sort key is `timeout - d`, wrapped; otherwise the key is `time + timeout`.
 */
export interface Expiry {
  readonly never: boolean;
  readonly at: bigint;
}
export const expiry30 = (s: Pick<Sess, 'time' | 'timeout'>): Expiry => {
  const to = s.timeout;
  const d = BigInt.asIntN(64, LONG_MAX - s.time);
  return to > d ? { never: true, at: BigInt.asIntN(64, to - d) } : { never: false, at: s.time + to };
};
/** Compares expiries: flagged ones after all others, and among themselves by their key. */
export const cmpExpiry = (a: Expiry, b: Expiry): number => {
  if (a.never !== b.never) return a.never ? 1 : -1;
  return a.at < b.at ? -1 : a.at > b.at ? 1 : 0;
};

export const idLen = (s: Pick<Sess, 'id'>): number => s.id.length / 2;

export const removeCbs = (events: readonly Event[]): SessionHandle[] =>
  events.flatMap((e) => (e.ev === 'remove_cb' ? [e.s] : []));
export const frees = (events: readonly Event[]): SessionHandle[] =>
  events.flatMap((e) => (e.ev === 'free' ? [e.s] : []));

/** What each profile is expected to do, restated from the spec. */
export interface Expected {
  readonly newSessionTimeout: bigint;
  readonly maxIdLength: number;
  readonly ctxDefaults: { readonly mode: bigint; readonly size: bigint; readonly timeout: bigint };
  /** Entries a cache of `size` (> 0) keeps after adding a new key. */
  readonly capacity: (size: bigint) => bigint;
  readonly updateTimeBit: bigint;
  /** How the list is ordered: by expiry (3.0) or by insertion, newest at the head (1.1.1). */
  readonly order: 'expiry' | 'insertion';
  /** When a session has expired for a flush at `t ≠ 0`, and whether it ever can. */
  readonly expiry: (s: Pick<Sess, 'time' | 'timeout'>) => Expiry;
  readonly setTimeoutRefusesNegative: boolean;
  /** The time setters move a cached session to its new position. */
  readonly settersResort: boolean;
  /** Re-adding the identical object re-links it. */
  readonly readdRelinks: boolean;
  /** The order a flush visits sessions in: the list's (from the tail) or the hash table's. */
  readonly flushOrder: 'list' | 'hash';
  /** A flush releases the sessions after the whole walk (or each right after its callback). */
  readonly freesAfterWalk: boolean;
}

/** OpenSSL 1.1.1: `t > time + timeout` in wrapping `long` arithmetic, no flag, no clamping. */
export const expiry111 = (s: Pick<Sess, 'time' | 'timeout'>): Expiry => ({
  never: false,
  at: BigInt.asIntN(64, s.time + s.timeout),
});

export const EXPECTED: Readonly<Record<string, Expected>> = {
  'openssl-3.0': {
    newSessionTimeout: 304n,
    maxIdLength: 32,
    ctxDefaults: { mode: 2n, size: 20480n, timeout: 7200n },
    capacity: (size) => (size > 1n ? size - 1n : 1n),
    updateTimeBit: 0x400n,
    order: 'expiry',
    expiry: expiry30,
    setTimeoutRefusesNegative: true,
    settersResort: true,
    readdRelinks: true,
    flushOrder: 'list',
    freesAfterWalk: true,
  },
  'openssl-1.1.1': {
    newSessionTimeout: 304n,
    maxIdLength: 32,
    ctxDefaults: { mode: 2n, size: 20480n, timeout: 7200n },
    capacity: (size) => size,
    updateTimeBit: 0n,
    order: 'insertion',
    expiry: expiry111,
    setTimeoutRefusesNegative: false,
    settersResort: false,
    readdRelinks: false,
    flushOrder: 'hash',
    freesAfterWalk: false,
  },
};

export const expectedFor = (profile: string): Expected => {
  const e = EXPECTED[profile];
  if (e === undefined) throw new Error(`no expectations for profile ${profile}`);
  return e;
};

export const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}` : x));

/** True when a step changed nothing (the model rebuilds only what it writes). */
export const unchanged = (before: State, after: State): boolean =>
  before.sessions === after.sessions && before.ctxs === after.ctxs;

/** Cached sessions of `ctx` whose id is empty. */
export const emptyIds = (st: State, ch: CtxHandle): SessionHandle[] =>
  [...cachedSet(st, ch)].filter((h) => idLen(sess(st, h)) === 0);

/**
 * Where a just-linked session must sit: after every session whose position key is no later
 * than its own, before every later one. The key is the expiry (3.0) or nothing at all (1.1.1:
 * a linked session goes to the head).
 */
export const newestAmongEquals = (
  st: State,
  ch: CtxHandle,
  h: SessionHandle,
  e: Expected,
): string | undefined => {
  const order = listOrder(st, ch);
  const at = order.indexOf(h);
  if (at === -1) return `${h} is not in the list`;
  const key = (x: SessionHandle): Expiry =>
    e.order === 'expiry' ? e.expiry(sess(st, x)) : { never: false, at: 0n };
  const mine = key(h);
  for (const [k, x] of order.entries()) {
    const d = cmpExpiry(key(x), mine);
    if (k > at && d <= 0) return `${x} (not later) is nearer the head than ${h}: ${order.join(' ')}`;
    if (k < at && d > 0) return `${x} (later) is nearer the tail than ${h}: ${order.join(' ')}`;
  }
  return undefined;
};

/**
 * Is the list of `ctx` in the profile's order? By expiry from tail to head (3.0); for an
 * insertion-ordered list (1.1.1) any order of expiries is allowed, and links must increase.
 */
export const listInOrder = (st: State, ch: CtxHandle, e: Expected): string | undefined => {
  const order = listOrder(st, ch);
  for (let k = 1; k < order.length; k++) {
    const [a, b] = [order[k - 1] as SessionHandle, order[k] as SessionHandle];
    if (e.order === 'expiry' && cmpExpiry(e.expiry(sess(st, a)), e.expiry(sess(st, b))) > 0) {
      return `${a} expires after ${b} but is nearer the tail`;
    }
  }
  return undefined;
};

/** The order a flush visits the sessions of `ctx`: the list from the tail, or the hash table's walk. */
export const visitOrder = (st: State, ch: CtxHandle, e: Expected): SessionHandle[] =>
  e.flushOrder === 'list' ? listOrder(st, ch) : hashWalk(st, ch);

/**
 * The expected events of a flush that removes `removed` (in visiting order): each session's
 * callback, and its destruction if the cache held its last reference — all destructions after
 * all callbacks (3.0), or each right after its callback (1.1.1).
 */
export const flushEvents = (
  before: State,
  ch: CtxHandle,
  removed: readonly SessionHandle[],
  e: Expected,
): Event[] => {
  const hasCb = before.ctxs.get(ch)?.cbs.remove !== null;
  const cb = (h: SessionHandle): Event[] => (hasCb ? [{ ev: 'remove_cb', ctx: ch, s: h }] : []);
  const fr = (h: SessionHandle): Event[] => (sess(before, h).refs === 1 ? [{ ev: 'free', s: h }] : []);
  return e.freesAfterWalk
    ? [...removed.flatMap(cb), ...removed.flatMap(fr)]
    : removed.flatMap((h) => [...cb(h), ...fr(h)]);
};
