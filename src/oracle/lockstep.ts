/**
 * Lockstep differential testing of one generated sequence: each operation of a plan is
 * resolved against the model's current state into a call, the call is sent to the
 * implementation, and the observed outcome is judged by the model, exactly and in order. Only
 * calls the model calls defined are sent.
 *
 * @category oracle
 */

import type { Plan } from '../gen/commands.js';
import { prelude, resolve } from '../gen/commands.js';
import type { Model } from '../model/model.js';
import { initialState, type State } from '../model/state.js';
import type { Call, ClauseId, Command, Observation } from '../model/types.js';
import { judge, type Verdict } from './judge.js';

/** Anything that executes commands: the in-process driver, a child process, a TypeScript cache. */
export interface Implementation {
  /** What is being judged, e.g. the library's version string. */
  readonly name: string;
  exec(cmd: Command): Promise<Observation>;
  /** Forgets every object, so that the next sequence starts from scratch (handles at s1/c1). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** An implementation that failed instead of answering: crash, hang, protocol or driver error. */
export class ImplementationFailed extends Error {
  constructor(
    readonly kind: 'crash' | 'hang' | 'protocol' | 'error',
    message: string,
  ) {
    super(message);
  }
}

export interface LockstepStep {
  readonly cmd: Command;
  readonly observation: Observation;
  readonly verdict: Verdict;
}

export type SequenceResult =
  | { readonly kind: 'ok'; readonly steps: readonly LockstepStep[] }
  | { readonly kind: 'diverge'; readonly steps: readonly LockstepStep[] }
  | {
      readonly kind: 'failure';
      readonly steps: readonly LockstepStep[];
      readonly cmd: Command;
      readonly failure: ImplementationFailed;
    };

/** The command a driver receives for a call: without the clock, which it reports. */
export const toCommand = (call: Call): Command => {
  if (!('now' in call)) return call;
  const { now: _now, ...rest } = call;
  if (!('ids' in rest)) return rest as Command;
  const { later: _later, ids: _ids, ...cmd } = rest;
  return cmd as Command;
};

/** The concrete calls of a plan, as the model resolves them step by step, up to `maxCalls`. */
export function* planCalls(plan: Plan, state: () => State, maxCalls: number): Generator<Call> {
  let n = 0;
  for (const call of prelude(plan)) {
    if (n++ >= maxCalls) return;
    yield call;
  }
  for (const op of plan.ops) {
    for (const call of resolve(state(), op)) {
      if (n++ >= maxCalls) return;
      yield call;
    }
  }
}

/** Runs one plan against the implementation and the model; stops at the first disagreement. */
export const runLockstep = async (
  model: Model,
  impl: Implementation,
  plan: Plan,
  maxCalls: number,
  exercised?: Set<ClauseId>,
): Promise<SequenceResult> => {
  let state = initialState;
  const steps: LockstepStep[] = [];
  for (const call of planCalls(plan, () => state, maxCalls)) {
    if (model.step(state, call).kind === 'undefined') continue;
    const cmd = toCommand(call);
    let observation: Observation;
    try {
      observation = await impl.exec(cmd);
    } catch (e) {
      const failure = e instanceof ImplementationFailed ? e : new ImplementationFailed('error', String(e));
      return { kind: 'failure', steps, cmd, failure };
    }
    const verdict = judge(model, state, cmd, observation);
    steps.push({ cmd, observation, verdict });
    if (verdict.kind === 'undefined') continue;
    if (exercised) for (const c of verdict.clauses) exercised.add(c);
    if (verdict.kind === 'diverge') return { kind: 'diverge', steps };
    state = verdict.state;
  }
  return { kind: 'ok', steps };
};
