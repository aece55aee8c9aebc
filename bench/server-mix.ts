/**
 * Model step throughput on a call mix weighted like a busy server, side by side with the
 * mutable example (examples/mutable-cache.ts) and libssl driven in-process through koffi.
 *
 * The mix (one "operation" is a few C calls; weights per operation, drawn from a fixed-seed
 * PRNG so every implementation receives exactly the same command stream):
 *   - 60 %  a new session is added: SSL_SESSION_new, set1_id (a fresh id), set_time,
 *           SSL_CTX_add_session, SSL_SESSION_free (the handshake's reference). The cache is
 *           full, so (size-based) each such add evicts the list tail: remove_cb + free.
 *   - 20 %  a lookup through remove: a fresh object with the id of a recent session (maybe
 *           still cached, maybe evicted) is passed to SSL_CTX_remove_session, then freed.
 *   - 15 %  a lookup through add: a fresh object with the id of a recent session is added,
 *           replacing the cached one with that key (or adding it again), then freed.
 *   -  5 %  SSL_CTX_sess_number.
 *   - every 500 operations, SSL_CTX_flush_sessions at a time that expires the few oldest
 *     sessions; then the cache is refilled by the adds that follow.
 * Every new session gets its time set explicitly, and the mode has no UPDATE_TIME, so the
 * implementations' own clocks (libssl reads the real one) do not change what happens.
 * No handle is used after the mix frees it: each operation works on its own fresh object.
 */

import { MutableCache } from '../examples/mutable-cache.js';
import type { InProcessDriver } from '../src/driver/inprocess.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState, type State } from '../src/model/state.js';
import type { Call, Command, Observation, SessionHandle } from '../src/model/types.js';
import { judge } from '../src/oracle/judge.js';
import { toCommand } from '../src/oracle/lockstep.js';

const T = 1_700_000_000n;
const TIMEOUT = 304n; // SSL_SESSION_new's default timeout (openssl-3.0)
const model = modelOf(openssl30);

/**
 * Session id of key `n`: 8 bytes, distinct per key, with well-mixed leading bytes. (libssl's
 * session hash is the id's first four bytes; zero-padded counters would put every session in
 * one hash bucket and make each libssl call linear in the cache size. Real ids are random.)
 */
export const idOf = (n: number): string =>
  (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0') + (n >>> 0).toString(16).padStart(8, '0');

/** A small deterministic PRNG (mulberry32). */
const prng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** The calls that set up a context holding `n` sessions (size `n`, remove_cb set). */
export function* fillCalls(n: number): Generator<Call> {
  yield { fn: 'SSL_CTX_new' };
  yield { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' };
  yield { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: BigInt(n) };
  for (let k = 1; k <= n; k++) {
    const s: SessionHandle = `s${k}`;
    yield { fn: 'SSL_SESSION_new', now: T + BigInt(k) };
    yield { fn: 'SSL_SESSION_set1_id', s, id: idOf(k) };
    yield { fn: 'SSL_SESSION_set_time', s, t: T + BigInt(k) };
    yield { fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(k) };
    yield { fn: 'SSL_SESSION_free', s };
  }
}

/** `ops` operations of the server mix against a context filled by `fillCalls(n)`. */
export const mixCalls = (n: number, ops: number, seed = 1): Call[] => {
  const rnd = prng(seed);
  const calls: Call[] = [];
  let handles = n; // sessions created so far (handles s1..sN by the fill)
  let key = n; // ids handed out so far
  for (let op = 0; op < ops; op++) {
    const now = T + BigInt(key);
    if (op % 500 === 499) {
      // Expire the ~8 oldest sessions still around (times are key numbers).
      calls.push({ fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t: T + BigInt(key - n + 8) + TIMEOUT + 1n });
      continue;
    }
    const u = rnd();
    if (u < 0.05) {
      calls.push({ fn: 'SSL_CTX_sess_number', ctx: 'c1' });
      continue;
    }
    const s: SessionHandle = `s${++handles}`;
    calls.push({ fn: 'SSL_SESSION_new', now });
    if (u < 0.65) {
      const k = ++key;
      calls.push({ fn: 'SSL_SESSION_set1_id', s, id: idOf(k) });
      calls.push({ fn: 'SSL_SESSION_set_time', s, t: T + BigInt(k) });
      calls.push({ fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(k) });
    } else {
      // A recent session: within the newest half of the cache (mostly still cached).
      const k = key - Math.floor(rnd() * Math.max(1, n / 2));
      calls.push({ fn: 'SSL_SESSION_set1_id', s, id: idOf(k) });
      if (u < 0.85) {
        calls.push({ fn: 'SSL_CTX_remove_session', ctx: 'c1', s });
      } else {
        calls.push({ fn: 'SSL_SESSION_set_time', s, t: T + BigInt(key) });
        calls.push({ fn: 'SSL_CTX_add_session', ctx: 'c1', s, now: T + BigInt(key) });
      }
    }
    calls.push({ fn: 'SSL_SESSION_free', s });
  }
  return calls;
};

/**
 * Checks that `impl` agrees with the model on the fill and mix at `n` (a sanity check that the
 * three implementations are doing the same work; returns the number of calls judged).
 */
export const agreesWithModel = (impl: Exec, n: number, ops: number): number => {
  let st = initialState;
  let calls = 0;
  for (const call of [...fillCalls(n), ...mixCalls(n, ops)]) {
    const cmd = toCommand(call);
    const v = judge(model, st, cmd, impl.exec(cmd));
    if (v.kind !== 'agree')
      throw new Error(`bench: the mix diverges at call ${calls} (${cmd.fn}): ${v.kind}`);
    st = v.state;
    calls++;
  }
  impl.close?.();
  return calls;
};

/** Runs calls through the pure model; throws on an undefined step (a bug in the mix). */
export const runModel = (st0: State, calls: Iterable<Call>): State => {
  let st = st0;
  for (const call of calls) {
    const r = model.step(st, call);
    if (r.kind !== 'defined') throw new Error(`bench: ${call.fn} undefined: ${r.reason}`);
    st = r.branches[0].state;
  }
  return st;
};

/** A synchronous implementation of the command interface. */
export interface Exec {
  exec(cmd: Command): Observation;
  close?(): void;
}

export const runExec = (impl: Exec, cmds: readonly Command[]): Observation[] => cmds.map((c) => impl.exec(c));

export interface ThroughputRow {
  readonly impl: string;
  readonly n: number;
  readonly fillSeconds: number | null;
  readonly calls: number;
  readonly perSecond: number | null;
  readonly note?: string;
}

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
};

/**
 * Fills each implementation to `n` sessions (the model through its own step function, call by
 * call — no shortcut into its state), then times `ops` mix operations on each. A fill that
 * takes longer than `fillBudget` seconds is abandoned, and that row is reported unmeasured.
 */
export const throughputAt = (
  n: number,
  ops: number,
  openLibssl: () => InProcessDriver,
  fillBudget: number,
): ThroughputRow[] => {
  const mix = mixCalls(n, ops);
  const cmds = mix.map(toCommand);
  const rows: ThroughputRow[] = [];

  // Pure model: fill step by step, time-boxed.
  {
    let st = initialState;
    const t0 = performance.now();
    let abandoned = false;
    let i = 0;
    for (const call of fillCalls(n)) {
      const r = model.step(st, call);
      if (r.kind !== 'defined') throw new Error(`bench: fill ${call.fn} undefined`);
      st = r.branches[0].state;
      if (++i % 10_000 === 0 && (performance.now() - t0) / 1000 > fillBudget) {
        abandoned = true;
        break;
      }
    }
    const fill = (performance.now() - t0) / 1000;
    if (abandoned) {
      rows.push({
        impl: 'pure model',
        n,
        fillSeconds: fill,
        calls: 0,
        perSecond: null,
        note: `fill abandoned after ${fill.toFixed(0)} s at ${st.sessionsCreated.toLocaleString('en')} sessions`,
      });
    } else {
      const [, s] = time(() => runModel(st, mix));
      rows.push({ impl: 'pure model', n, fillSeconds: fill, calls: mix.length, perSecond: mix.length / s });
    }
  }

  for (const [label, open] of [
    ['mutable example', () => new MutableCache(() => T) as Exec],
    ['libssl in process (koffi)', () => openLibssl() as Exec],
  ] as const) {
    const impl = open();
    const [, fill] = time(() => {
      for (const call of fillCalls(n)) impl.exec(toCommand(call));
    });
    const [, s] = time(() => runExec(impl, cmds));
    impl.close?.();
    rows.push({ impl: label, n, fillSeconds: fill, calls: cmds.length, perSecond: cmds.length / s });
  }
  return rows;
};
