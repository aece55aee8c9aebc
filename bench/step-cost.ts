/**
 * The cost of one model step as the cache grows: a fixed mix of calls (adds of new keys that
 * evict at capacity, re-adds, removals by key, time changes that re-sort, counts) is run
 * against a context already holding N sessions, for several N, and timed per step.
 */
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState, type State } from '../src/model/state.js';
import type { Call, SessionHandle } from '../src/model/types.js';

const T = 1_700_000_000n;
const model = modelOf(openssl30);

const must = (st: State, call: Call): State => {
  const r = model.step(st, call);
  if (r.kind !== 'defined') throw new Error(`bench: ${call.fn} undefined: ${r.reason}`);
  return r.branches[0].state;
};

const idOf = (n: number): string => n.toString(16).padStart(8, '0');

/** A context with `n` cached sessions (size n + 1, so it is full), each with a distinct time. */
export const filled = (n: number): State => {
  let st = must(initialState, { fn: 'SSL_CTX_new' });
  st = must(st, { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' });
  st = must(st, { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: BigInt(n + 1) });
  for (let k = 1; k <= n; k++) {
    const s: SessionHandle = `s${k}`;
    st = must(st, { fn: 'SSL_SESSION_new', now: T + BigInt(k) });
    st = must(st, { fn: 'SSL_SESSION_set1_id', s, id: idOf(k) });
    st = must(st, { fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(k) });
    st = must(st, { fn: 'SSL_SESSION_free', s });
  }
  return st;
};

/** The mix: per round, one new session added (evicting the tail), and work on cached ones. */
export const mix = function* (st0: State, n: number, rounds: number): Generator<Call, void, State> {
  let st = st0;
  let created = st.sessionsCreated;
  for (let r = 0; r < rounds; r++) {
    const k = ++created;
    const s: SessionHandle = `s${k}`;
    st = yield { fn: 'SSL_SESSION_new', now: T + BigInt(n + r) };
    st = yield { fn: 'SSL_SESSION_set1_id', s, id: idOf(k) };
    st = yield { fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(n + r) };
    st = yield { fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(n + r) };
    st = yield { fn: 'SSL_SESSION_set_time', s, t: T + BigInt(n + r + 1) };
    st = yield { fn: 'SSL_CTX_sess_number', ctx: 'c1' };
    st = yield { fn: 'SSL_SESSION_free', s };
    // A removal by key of some earlier cached session, through a fresh same-id object.
    const victim = created - Math.floor(n / 2);
    const h: SessionHandle = `s${++created}`;
    st = yield { fn: 'SSL_SESSION_new', now: T };
    st = yield { fn: 'SSL_SESSION_set1_id', s: h, id: idOf(victim) };
    st = yield { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: h };
    st = yield { fn: 'SSL_SESSION_free', s: h };
  }
  void st;
};

/** Nanoseconds per step of the mix at `n` cached sessions. */
export const stepCost = (n: number, rounds: number): { n: number; nsPerStep: number; steps: number } => {
  let st = filled(n);
  const gen = mix(st, n, rounds);
  let steps = 0;
  const t0 = process.hrtime.bigint();
  let it = gen.next(st);
  while (!it.done) {
    st = must(st, it.value);
    steps++;
    it = gen.next(st);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return { n, nsPerStep: ns / steps, steps };
};
