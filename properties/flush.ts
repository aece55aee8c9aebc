/** Properties for spec/flush.md: `SSL_CTX_flush_sessions`. */
import type { CallOf, SessionHandle } from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import { cachedSet, expiry30, frees, isCachedIn, listOrder, removeCbs, sess, show } from './views.js';

type Flush = CallOf<'SSL_CTX_flush_sessions'>;
const isFlush = (c: StepCase): c is StepCase & { call: Flush } => c.call.fn === 'SSL_CTX_flush_sessions';
const removed = (c: StepCase & { call: Flush }): SessionHandle[] =>
  listOrder(c.before, c.call.ctx).filter((h) => !isCachedIn(c.after, c.call.ctx, h));
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
      const want = listOrder(c.before, c.call.ctx).filter((h) => {
        const e = expiry30(sess(c.before, h));
        return !e.never && t > e.at;
      });
      const got = removed(c);
      return show([...got].sort()) === show([...want].sort())
        ? undefined
        : `removed ${show(got)}, expired ${show(want)}`;
    },
  },
  {
    kind: 'step',
    title: '§FLUSH-3 a flush takes sessions from the tail: the callbacks come in list order',
    minShare: 0.2,
    applies: (c) => nonEmpty(c) && isFlush(c) && c.before.ctxs.get(c.call.ctx)?.cbs.remove !== null,
    check: (c) => {
      if (!isFlush(c)) return 'wrong call';
      const r = removed(c);
      const order = listOrder(c.before, c.call.ctx);
      if (show(order.slice(0, r.length)) !== show(r))
        return `removed ${show(r)} is not a tail of ${show(order)}`;
      return show(removeCbs(c.outcome.events)) === show(r)
        ? undefined
        : `callbacks ${show(c.outcome.events)}`;
    },
  },
  {
    kind: 'step',
    title: '§FLUSH-4 flushed sessions are marked, reported, and only then released, in the same order',
    minShare: 0.2,
    applies: (c) => isFlush(c) && removed(c).length > 0,
    check: (c) => {
      if (!isFlush(c)) return 'wrong call';
      const r = removed(c);
      const firstFree = c.outcome.events.findIndex((e) => e.ev === 'free');
      const lastCb = c.outcome.events.findLastIndex((e) => e.ev === 'remove_cb');
      if (firstFree !== -1 && firstFree < lastCb)
        return `a free before the last callback: ${show(c.outcome.events)}`;
      const wantFree = r.filter((h) => sess(c.before, h).refs === 1);
      if (show(frees(c.outcome.events)) !== show(wantFree)) return `frees ${show(frees(c.outcome.events))}`;
      return r.every((h) => !c.after.sessions.has(h) || sess(c.after, h).notResumable)
        ? undefined
        : 'a flushed session is still resumable';
    },
  },
];
