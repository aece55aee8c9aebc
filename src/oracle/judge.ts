/**
 * Judging one observed call against the model: the observation must be one of the outcomes the
 * model allows. Pure; shared by the per-clause comparison, the lockstep fuzzer and the trace
 * checker.
 *
 * @category oracle
 */
import type { Model } from '../model/model.js';
import type { State } from '../model/state.js';
import {
  type Call,
  type ClauseId,
  type Command,
  type Event,
  type Observation,
  type Outcome,
  type Ret,
  withClock,
} from '../model/types.js';

export const retEquals = (a: Ret, b: Ret): boolean =>
  a.t === b.t && (a.t === 'void' || (a as { v: unknown }).v === (b as { v: unknown }).v);

const eventEquals = (a: Event, b: Event): boolean => {
  if (a.ev !== b.ev) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  return x.s === y.s && x.ctx === y.ctx && x.ssl === y.ssl && x.id === y.id;
};

/** Exact equality: the same return value and the same events in the same order. */
export const outcomeEquals = (a: Outcome, b: Outcome): boolean =>
  retEquals(a.ret, b.ret) &&
  a.events.length === b.events.length &&
  a.events.every((e, i) => eventEquals(e, b.events[i] as Event));

export const showRet = (r: Ret): string => {
  switch (r.t) {
    case 'void':
      return 'void';
    case 'int':
      return `${r.v}`;
    case 'callback':
    case 'session':
      return r.v === null ? 'NULL' : r.v;
    default:
      return r.v;
  }
};
export const showEvent = (e: Event): string => {
  switch (e.ev) {
    case 'free':
    case 'new':
      return `${e.ev}(${e.s})`;
    case 'remove_cb':
      return `remove_cb(${e.ctx}, ${e.s})`;
    case 'new_cb':
      return `new_cb(${e.ssl}, ${e.s})`;
    case 'get_cb':
      return `get_cb(${e.ssl}, "${e.id}")`;
    case 'gen_id':
      return `gen_id(${e.ssl})`;
  }
};
/** `1 [remove_cb(c1, s2), free(s2)]`: how reports print an outcome. */
export const showOutcome = (o: Outcome): string =>
  o.events.length === 0 ? showRet(o.ret) : `${showRet(o.ret)} [${o.events.map(showEvent).join(', ')}]`;

/** A call as C: `SSL_CTX_add_session(c1, s2)`, ids as hex strings, the clock as `@now`. */
export const showCall = (c: Call | Command): string => {
  const { fn, now, later, ids, ...args } = c as Record<string, unknown> & {
    fn: string;
    now?: bigint;
    later?: bigint;
    ids?: readonly string[];
  };
  const shown = Object.entries(args).map(([k, v]) =>
    v === null ? 'NULL' : k === 'id' || k === 'sid' || k === 'until' || k === 'role' ? `"${v}"` : `${v}`,
  );
  const clock = now === undefined ? '' : later === undefined ? ` @${now}` : ` @${now}..${later}`;
  const drawn = ids === undefined || ids.length === 0 ? '' : ` ids ${ids.map((i) => `"${i}"`).join(' ')}`;
  return `${fn}(${shown.join(', ')})${clock}${drawn}`;
};

export type Verdict =
  | {
      readonly kind: 'agree';
      readonly state: State;
      readonly clauses: readonly ClauseId[];
      readonly call: Call;
    }
  | {
      readonly kind: 'diverge';
      readonly call: Call;
      readonly observed: Outcome;
      readonly allowed: readonly Outcome[];
      readonly clauses: readonly ClauseId[];
      /** The model continues with its first allowed branch. */
      readonly state: State;
    }
  | {
      readonly kind: 'undefined';
      readonly call: Call;
      readonly reason: string;
      readonly clauses: readonly ClauseId[];
    };

/** Completes `cmd` with the observed clock, steps the model and compares. */
export const judge = (model: Model, state: State, cmd: Command, obs: Observation): Verdict => {
  const call = withClock(cmd, obs.now, obs);
  const r = model.step(state, call);
  if (r.kind === 'undefined') return { kind: 'undefined', call, reason: r.reason, clauses: r.clauses };
  const match = r.branches.find((b) => outcomeEquals(b.outcome, obs.outcome));
  if (match) return { kind: 'agree', state: match.state, clauses: r.clauses, call };
  return {
    kind: 'diverge',
    call,
    observed: obs.outcome,
    allowed: r.branches.map((b) => b.outcome),
    clauses: r.clauses,
    state: r.branches[0].state,
  };
};

/** One line: `SSL_CTX_add_session(c1, s2) returned 0, the model allows only 1 [free(s1)] (§ADD-4)`. */
export const describeDivergence = (v: Extract<Verdict, { kind: 'diverge' }>): string =>
  `${showCall(v.call)} returned ${showOutcome(v.observed)}, the model allows only ${v.allowed
    .map(showOutcome)
    .join(' or ')} (${v.clauses.join(' ')})`;
