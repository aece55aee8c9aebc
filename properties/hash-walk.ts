/** The order in which a hash-table walk visits a context's sessions (1.1.1's flush). */
import type { State } from '../src/model/state.js';
import type { CtxHandle, SessionHandle } from '../src/model/types.js';

export const hashWalk = (_st: State, _ch: CtxHandle): SessionHandle[] => {
  throw new Error('hash walk: not available yet');
};
