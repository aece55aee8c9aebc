/** Properties for spec/remove.md: `SSL_CTX_remove_session`. */
import type { CallOf, SessionHandle } from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import { cachedSet, frees, idLen, isCachedIn, removeCbs, sess, show, unchanged } from './views.js';

type Remove = CallOf<'SSL_CTX_remove_session'>;
const isRemove = (c: StepCase): c is StepCase & { call: Remove & { s: SessionHandle } } =>
  c.call.fn === 'SSL_CTX_remove_session' && c.call.s !== null;
const withId = (c: StepCase): c is StepCase & { call: Remove & { s: SessionHandle } } =>
  isRemove(c) && idLen(sess(c.before, c.call.s)) > 0;
/** The cached entry with the argument's key, before the call. */
const sameKey = (c: StepCase & { call: Remove & { s: SessionHandle } }): SessionHandle | undefined => {
  const s = sess(c.before, c.call.s);
  return [...cachedSet(c.before, c.call.ctx)].find((h) => {
    const o = sess(c.before, h);
    return o.id === s.id && o.version === s.version;
  });
};

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title: '§REMOVE-1 removing NULL or a zero-length id returns 0 and does nothing at all',
    minShare: 0.1,
    applies: (c) =>
      c.call.fn === 'SSL_CTX_remove_session' && (c.call.s === null || idLen(sess(c.before, c.call.s)) === 0),
    check: ({ outcome, before, after }) => {
      if (outcome.ret.t !== 'int' || outcome.ret.v !== 0n) return `returned ${show(outcome.ret)}`;
      return outcome.events.length === 0 && unchanged(before, after) ? undefined : 'something changed';
    },
  },
  {
    kind: 'step',
    title:
      '§REMOVE-2 removal is by key: whichever object is cached under the id goes; returns whether one did',
    minShare: 0.4,
    applies: withId,
    check: (c) => {
      if (!isRemove(c)) return 'wrong call';
      const found = sameKey(c);
      const want = found === undefined ? 0n : 1n;
      if (c.outcome.ret.t !== 'int' || c.outcome.ret.v !== want) return `returned ${show(c.outcome.ret)}`;
      if (found !== undefined && isCachedIn(c.after, c.call.ctx, found)) return `${found} still cached`;
      const others = [...cachedSet(c.before, c.call.ctx)].filter((h) => h !== found);
      return others.every((h) => isCachedIn(c.after, c.call.ctx, h))
        ? undefined
        : 'another entry left the cache';
    },
  },
  {
    kind: 'step',
    title: '§REMOVE-3 the argument is marked non-resumable whether or not anything was removed',
    minShare: 0.4,
    applies: (c) => withId(c) && c.after.sessions.has(c.call.s),
    check: (c) =>
      isRemove(c) && sess(c.after, c.call.s).notResumable ? undefined : 'argument still resumable',
  },
  {
    kind: 'step',
    title: '§REMOVE-4 the remove callback receives the argument, once, whether or not anything was removed',
    minShare: 0.4,
    applies: withId,
    check: (c) => {
      if (!isRemove(c)) return 'wrong call';
      const hasCb = c.before.ctxs.get(c.call.ctx)?.cbs.remove !== null;
      const got = removeCbs(c.outcome.events);
      return show(got) === show(hasCb ? [c.call.s] : []) ? undefined : `callbacks ${show(got)}`;
    },
  },
  {
    kind: 'step',
    title:
      '§REMOVE-5 the removed entry loses the cache reference after the callback, freed if it was the last',
    minShare: 0.2,
    applies: (c) => withId(c) && sameKey(c) !== undefined,
    check: (c) => {
      if (!isRemove(c)) return 'wrong call';
      const found = sameKey(c) as SessionHandle;
      const b = sess(c.before, found);
      if (b.refs > 1) {
        return frees(c.outcome.events).length === 0 && sess(c.after, found).refs === b.refs - 1
          ? undefined
          : 'reference not dropped by one';
      }
      const last = c.outcome.events.at(-1);
      return last?.ev === 'free' && last.s === found && frees(c.outcome.events).length === 1
        ? undefined
        : `events ${show(c.outcome.events)}`;
    },
  },
];
