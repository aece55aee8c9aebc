/** Properties for spec/flush.md: `SSL_CTX_flush_sessions`. */
import type { CallOf, SessionHandle } from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import {
  cachedSet,
  expectedFor,
  flushEvents,
  isCachedIn,
  listOrder,
  sess,
  show,
  visitOrder,
} from './views.js';

type Flush = CallOf<'SSL_CTX_flush_sessions'>;
const isFlush = (c: StepCase): c is StepCase & { call: Flush } => c.call.fn === 'SSL_CTX_flush_sessions';
/** The sessions the flush removed, in the order the profile visits them. */
const removed = (c: StepCase & { call: Flush }): SessionHandle[] =>
  visitOrder(c.before, c.call.ctx, expectedFor(c.model.name)).filter(
    (h) => !isCachedIn(c.after, c.call.ctx, h),
  );
const nonEmpty = (c: StepCase) => isFlush(c) && cachedSet(c.before, c.call.ctx).size > 0;

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title: '§FLUSH-1 flushing with time 0 removes every cached session',
    minShare: 0.1,
    applies: (c) => nonEmpty(c) && isFlush(c) && c.call.t === 0n,
    check: (c) => (isFlush(c) && cachedSet(c.after, c.call.ctx).size === 0 ? undefined : 'sessions left'),
  },
  {
    kind: 'step',
    title: '§FLUSH-2 flushing at t removes exactly the sessions with t > time + timeout',
    minShare: 0.2,
    applies: (c) => nonEmpty(c) && isFlush(c) && c.call.t !== 0n,
    check: (c) => {
      if (!isFlush(c)) return 'wrong call';
      const t = c.call.t;
      const e = expectedFor(c.model.name);
      const want = listOrder(c.before, c.call.ctx).filter((h) => {
        const x = e.expiry(sess(c.before, h));
        return !x.never && t > x.at;
      });
      const got = listOrder(c.before, c.call.ctx).filter((h) => !isCachedIn(c.after, c.call.ctx, h));
      return show(got) === show(want) ? undefined : `removed ${show(got)}, expired ${show(want)}`;
    },
  },
  {
    kind: 'step',
    title:
      '§FLUSH-3 a flush visits the list from the tail (3.0) or the hash table (1.1.1): callbacks in that order',
    minShare: 0.2,
    applies: (c) => nonEmpty(c) && isFlush(c) && c.before.ctxs.get(c.call.ctx)?.cbs.remove !== null,
    check: (c) => {
      if (!isFlush(c)) return 'wrong call';
      const e = expectedFor(c.model.name);
      const r = removed(c);
      if (e.flushOrder === 'list') {
        const order = listOrder(c.before, c.call.ctx);
        if (show(order.slice(0, r.length)) !== show(r))
          return `removed ${show(r)} is not a tail of ${show(order)}`;
      }
      const cbs = c.outcome.events.flatMap((x) => (x.ev === 'remove_cb' ? [x.s] : []));
      return show(cbs) === show(r) ? undefined : `callbacks ${show(cbs)}, expected ${show(r)}`;
    },
  },
  {
    kind: 'step',
    title:
      '§FLUSH-4 flushed sessions are marked and reported; 3.0 releases them after the walk, 1.1.1 one by one',
    minShare: 0.2,
    applies: (c) => isFlush(c) && removed(c).length > 0,
    check: (c) => {
      if (!isFlush(c)) return 'wrong call';
      const r = removed(c);
      const want = flushEvents(c.before, c.call.ctx, r, expectedFor(c.model.name));
      if (show(c.outcome.events) !== show(want))
        return `events ${show(c.outcome.events)}, expected ${show(want)}`;
      return r.every((h) => !c.after.sessions.has(h) || sess(c.after, h).notResumable)
        ? undefined
        : 'a flushed session is still resumable';
    },
  },
];
