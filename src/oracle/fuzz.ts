/**
 * A fuzzing campaign: fast-check generates plans from a seed, each plan runs in lockstep
 * against the implementation and the model, and the first failing plan is shrunk to a minimal
 * one. The same seed gives the same plans, the same verdict and the same report (timings aside).
 *
 * @category oracle
 */
import fc from 'fast-check';
import { type Level, type Plan, planArb } from '../gen/commands.js';
import { CLAUSES, isConnectionClause, isUndefinedClause } from '../model/clauses.js';
import type { Model } from '../model/model.js';
import type { ClauseId } from '../model/types.js';
import { type Implementation, runLockstep, type SequenceResult } from './lockstep.js';

export interface FuzzOptions {
  readonly runs: number;
  readonly maxCalls: number;
  readonly seed: number;
  /** Which calls to generate (default: the object level). */
  readonly level?: Level;
  /** Replay path printed by an earlier run (fast-check's `path`). */
  readonly replay?: string;
  /** Called after each sequence of the campaign (not during shrinking). */
  readonly onSequence?: (done: number) => void;
}

export interface FuzzReport {
  readonly seed: number;
  readonly level: Level;
  readonly runs: number;
  readonly sequences: number;
  readonly calls: number;
  /** How many of the calls were handshakes. */
  readonly handshakes: number;
  readonly exercised: readonly ClauseId[];
  /** Clauses lockstep can exercise: all but those about undefined behaviour. */
  readonly exercisable: readonly ClauseId[];
  readonly seconds: number;
  /** Where the first failing sequence failed, before shrinking (its number of calls). */
  readonly firstFailureAt?: number;
  readonly counterexample?: {
    readonly plan: Plan;
    readonly result: Exclude<SequenceResult, { kind: 'ok' }>;
    readonly path: string;
    readonly shrinks: number;
  };
}

/** A shard's own seed: shards of one campaign explore disjoint streams of plans. */
export const shardSeed = (seed: number, index: number): number =>
  index === 0 ? seed : (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + index * 0x27d4eb2f) | 0;

export const fuzz = async (model: Model, impl: Implementation, opts: FuzzOptions): Promise<FuzzReport> => {
  const started = performance.now();
  const exercised = new Set<ClauseId>();
  let sequences = 0;
  let calls = 0;
  let handshakes = 0;
  let shrinking = false;
  let firstFailureAt: number | undefined;
  const level = opts.level ?? 'object';
  // A plan has at most 100 operations; a connection operation may stand for many calls.
  const property = fc.asyncProperty(planArb(Math.min(opts.maxCalls, 100), level), async (plan) => {
    await impl.reset();
    const r = await runLockstep(model, impl, plan, opts.maxCalls, shrinking ? undefined : exercised);
    if (!shrinking) {
      sequences++;
      calls += r.steps.length + (r.kind === 'failure' ? 1 : 0);
      for (const st of r.steps) if (st.cmd.fn === 'handshake') handshakes++;
      opts.onSequence?.(sequences);
    }
    if (r.kind !== 'ok' && !shrinking) {
      shrinking = true;
      firstFailureAt = r.steps.length + (r.kind === 'failure' ? 1 : 0);
    }
    return r.kind === 'ok';
  });
  const details = await fc.check(property, {
    seed: opts.seed,
    numRuns: opts.runs,
    ...(opts.replay === undefined ? {} : { path: opts.replay }),
  });
  let counterexample: FuzzReport['counterexample'];
  if (details.failed && details.counterexample) {
    const plan = details.counterexample[0];
    await impl.reset();
    const result = await runLockstep(model, impl, plan, opts.maxCalls);
    if (result.kind !== 'ok') {
      counterexample = { plan, result, path: details.counterexamplePath ?? '', shrinks: details.numShrinks };
    }
  }
  const exercisable = (Object.keys(CLAUSES) as ClauseId[]).filter(
    (c) => !isUndefinedClause(c) && (level !== 'object' || !isConnectionClause(c)),
  );
  return {
    seed: opts.seed,
    level,
    runs: opts.runs,
    sequences,
    calls,
    handshakes,
    exercised: exercisable.filter((c) => exercised.has(c)),
    exercisable,
    seconds: (performance.now() - started) / 1000,
    ...(firstFailureAt === undefined ? {} : { firstFailureAt }),
    ...(counterexample === undefined ? {} : { counterexample }),
  };
};
