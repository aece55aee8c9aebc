/**
 * Lockstep throughput: the same generated calls sent to an implementation with the model
 * judging each answer, and without it (answers discarded). The calls are fixed first, by
 * running the plans through the model once, so both runs send exactly the same commands.
 */
import fc from 'fast-check';
import { planArb } from '../src/gen/commands.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState } from '../src/model/state.js';
import type { Call, Command } from '../src/model/types.js';
import { judge } from '../src/oracle/judge.js';
import { type Implementation, planCalls, toCommand } from '../src/oracle/lockstep.js';

const model = modelOf(openssl30);

/**
 * The commands of `runs` plans from `seed`, one array per sequence, made independent of the
 * clock so they can be replayed: every new session gets its time set explicitly at once, and
 * modes with UPDATE_TIME are left out. (Otherwise the real clock, read again on replay, could
 * lead the library somewhere the recorded calls were not resolved for.)
 */
export const fixedSequences = (runs: number, seed: number, maxCalls = 100): Command[][] =>
  fc.sample(planArb(maxCalls), { numRuns: runs, seed }).map((plan) => {
    let st = initialState;
    const cmds: Command[] = [];
    const exec = (call: Call): void => {
      const r = model.step(st, call);
      if (r.kind === 'undefined') return;
      st = r.branches[0].state;
      cmds.push(toCommand(call));
    };
    const ops = plan.ops.filter((op) => !(op.op === 'setMode' && (op.mode & 0x400n) !== 0n));
    for (const call of planCalls({ ...plan, ops }, () => st, maxCalls)) {
      exec(call);
      if (call.fn === 'SSL_SESSION_new') {
        exec({ fn: 'SSL_SESSION_set_time', s: `s${st.sessionsCreated}`, t: call.now });
      }
    }
    return cmds;
  });

/** Calls per second through `impl`, judging each answer with the model or not. */
export const lockstepRate = async (
  impl: Implementation,
  sequences: readonly Command[][],
  withModel: boolean,
): Promise<{ calls: number; perSecond: number }> => {
  let calls = 0;
  const t0 = performance.now();
  for (const seq of sequences) {
    await impl.reset();
    let st = initialState;
    for (const cmd of seq) {
      const obs = await impl.exec(cmd);
      calls++;
      if (withModel) {
        const v = judge(model, st, cmd, obs);
        if (v.kind !== 'agree') throw new Error(`bench: ${v.kind} at ${cmd.fn}`);
        st = v.state;
      }
    }
  }
  const s = (performance.now() - t0) / 1000;
  return { calls, perSecond: calls / s };
};
