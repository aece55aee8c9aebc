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
    private readonly onBug: (calls: number) => boolean,
  ) {
    super();
  }
  override exec(cmd: Command): Observation {
    const obs = super.exec(cmd);
    if (++this.calls < this.from || cmd.fn !== 'SSL_CTX_sess_number') return obs;
    const r = obs.outcome.ret;
    if (r.t !== 'int') return obs;
    if (!this.onBug(this.calls)) return obs;
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

/**
 * Shrinking is time-boxed: `budget` seconds after the divergence is first seen, the planted bug
 * switches itself off, so every further shrink candidate passes and fast-check stops; the
 * result is then the smallest failing sequence found within the budget (`capped`).
 */
export const shrinkTime = async (
  maxCalls: number,
  from: number,
  seed = 1,
  budget = Number.POSITIVE_INFINITY,
): Promise<ShrinkResult & { readonly capped: boolean }> => {
  const t0 = performance.now();
  let firstBug: number | undefined;
  let smallest = Number.POSITIVE_INFINITY;
  let capped = false;
  const onBug = (calls: number): boolean => {
    const now = performance.now();
    firstBug ??= now;
    if ((now - firstBug) / 1000 > budget) {
      capped = true;
      return false;
    }
    smallest = Math.min(smallest, calls);
    return true;
  };
  const impl = fromSync('mutable cache, planted late bug', () => new LateBug(from, onBug));
  const report = await fuzz(modelOf(openssl30), impl, { runs: 10_000, maxCalls, seed });
  const end = performance.now();
  if (firstBug === undefined) throw new Error('bench: the planted divergence was not found');
  return {
    firstFailureAt: report.firstFailureAt,
    searchSeconds: (firstBug - t0) / 1000,
    shrinkSeconds: (end - firstBug) / 1000,
    shrinks: report.counterexample?.shrinks ?? Number.NaN,
    shrunkCalls: report.counterexample?.result.steps.length ?? smallest,
    sequences: report.sequences,
    capped,
  };
};
