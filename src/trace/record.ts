/**
 * Recording a trace: generated call sequences run against an implementation in lockstep with
 * the model (so only calls the model calls defined are sent), and every call written as a trace
 * line as soon as it is answered.
 *
 * A sequence has exactly the number of calls asked for: its plan is drawn from the fuzzer's
 * generator (`planArb`), and when the plan's calls run out, more operations are drawn and
 * resolved against the state reached. Sequences after the first start with a reset line.
 *
 * @category trace
 */
import fc from 'fast-check';
import { opArb, planArb, resolve } from '../gen/commands.js';
import type { Model } from '../model/model.js';
import { initialState, type State } from '../model/state.js';
import type { Call } from '../model/types.js';
import { shardSeed } from '../oracle/fuzz.js';
import { describeDivergence, judge, showCall } from '../oracle/judge.js';
import { type Implementation, ImplementationFailed, planCalls, toCommand } from '../oracle/lockstep.js';
import { callLine, divergenceNotes, type TraceHeader, type TraceLine } from './format.js';

/** Operations drawn at a time. */
const BATCH = 100;

const batchSeed = (seed: number, batch: number): number =>
  (Math.imul(seed ^ 0x85ebca6b, 0xc2b2ae35) + Math.imul(batch, 0x27d4eb2f)) | 0;

/**
 * The calls of one generated sequence, endless: the calls of a plan drawn with `seed` (its
 * prelude makes `c1`), then the calls of further operations, each resolved against `state()`,
 * the state the model has reached.
 */
export function* generatedCalls(seed: number, state: () => State): Generator<Call> {
  const [plan] = fc.sample(planArb(BATCH), { seed, numRuns: 1 });
  if (plan !== undefined) yield* planCalls(plan, state, Number.POSITIVE_INFINITY);
  for (let b = 1; ; b++) {
    const [ops] = fc.sample(fc.array(opArb, { minLength: BATCH, maxLength: BATCH }), {
      seed: batchSeed(seed, b),
      numRuns: 1,
    });
    for (const op of ops ?? []) yield* resolve(state(), op);
  }
}

export interface RecordOptions {
  readonly model: Model;
  readonly impl: Implementation;
  readonly header: TraceHeader;
  readonly seed: number;
  /** Calls per sequence. */
  readonly calls: number;
  readonly sequences: number;
  /** Receives each line, in order. */
  readonly write: (line: TraceLine) => void;
  /** Called after each sequence (a chance to flush output). */
  readonly afterSequence?: (done: number) => Promise<void> | void;
  /** Called for each divergence or implementation failure (one line). */
  readonly onFinding?: (text: string) => void;
}

export interface RecordReport {
  readonly calls: number;
  readonly sequences: number;
  readonly divergences: number;
  readonly failures: number;
}

/**
 * Records `sequences` generated sequences of `calls` calls each. A sequence ends early at a
 * divergence (its line is written with what the model allowed) or an implementation failure (a
 * failure line), as in the fuzzer.
 */
export const record = async (o: RecordOptions): Promise<RecordReport> => {
  let calls = 0;
  let divergences = 0;
  let failures = 0;
  /** The number of the last line written. */
  let lineNo = 0;
  const write = (l: TraceLine): void => {
    lineNo++;
    o.write(l);
  };
  write({ kind: 'header', header: o.header });
  for (let k = 0; k < o.sequences; k++) {
    await o.impl.reset();
    if (k > 0) write({ kind: 'reset' });
    let state: State = initialState;
    let sent = 0;
    for (const call of generatedCalls(shardSeed(o.seed, k), () => state)) {
      if (sent >= o.calls) break;
      if (o.model.step(state, call).kind === 'undefined') continue;
      const cmd = toCommand(call);
      sent++;
      calls++;
      let observation: Awaited<ReturnType<Implementation['exec']>>;
      try {
        observation = await o.impl.exec(cmd);
      } catch (e) {
        const failure = e instanceof ImplementationFailed ? e : new ImplementationFailed('error', String(e));
        failures++;
        write({
          kind: 'failure',
          line: { call: cmd, failure: { kind: failure.kind, message: failure.message } },
        });
        o.onFinding?.(`line ${lineNo}: ${showCall(cmd)}: implementation ${failure.kind}: ${failure.message}`);
        break;
      }
      const v = judge(o.model, state, cmd, observation);
      if (v.kind === 'diverge') {
        divergences++;
        write(callLine(cmd, observation, divergenceNotes(v.allowed, v.clauses)));
        o.onFinding?.(`line ${lineNo}: ${describeDivergence(v)}`);
        break;
      }
      // Definedness does not depend on the clock, so a call defined before it was sent stays so.
      if (v.kind === 'undefined') break;
      write(callLine(cmd, observation));
      state = v.state;
    }
    await o.afterSequence?.(k + 1);
  }
  return { calls, sequences: o.sequences, divergences, failures };
};
