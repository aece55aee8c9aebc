/**
 * A model is a named transition function; `modelOf(profile)` is the reference one. Running a
 * list of calls through a model is pure and gives every intermediate state.
 *
 * @category model
 */
import type { Profile } from './profile.js';
import { initialState, type State } from './state.js';
import { step } from './step.js';
import type { Call, ClauseId, Outcome, StepResult } from './types.js';

export interface Model {
  readonly name: string;
  /** The profile whose semantics the model states (variants keep their base profile's name). */
  readonly profile: Profile;
  readonly step: (state: State, call: Call) => StepResult<State>;
  /** Set on a deliberately broken model: the clause whose rule it breaks. */
  readonly variant?: ClauseId;
}

export const modelOf = (profile: Profile): Model => ({ name: profile.name, profile, step: step(profile) });

/** One executed call: the state before and after, what was observed, what decided it. */
export interface Executed {
  readonly before: State;
  readonly call: Call;
  readonly outcome: Outcome;
  readonly after: State;
  readonly clauses: readonly ClauseId[];
}

export interface Run {
  readonly steps: readonly Executed[];
  /** Set when the run stopped at a call with undefined behaviour. */
  readonly undefinedAt?: {
    readonly call: Call;
    readonly reason: string;
    readonly clauses: readonly ClauseId[];
  };
  readonly final: State;
}

/** Runs calls from `start`, taking the first branch of each step, until undefined behaviour. */
export const runCalls = (model: Model, calls: Iterable<Call>, start: State = initialState): Run => {
  const steps: Executed[] = [];
  let state = start;
  for (const call of calls) {
    const r = model.step(state, call);
    if (r.kind === 'undefined') {
      return { steps, final: state, undefinedAt: { call, reason: r.reason, clauses: r.clauses } };
    }
    const b = r.branches[0];
    steps.push({ before: state, call, outcome: b.outcome, after: b.state, clauses: r.clauses });
    state = b.state;
  }
  return { steps, final: state };
};
