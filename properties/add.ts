/** Properties for spec/add.md: `SSL_CTX_add_session`, eviction and the order of the list. */
import { LONG_MAX, LONG_MIN } from '../src/model/int64.js';
import type { CallOf, SessionHandle } from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import {
  cachedSet,
  emptyIds,
  expectedFor,
  idLen,
  isCachedIn,
  listInOrder,
  listOrder,
  newestAmongEquals,
  removeCbs,
  sess,
  show,
} from './views.js';

type Add = CallOf<'SSL_CTX_add_session'>;
const isAdd = (c: StepCase): c is StepCase & { call: Add } => c.call.fn === 'SSL_CTX_add_session';

/** The entry the add found under the session's key before the call. */
const previous = (c: StepCase & { call: Add }): SessionHandle | undefined => {
  const s = sess(c.before, c.call.s);
  return [...cachedSet(c.before, c.call.ctx)].find((h) => {
    const o = sess(c.before, h);
    return o.id === s.id && o.version === s.version;
  });
};
const isNewKeyAdd = (c: StepCase): c is StepCase & { call: Add } => isAdd(c) && previous(c) !== c.call.s;
/** Sessions that left the cache during an add of a new key, other than a replaced one. */
const victims = (c: StepCase & { call: Add }): SessionHandle[] => {
  const prev = previous(c);
  return listOrder(c.before, c.call.ctx).filter((h) => h !== prev && !isCachedIn(c.after, c.call.ctx, h));
};

/** §ORDER-1's placement of the session just added, in the profile's order. */
const linkedNewest = (c: StepCase & { call: Add }): string | undefined =>
  newestAmongEquals(c.after, c.call.ctx, c.call.s, expectedFor(c.model.name));

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title: '§ADD-1 adding a new key returns 1 and the cache takes one reference',
    minShare: 0.5,
    applies: (c) => isNewKeyAdd(c) && previous(c) === undefined,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      if (c.outcome.ret.t !== 'int' || c.outcome.ret.v !== 1n) return `returned ${show(c.outcome.ret)}`;
      if (!isCachedIn(c.after, c.call.ctx, c.call.s)) return 'not cached';
      const [b, a] = [sess(c.before, c.call.s), sess(c.after, c.call.s)];
      return a.refs === b.refs + 1 && a.app === b.app ? undefined : `refs ${b.refs}→${a.refs}`;
    },
  },
  {
    kind: 'step',
    title: '§ADD-2 re-adding the identical object returns 0 and changes no reference, count or callback',
    minShare: 0.3,
    applies: (c) => isAdd(c) && previous(c) === c.call.s,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      if (c.outcome.ret.t !== 'int' || c.outcome.ret.v !== 0n) return `returned ${show(c.outcome.ret)}`;
      if (c.outcome.events.length > 0) return `events ${show(c.outcome.events)}`;
      if (sess(c.after, c.call.s).refs !== sess(c.before, c.call.s).refs) return 'reference count changed';
      return cachedSet(c.after, c.call.ctx).size === cachedSet(c.before, c.call.ctx).size
        ? undefined
        : 'count changed';
    },
  },
  {
    kind: 'step',
    title: '§ADD-3 re-adding the identical object re-links it (3.0: newest among equal expiry; 1.1.1: stays)',
    minShare: 0.3,
    applies: (c) => isAdd(c) && previous(c) === c.call.s,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      if (expectedFor(c.model.name).readdRelinks) return linkedNewest(c);
      const [b, a] = [listOrder(c.before, c.call.ctx), listOrder(c.after, c.call.ctx)];
      return show(a) === show(b) ? undefined : `the list moved: ${b.join(' ')} → ${a.join(' ')}`;
    },
  },
  {
    kind: 'step',
    title: '§ADD-4 a different object with the same key replaces the cached one silently and returns 1',
    minShare: 0.2,
    applies: (c) => isAdd(c) && previous(c) !== undefined && previous(c) !== c.call.s,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const old = previous(c) as SessionHandle;
      if (c.outcome.ret.t !== 'int' || c.outcome.ret.v !== 1n) return `returned ${show(c.outcome.ret)}`;
      if (removeCbs(c.outcome.events).includes(old)) return `remove callback for the replaced ${old}`;
      if (isCachedIn(c.after, c.call.ctx, old)) return `${old} still cached`;
      const b = sess(c.before, old);
      if (b.refs === 1) {
        return c.outcome.events[0]?.ev === 'free' && c.outcome.events[0].s === old
          ? undefined
          : `${old} not freed first: ${show(c.outcome.events)}`;
      }
      const a = sess(c.after, old);
      return a.refs === b.refs - 1 && a.notResumable === b.notResumable && a.owner === null
        ? undefined
        : `replaced ${old}: ${show(a)}`;
    },
  },
  {
    kind: 'step',
    title: '§ADD-5 with UPDATE_TIME an add sets the time to now, re-adds included; without it the time stays',
    minShare: 0.5,
    applies: (c) => isAdd(c) && c.after.sessions.has(c.call.s),
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const bit = expectedFor(c.model.name).updateTimeBit;
      const mode = c.before.ctxs.get(c.call.ctx)?.mode ?? 0n;
      const want = (mode & bit) !== 0n ? c.call.now : sess(c.before, c.call.s).time;
      const got = sess(c.after, c.call.s).time;
      return got === want ? undefined : `time ${got}, expected ${want}`;
    },
  },
  {
    kind: 'step',
    title: '§ADD-6 the cache key is the id (with version); a zero-length id is a key like any other',
    minShare: 0.2,
    applies: (c) => isAdd(c) && idLen(sess(c.before, c.call.s)) === 0,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const want = previous(c) === c.call.s ? 0n : 1n;
      if (c.outcome.ret.t !== 'int' || c.outcome.ret.v !== want) return `returned ${show(c.outcome.ret)}`;
      const same = [...cachedSet(c.after, c.call.ctx)].filter((h) => idLen(sess(c.after, h)) === 0);
      return show(same) === show([c.call.s]) ? undefined : `zero-length entries ${show(same)}`;
    },
  },
  {
    kind: 'step',
    title: '§EVICT-1 after adding a new key a cache of size n > 0 holds at most max(1, n - 1) sessions',
    minShare: 0.3,
    applies: (c) => isNewKeyAdd(c) && (c.before.ctxs.get(c.call.ctx)?.size ?? 0n) > 0n,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const size = c.before.ctxs.get(c.call.ctx)?.size ?? 0n;
      const cap = expectedFor(c.model.name).capacity(size);
      const n = BigInt(cachedSet(c.after, c.call.ctx).size);
      if (n > cap && emptyIds(c.after, c.call.ctx).length === 0) return `${n} sessions with capacity ${cap}`;
      const prev = previous(c);
      const offered = BigInt(cachedSet(c.before, c.call.ctx).size + (prev === undefined ? 1 : 0));
      const floor = offered < cap ? offered : cap;
      return n >= floor ? undefined : `${n} sessions kept, ${floor} expected`;
    },
  },
  {
    kind: 'step',
    title:
      '§EVICT-2 eviction takes sessions from the tail, each to the remove callback then freed, counted in cache_full',
    minShare: 0.1,
    applies: (c) => isNewKeyAdd(c) && victims(c).length > 0,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const v = victims(c);
      const prev = previous(c);
      const order = listOrder(c.before, c.call.ctx).filter((h) => h !== prev);
      if (show(order.slice(0, v.length)) !== show(v)) return `evicted ${show(v)}, tail was ${show(order)}`;
      const hasCb = c.before.ctxs.get(c.call.ctx)?.cbs.remove !== null;
      const evs = c.outcome.events.filter((e) => !(e.ev === 'free' && e.s === prev));
      const want = v.flatMap((h) => [
        ...(hasCb ? [{ ev: 'remove_cb', ctx: c.call.ctx, s: h }] : []),
        ...(sess(c.before, h).refs === 1 ? [{ ev: 'free', s: h }] : []),
      ]);
      if (show(evs) !== show(want)) return `events ${show(evs)}, expected ${show(want)}`;
      const full = (st: typeof c.before) => st.ctxs.get(c.call.ctx)?.stats.cache_full ?? 0n;
      if (full(c.after) - full(c.before) !== BigInt(v.length))
        return 'cache_full not incremented per eviction';
      return v.every((h) => !c.after.sessions.has(h) || sess(c.after, h).notResumable)
        ? undefined
        : 'a surviving victim is still resumable';
    },
  },
  {
    kind: 'step',
    title: '§EVICT-3 eviction never removes a zero-length-id session and stops when one is at the tail',
    minShare: 0.05,
    applies: (c) => isNewKeyAdd(c) && emptyIds(c.before, c.call.ctx).length > 0,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const v = victims(c);
      if (v.some((h) => idLen(sess(c.before, h)) === 0)) return `evicted a zero-length id: ${show(v)}`;
      const size = c.before.ctxs.get(c.call.ctx)?.size ?? 0n;
      const n = BigInt(cachedSet(c.after, c.call.ctx).size);
      if (size === 0n || n <= expectedFor(c.model.name).capacity(size)) return undefined;
      // The loop stopped: the tail it was looking at (the first session left) has an empty id.
      const prev = previous(c);
      const rest = listOrder(c.before, c.call.ctx).filter((h) => h !== prev && !v.includes(h));
      const stop = rest[0];
      return stop !== undefined && idLen(sess(c.before, stop)) === 0
        ? undefined
        : `over capacity, but eviction stopped at ${stop} (size ${size}, list ${show(listOrder(c.before, c.call.ctx))})`;
    },
  },
  {
    kind: 'step',
    title:
      '§EVICT-4 only adding a new key evicts, and then down to capacity at once, however far over it was',
    minShare: 0.05,
    applies: (c) =>
      (isNewKeyAdd(c) &&
        BigInt(cachedSet(c.before, c.call.ctx).size) > (c.before.ctxs.get(c.call.ctx)?.size ?? 0n) &&
        (c.before.ctxs.get(c.call.ctx)?.size ?? 0n) > 0n) ||
      (isAdd(c) && previous(c) === c.call.s),
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      if (previous(c) === c.call.s) return victims(c).length === 0 ? undefined : 're-adding evicted';
      const size = c.before.ctxs.get(c.call.ctx)?.size ?? 0n;
      const n = BigInt(cachedSet(c.after, c.call.ctx).size);
      if (n <= expectedFor(c.model.name).capacity(size) || emptyIds(c.after, c.call.ctx).length > 0)
        return undefined;
      return `${n} sessions left after the add, size ${size}`;
    },
  },
  {
    kind: 'step',
    title:
      '§EVICT-4 an add names §EVICT-4 as deciding exactly when its eviction goes on past the first victim',
    minShare: 0.2,
    // Size 1 is left out: 3.0 then always looks past its one victim, at the unlinked new entry.
    applies: (c) => isAdd(c) && (c.before.ctxs.get(c.call.ctx)?.size ?? 0n) >= 2n,
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      const size = c.before.ctxs.get(c.call.ctx)?.size ?? 0n;
      const v = isNewKeyAdd(c) ? victims(c).length : 0;
      const over = BigInt(cachedSet(c.after, c.call.ctx).size) > expectedFor(c.model.name).capacity(size);
      const want = v >= 2 || (v === 1 && over);
      const named = c.clauses.includes('§EVICT-4');
      return named === want ? undefined : `§EVICT-4 ${named ? 'named' : 'not named'} with ${v} evicted`;
    },
  },
  {
    kind: 'step',
    title:
      '§ORDER-1 the list runs by expiry (3.0) or insertion (1.1.1); a newly linked session goes after its equals',
    minShare: 0.5,
    applies: (c) => isNewKeyAdd(c) && isCachedIn(c.after, c.call.ctx, c.call.s),
    check: (c) => {
      if (!isAdd(c)) return 'wrong call';
      return listInOrder(c.after, c.call.ctx, expectedFor(c.model.name)) ?? linkedNewest(c);
    },
  },
  {
    kind: 'step',
    title: '§ORDER-2 an overflowing time + timeout: 3.0 flags it (sorts last, never expires); 1.1.1 wraps it',
    minShare: 0.05,
    applies: (c) =>
      [...c.after.ctxs.keys()].some((ch) =>
        listOrder(c.after, ch).some((h) => overflows(sess(c.after, h))),
      ) ||
      (c.call.fn === 'SSL_CTX_flush_sessions' &&
        listOrder(c.before, c.call.ctx).some((h) => overflows(sess(c.before, h)))),
    check: (c) => {
      const e = expectedFor(c.model.name);
      for (const ch of c.after.ctxs.keys()) {
        const order = listOrder(c.after, ch);
        const firstNever = order.findIndex((h) => e.expiry(sess(c.after, h)).never);
        if (
          e.order === 'expiry' &&
          firstNever !== -1 &&
          order.slice(firstNever).some((h) => !e.expiry(sess(c.after, h)).never)
        ) {
          return `an overflowed session is nearer the tail than a finite one: ${order.join(' ')}`;
        }
      }
      if (c.call.fn === 'SSL_CTX_flush_sessions' && c.call.t !== 0n) {
        const t = c.call.t;
        const ch = c.call.ctx;
        for (const h of listOrder(c.before, ch).filter((x) => overflows(sess(c.before, x)))) {
          const x = e.expiry(sess(c.before, h));
          const gone = !isCachedIn(c.after, ch, h);
          if (gone !== (!x.never && t > x.at))
            return `flush(${t}) ${gone ? 'removed' : 'kept'} overflowing ${h}`;
        }
      }
      return undefined;
    },
  },
  {
    kind: 'step',
    title:
      '§ORDER-2 a step names the overflow flag as deciding exactly when it links or judges a flagged session',
    minShare: 0.5,
    // Every call that links or judges a session; any other must not name the flag.
    applies: () => true,
    check: (c) => {
      const e = expectedFor(c.model.name);
      const flagged = (st: typeof c.before, h: SessionHandle) => e.expiry(sess(st, h)).never;
      const { call, before, after } = c;
      let want = false;
      if (call.fn === 'SSL_CTX_add_session') {
        // The added session is (re)linked unless it was already cached and 1.1.1 leaves it.
        want = isCachedIn(after, call.ctx, call.s) && flagged(after, call.s);
      } else if (call.fn === 'SSL_SESSION_set_time' || call.fn === 'SSL_SESSION_set_timeout') {
        const owner = sess(before, call.s).owner;
        const accepted = !(c.outcome.ret.t === 'int' && c.outcome.ret.v === 0n);
        want = owner !== null && accepted && e.settersResort && flagged(after, call.s);
      } else if (call.fn === 'SSL_CTX_flush_sessions' && call.t !== 0n && e.order === 'expiry') {
        // From the tail, the walk reaches a flagged session once every unflagged one has expired.
        const order = listOrder(before, call.ctx);
        const unflagged = order.filter((h) => !flagged(before, h));
        want =
          order.some((h) => flagged(before, h)) &&
          unflagged.every((h) => call.t > e.expiry(sess(before, h)).at);
      }
      const named = c.clauses.includes('§ORDER-2');
      return named === want ? undefined : `§ORDER-2 ${named ? 'named' : 'not named'} for ${show(call)}`;
    },
  },
];

/** Whether time + timeout leaves the range of a `long`, or the time is negative (3.0's flag). */
function overflows(s: { time: bigint; timeout: bigint }): boolean {
  const sum = s.time + s.timeout;
  return s.time < 0n || sum > LONG_MAX || sum < LONG_MIN;
}
