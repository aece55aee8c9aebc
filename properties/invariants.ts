/**
 * Invariants over every reachable state. They name no clause: each follows from several rules
 * together, and a broken rule usually shows here too.
 */
import type { Executed } from '../src/model/model.js';
import { cacheKey, type State } from '../src/model/state.js';
import type { CtxHandle } from '../src/model/types.js';
import type { ClauseProperty } from './harness.js';
import { cachedSet, type Expected, emptyIds, expectedFor, listInOrder, listOrder, show } from './views.js';

const stateInvariants = (st: State, e: Expected): string | undefined => {
  const holders = new Map<string, number>();
  for (const [ch, c] of st.ctxs) {
    const listed = listOrder(st, ch);
    const hashed = [...c.cache.values()];
    if (show([...listed].sort()) !== show([...hashed].sort()))
      return `${ch}: list ${show(listed)} ≠ hash ${show(hashed)}`;
    for (const [key, h] of c.cache) {
      const s = st.sessions.get(h);
      if (s === undefined) return `${ch} holds freed ${h}`;
      if (cacheKey(s) !== key) return `${ch} holds ${h} under a stale key`;
      if (s.owner !== ch) return `${h} cached in ${ch} but owned by ${s.owner}`;
      holders.set(h, (holders.get(h) ?? 0) + 1);
    }
    const unsorted = listInOrder(st, ch, e);
    if (unsorted !== undefined) return `${ch}: ${unsorted}`;
  }
  for (const [h, s] of st.sessions) {
    const want = s.app + (holders.get(h) ?? 0);
    if (s.refs !== want)
      return `${h}: ${s.refs} references, but the caller holds ${s.app} and caches ${holders.get(h) ?? 0}`;
    if (s.refs <= 0) return `${h} is live with ${s.refs} references`;
    if (s.owner !== null && !holders.has(h)) return `${h} owned by ${s.owner} but in no cache`;
  }
  return undefined;
};

/**
 * Counts obey the capacity, except after the size changed, or while a zero-length id holds up
 * eviction, until the next add of a new key evicts down to it.
 */
const capacity = (steps: readonly Executed[], profile: string): string | undefined => {
  const exempt = new Set<CtxHandle>();
  for (const st of steps) {
    const { call, after } = st;
    if (call.fn === 'SSL_CTX_sess_set_cache_size') exempt.add(call.ctx);
    if (call.fn === 'SSL_CTX_add_session' && st.outcome.ret.t === 'int' && st.outcome.ret.v === 1n) {
      exempt.delete(call.ctx);
    }
    for (const [ch, c] of after.ctxs) {
      if (emptyIds(after, ch).length > 0) exempt.add(ch);
      if (c.size === 0n || exempt.has(ch)) continue;
      const cap = expectedFor(profile).capacity(c.size);
      if (BigInt(cachedSet(after, ch).size) > cap)
        return `${ch} holds ${cachedSet(after, ch).size} > ${cap} after ${show(call)}`;
    }
  }
  return undefined;
};

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title:
      'invariant: references equal the holders; hash, list and owner agree; the list is in the profile order',
    minShare: 0.9,
    applies: () => true,
    check: ({ after, model }) => stateInvariants(after, expectedFor(model.name)),
  },
  {
    kind: 'run',
    title:
      'invariant: the count obeys the capacity, except while zero-length ids or a resize hold up eviction',
    check: (steps, model) => capacity(steps, model.name),
  },
];
