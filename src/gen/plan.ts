/**
 * Executing a generated plan against a model: each operation is resolved against the state the
 * model has reached, so the calls stay defined.
 *
 * @category generators
 */
import type { Executed, Model } from '../model/model.js';
import { initialState, type State } from '../model/state.js';
import type { Call } from '../model/types.js';
import { type Plan, prelude, resolve } from './commands.js';

export interface PlanRun {
  readonly steps: readonly Executed[];
  /** A call the model called undefined (never expected from a resolved plan). */
  readonly undefinedAt?: { readonly call: Call; readonly reason: string };
}

/** The concrete calls of a plan, resolved step by step against `model`. */
export const runPlan = (model: Model, plan: Plan): PlanRun => {
  const steps: Executed[] = [];
  let state: State = initialState;
  const exec = (call: Call): boolean => {
    const r = model.step(state, call);
    if (r.kind === 'undefined') return false;
    const b = r.branches[0];
    steps.push({ before: state, call, outcome: b.outcome, after: b.state, clauses: r.clauses });
    state = b.state;
    return true;
  };
  for (const call of prelude(plan)) exec(call);
  for (const op of plan.ops) {
    for (const call of resolve(state, op)) {
      if (!exec(call)) {
        const r = model.step(state, call);
        return { steps, undefinedAt: { call, reason: r.kind === 'undefined' ? r.reason : '' } };
      }
    }
  }
  return { steps };
};
