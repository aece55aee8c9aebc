/**
 * The property harness. A clause property states one rule as a check of single steps: for
 * every step of a generated, defined call sequence where the rule's situation arises, the
 * check must hold. Properties are parameterised by the model, so the same property runs on a
 * profile (where it must pass) and on a variant with the rule broken (where it must fail).
 *
 * Vacuity is measured, not hidden: each property records in how many generated sequences its
 * situation arose at least once, and that share must reach `minShare`.
 */
import fc from 'fast-check';
import { type Level, type Plan, planArb } from '../src/gen/commands.js';
import { type PlanRun, runPlan } from '../src/gen/plan.js';
import type { Executed, Model } from '../src/model/model.js';
import type { State } from '../src/model/state.js';
import type { Call, ClauseId, StepResult } from '../src/model/types.js';
import { show } from './views.js';

export interface StepCase extends Executed {
  readonly model: Model;
}

interface Base {
  /** Names the clause ids it checks, e.g. `§ADD-2 re-adding the identical object returns 0`. */
  readonly title: string;
  /** Profiles the property states a rule for (default: every profile with expectations). */
  readonly profiles?: readonly string[];
  /** Share of generated sequences in which the situation must arise (default 0.2). */
  readonly minShare?: number;
  /** Which calls the sequences are made of (default: the object level). */
  readonly level?: Level;
}

/** A rule checked on every step where it applies. */
export interface StepProperty extends Base {
  readonly kind: 'step';
  readonly applies: (c: StepCase) => boolean;
  /** Undefined when the step obeys the rule; otherwise what was wrong. */
  readonly check: (c: StepCase) => string | undefined;
}

/** A rule checked on one extra call made from the final state of a sequence. */
export interface ProbeProperty extends Base {
  readonly kind: 'probe';
  /**
   * The calls to make from `state` (`k` picks among candidates), or undefined if none applies;
   * all but the last must be defined, and the last is checked.
   */
  readonly probe: (state: State, k: number) => readonly Call[] | undefined;
  readonly check: (state: State, call: Call, result: StepResult<State>, model: Model) => string | undefined;
}

/** A rule about a whole run (for invariants that need the history). */
export interface RunProperty extends Base {
  readonly kind: 'run';
  readonly check: (steps: readonly Executed[], model: Model) => string | undefined;
}

export type ClauseProperty = StepProperty | ProbeProperty | RunProperty;

export const CLAUSE_RE = /§[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-[1-9][0-9]*/g;
export const clausesOf = (p: { readonly title: string }): ClauseId[] =>
  [...p.title.matchAll(CLAUSE_RE)].map((m) => m[0] as ClauseId);

export interface Share {
  runs: number;
  hits: number;
}

/**
 * Plan runs, memoised by model and plan: the properties of a page draw the same plans (same
 * seed, same arbitrary), and running a handshake-level plan costs far more than checking it.
 * Bounded, oldest first out.
 */
const MEMO_LIMIT = 2000;
interface MemoRun {
  readonly run: PlanRun;
  readonly cases: readonly StepCase[];
}
const memo = new WeakMap<Model, Map<string, MemoRun>>();
const memoOrder: { model: Model; key: string }[] = [];
const runMemo = (model: Model, plan: Plan): MemoRun => {
  const key = show(plan);
  let runs = memo.get(model);
  if (runs === undefined) {
    runs = new Map();
    memo.set(model, runs);
  }
  const hit = runs.get(key);
  if (hit !== undefined) return hit;
  const run = runPlan(model, plan);
  const memoRun = { run, cases: run.steps.map((st) => ({ ...st, model })) };
  runs.set(key, memoRun);
  memoOrder.push({ model, key });
  if (memoOrder.length > MEMO_LIMIT) {
    const old = memoOrder.shift();
    if (old !== undefined) memo.get(old.model)?.delete(old.key);
  }
  return memoRun;
};

/** The fast-check property for `p` on `model`; `share` accumulates the vacuity measure. */
export const propertyOf = (p: ClauseProperty, model: Model, share: Share, maxOps = 60) =>
  fc.property(planArb(maxOps, p.level ?? 'object'), fc.nat({ max: 1000 }), (plan, k) => {
    const { run, cases } = runMemo(model, plan);
    if (run.undefinedAt !== undefined && model.variant === undefined) {
      throw new Error(
        `the generator produced an undefined call ${show(run.undefinedAt.call)}: ${run.undefinedAt.reason}`,
      );
    }
    share.runs++;
    if (p.kind === 'run') {
      share.hits++;
      const msg = p.check(run.steps, model);
      if (msg !== undefined) throw new Error(msg);
      return true;
    }
    if (p.kind === 'step') {
      let hit = false;
      for (const [i, c] of cases.entries()) {
        if (!p.applies(c)) continue;
        hit = true;
        const msg = p.check(c);
        if (msg !== undefined) throw new Error(`call ${i + 1} ${show(c.call)}: ${msg}`);
      }
      if (hit) share.hits++;
      return true;
    }
    let state = run.steps.at(-1)?.after;
    if (state === undefined) return true;
    const calls = p.probe(state, k);
    const call = calls?.at(-1);
    if (calls === undefined || call === undefined) return true;
    for (const setup of calls.slice(0, -1)) {
      const r = model.step(state, setup);
      if (r.kind === 'undefined') throw new Error(`probe set-up ${show(setup)} is undefined: ${r.reason}`);
      state = r.branches[0].state;
    }
    share.hits++;
    const msg = p.check(state, call, model.step(state, call), model);
    if (msg !== undefined) throw new Error(`probe ${show(calls)}: ${msg}`);
    return true;
  });

export const appliesTo = (p: ClauseProperty, profile: string): boolean =>
  p.profiles === undefined || p.profiles.includes(profile);
