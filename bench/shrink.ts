/**
 * Shrinking: how long the fuzzer takes to shrink a planted divergence first seen near call
 * 500 of a sequence of up to 1,000 calls. The implementation is the mutable example with one
 * planted bug: from its 500th call of a sequence on, `SSL_CTX_sess_number` answers one too
 * many — a rare call, so the failing sequence is long and the divergence late.
 */
import { MutableCache } from '../examples/mutable-cache.js';
import { fromSync } from '../src/driver/implementations.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import type { Command, Observation } from '../src/model/types.js';
import { fuzz } from '../src/oracle/fuzz.js';

class LateBug extends MutableCache {
  private calls = 0;
  constructor(
    private readonly from: number,
    private readonly onBug: () => void,
  ) {
    super();
  }
  override exec(cmd: Command): Observation {
    const obs = super.exec(cmd);
    if (++this.calls < this.from || cmd.fn !== 'SSL_CTX_sess_number') return obs;
    const r = obs.outcome.ret;
    if (r.t !== 'int') return obs;
    this.onBug();
    return { ...obs, outcome: { ...obs.outcome, ret: { t: 'int', v: r.v + 1n } } };
  }
}

export interface ShrinkResult {
  readonly firstFailureAt: number | undefined;
  readonly searchSeconds: number;
  readonly shrinkSeconds: number;
  readonly shrinks: number;
  readonly shrunkCalls: number;
  readonly sequences: number;
}

export const shrinkTime = async (maxCalls: number, from: number, seed = 1): Promise<ShrinkResult> => {
  const t0 = performance.now();
  let firstBug: number | undefined;
  const impl = fromSync('mutable cache, planted late bug', () => new LateBug(from, () => void (firstBug ??= performance.now())));
  const report = await fuzz(modelOf(openssl30), impl, { runs: 10_000, maxCalls, seed });
  const end = performance.now();
  if (!report.counterexample) throw new Error('bench: the planted divergence was not found');
  const found = firstBug ?? end;
  return {
    firstFailureAt: report.firstFailureAt,
    searchSeconds: (found - t0) / 1000,
    shrinkSeconds: (end - found) / 1000,
    shrinks: report.counterexample.shrinks,
    shrunkCalls: report.counterexample.result.steps.length,
    sequences: report.sequences,
  };
};
