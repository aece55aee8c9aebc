/**
 * The order in which 1.1.1's flush visits a context's sessions: the `doall` order of its hash
 * table (`src/model/lhash.ts`, pinned by the hand-computed cases of test/lhash.test.ts). For
 * tables of at most 256 buckets — every table the generators build — a partial flush removes
 * sessions in this order filtered.
 */
import { lhDoallOrder } from '../src/model/lhash.js';
import type { State } from '../src/model/state.js';
import type { CtxHandle, SessionHandle } from '../src/model/types.js';

export const hashWalk = (st: State, ch: CtxHandle): SessionHandle[] => {
  const lhash = st.ctxs.get(ch)?.lhash;
  if (lhash == null) throw new Error(`${ch} keeps no hash-table layout`);
  return lhDoallOrder(lhash);
};
