/** Properties for spec/context.md: `SSL_CTX` settings, callbacks, counters and teardown. */
import { COUNTERS, type Counter } from '../src/model/types.js';
import type { ClauseProperty } from './harness.js';
import {
  cachedSet,
  expectedFor,
  flushEvents,
  listOrder,
  sess,
  show,
  unchanged,
  visitOrder,
} from './views.js';

const CB_FIELD = {
  SSL_CTX_sess_set_new_cb: 'new',
  SSL_CTX_sess_set_remove_cb: 'remove',
  SSL_CTX_sess_set_get_cb: 'get',
  SSL_CTX_sess_get_new_cb: 'new',
  SSL_CTX_sess_get_remove_cb: 'remove',
  SSL_CTX_sess_get_get_cb: 'get',
} as const;

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title: '§CTX-1 SSL_CTX_new: mode SERVER, cache size 20480, timeout 7200, zero counters, no callbacks',
    applies: (c) => c.call.fn === 'SSL_CTX_new',
    check: ({ outcome, after, model }) => {
      if (outcome.ret.t !== 'ctx') return `returned ${show(outcome.ret)}`;
      const c = after.ctxs.get(outcome.ret.v);
      const d = expectedFor(model.name).ctxDefaults;
      if (c === undefined) return 'no context';
      if (c.mode !== d.mode || c.size !== d.size || c.timeout !== d.timeout) {
        return `mode ${c.mode} size ${c.size} timeout ${c.timeout}`;
      }
      if (COUNTERS.some((k) => c.stats[k] !== 0n)) return `counters ${show(c.stats)}`;
      if (c.cbs.new !== null || c.cbs.remove !== null || c.cbs.get !== null) return 'callbacks set';
      return c.cache.size === 0 ? undefined : 'cache not empty';
    },
  },
  {
    kind: 'step',
    title: '§CTX-2 SSL_CTX_free flushes every cached session, in the flush order, before the context goes',
    minShare: 0.05,
    applies: (c) => c.call.fn === 'SSL_CTX_free',
    check: ({ call, outcome, before, after, model }) => {
      if (call.fn !== 'SSL_CTX_free') return 'wrong call';
      const e = expectedFor(model.name);
      const order = visitOrder(before, call.ctx, e);
      if (after.ctxs.has(call.ctx)) return 'context still live';
      const want = flushEvents(before, call.ctx, order, e);
      if (show(outcome.events) !== show(want))
        return `events ${show(outcome.events)}, expected ${show(want)}`;
      const survivors = order.filter((h) => after.sessions.has(h));
      return survivors.every((h) => sess(after, h).notResumable && sess(after, h).owner === null)
        ? undefined
        : 'a surviving session is still resumable or linked';
    },
  },
  {
    kind: 'step',
    title: '§CTX-3 SSL_CTX_set_timeout stores any value and returns the previous one; sessions are untouched',
    minShare: 0.1,
    applies: (c) => c.call.fn === 'SSL_CTX_set_timeout' || c.call.fn === 'SSL_CTX_get_timeout',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_CTX_set_timeout' && call.fn !== 'SSL_CTX_get_timeout') return 'wrong call';
      const prev = before.ctxs.get(call.ctx)?.timeout;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== prev)
        return `returned ${show(outcome.ret)}, held ${prev}`;
      if (call.fn === 'SSL_CTX_get_timeout') return undefined;
      if (after.ctxs.get(call.ctx)?.timeout !== call.t) return 'not stored';
      return after.sessions === before.sessions ? undefined : 'sessions changed';
    },
  },
  {
    kind: 'step',
    title: '§SIZE-1 the cache size setter returns the previous size, refuses a negative one and never evicts',
    minShare: 0.3,
    applies: (c) =>
      c.call.fn === 'SSL_CTX_sess_set_cache_size' || c.call.fn === 'SSL_CTX_sess_get_cache_size',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_CTX_sess_set_cache_size' && call.fn !== 'SSL_CTX_sess_get_cache_size') {
        return 'wrong call';
      }
      const prev = before.ctxs.get(call.ctx)?.size ?? -1n;
      if (call.fn === 'SSL_CTX_sess_get_cache_size') {
        return outcome.ret.t === 'int' && outcome.ret.v === prev
          ? undefined
          : `returned ${show(outcome.ret)}`;
      }
      const refused = call.size < 0n;
      const want = refused ? 0n : prev;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== want) return `returned ${show(outcome.ret)}`;
      if (after.ctxs.get(call.ctx)?.size !== (refused ? prev : call.size)) return 'size not as expected';
      if (show(listOrder(after, call.ctx)) !== show(listOrder(before, call.ctx))) return 'the cache changed';
      return outcome.events.length === 0 && after.sessions === before.sessions
        ? undefined
        : 'sessions changed';
    },
  },
  {
    kind: 'step',
    title: '§SIZE-2 SSL_CTX_sess_number counts every hash entry, zero-length ids included',
    minShare: 0.2,
    applies: (c) => c.call.fn === 'SSL_CTX_sess_number',
    check: ({ call, outcome, before }) => {
      if (call.fn !== 'SSL_CTX_sess_number') return 'wrong call';
      const n = BigInt(cachedSet(before, call.ctx).size);
      return outcome.ret.t === 'int' && outcome.ret.v === n
        ? undefined
        : `returned ${show(outcome.ret)}, held ${n}`;
    },
  },
  {
    kind: 'step',
    title:
      '§MODE-1 the cache mode keeps all 32 bits, unknown ones included, and the previous one is returned',
    minShare: 0.3,
    applies: (c) =>
      c.call.fn === 'SSL_CTX_set_session_cache_mode' || c.call.fn === 'SSL_CTX_get_session_cache_mode',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_CTX_set_session_cache_mode' && call.fn !== 'SSL_CTX_get_session_cache_mode') {
        return 'wrong call';
      }
      const prev = before.ctxs.get(call.ctx)?.mode;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== prev)
        return `returned ${show(outcome.ret)}, held ${prev}`;
      if (call.fn === 'SSL_CTX_get_session_cache_mode') return undefined;
      const want = BigInt.asUintN(32, call.mode);
      return after.ctxs.get(call.ctx)?.mode === want ? undefined : `stored ${after.ctxs.get(call.ctx)?.mode}`;
    },
  },
  {
    kind: 'step',
    title: '§CB-1 each callback setter stores its function (or NULL) and its getter returns it',
    minShare: 0.3,
    applies: (c) => c.call.fn in CB_FIELD,
    check: ({ call, outcome, before, after }) => {
      if (!(call.fn in CB_FIELD) || !('ctx' in call)) return 'wrong call';
      const field = CB_FIELD[call.fn as keyof typeof CB_FIELD];
      if ('cb' in call) {
        const c = after.ctxs.get(call.ctx);
        return c?.cbs[field] === call.cb && outcome.ret.t === 'void' ? undefined : `stored ${show(c?.cbs)}`;
      }
      const want = before.ctxs.get(call.ctx)?.cbs[field];
      return outcome.ret.t === 'callback' && outcome.ret.v === want
        ? undefined
        : `returned ${show(outcome.ret)}`;
    },
  },
  {
    kind: 'step',
    title: '§STAT-1 object-level calls move no counter but cache_full, once per eviction; getters read them',
    minShare: 0.5,
    applies: () => true,
    check: ({ call, outcome, before, after }) => {
      for (const [h, a] of after.ctxs) {
        const b = before.ctxs.get(h);
        if (b === undefined) continue;
        const moved = COUNTERS.filter((k) => a.stats[k] !== b.stats[k]);
        if (moved.some((k) => k !== 'cache_full')) return `counters moved: ${moved.join(',')}`;
        if (a.stats.cache_full !== b.stats.cache_full && call.fn !== 'SSL_CTX_add_session') {
          return 'cache_full moved outside an add';
        }
      }
      if (call.fn.startsWith('SSL_CTX_sess_') && 'ctx' in call && outcome.ret.t === 'int') {
        const counter = call.fn.slice('SSL_CTX_sess_'.length) as Counter;
        if ((COUNTERS as readonly string[]).includes(counter)) {
          const want = before.ctxs.get(call.ctx)?.stats[counter];
          if (outcome.ret.v !== want) return `returned ${outcome.ret.v}, counter ${want}`;
        }
      }
      return unchanged(before, after) || call.fn !== 'SSL_CTX_sess_cache_full'
        ? undefined
        : 'a getter changed state';
    },
  },
];
