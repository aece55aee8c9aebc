/**
 * The lockstep oracle end to end, in process: the mutable example passes a campaign; a planted
 * divergence deep in a sequence is found and shrunk to a few calls; a crashing implementation
 * is a finding, not a crash of the oracle; the same seed gives the same verdict.
 */
import { describe, expect, it } from 'vitest';
import { MutableCache } from '../examples/mutable-cache.js';
import { fromSync, inProcessLibssl } from '../src/driver/implementations.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import type { Command, Observation } from '../src/model/types.js';
import { fuzz } from '../src/oracle/fuzz.js';
import { type Implementation, ImplementationFailed } from '../src/oracle/lockstep.js';

const model = modelOf(openssl30);

/** The mutable example with one rule changed: `set_time(s, 0)` returns 1 instead of 0. */
class SetTimeZeroReturnsOne extends MutableCache {
  override exec(cmd: Command): Observation {
    const o = super.exec(cmd);
    if (cmd.fn === 'SSL_SESSION_set_time' && cmd.t === 0n)
      return { ...o, outcome: { ...o.outcome, ret: { t: 'int', v: 1n } } };
    return o;
  }
}

describe('lockstep fuzzing', () => {
  it('the mutable example passes the campaign that the system libssl passes', async () => {
    // The campaign of the done-when criterion: `fuzz --runs 2000 --seed 1`.
    const opts = { runs: 2000, maxCalls: 100, seed: 1 };
    const mutable = await fuzz(
      model,
      fromSync('mutable-cache', () => new MutableCache()),
      opts,
    );
    expect(mutable.counterexample).toBeUndefined();
    const libssl = inProcessLibssl();
    const real = await fuzz(model, libssl, opts);
    await libssl.close();
    expect(real.counterexample).toBeUndefined();
    expect(mutable.calls).toBeGreaterThan(100_000);
    expect(mutable.exercised).toEqual(mutable.exercisable);
  });

  it('finds a planted divergence deep in a sequence and shrinks it to at most 3 calls', async () => {
    const r = await fuzz(
      model,
      fromSync('planted', () => new SetTimeZeroReturnsOne()),
      {
        runs: 1000,
        maxCalls: 100,
        seed: 3,
      },
    );
    const cx = r.counterexample;
    expect(cx?.result.kind).toBe('diverge');
    expect(r.firstFailureAt).toBeGreaterThanOrEqual(20);
    expect(cx?.result.steps.length).toBeLessThanOrEqual(3);
    const last = cx?.result.steps.at(-1);
    expect(last?.cmd).toMatchObject({ fn: 'SSL_SESSION_set_time', t: 0n });
    expect(last?.verdict.kind === 'diverge' && last.verdict.clauses).toContain('§SESS-3');
  });

  it('reports a crashing implementation as a finding and carries on', async () => {
    let calls = 0;
    const inner = new MutableCache();
    const crashing: Implementation = {
      name: 'crashes on its 30th call',
      exec: async (cmd) => {
        if (++calls >= 30) throw new ImplementationFailed('crash', 'process exited with signal SIGSEGV');
        return inner.exec(cmd);
      },
      reset: async () => {},
      close: async () => {},
    };
    const r = await fuzz(model, crashing, { runs: 10, maxCalls: 100, seed: 3 });
    expect(r.counterexample?.result.kind).toBe('failure');
  });

  it('gives the same calls and the same verdict for the same seed', async () => {
    const run = () =>
      fuzz(
        model,
        fromSync('planted', () => new SetTimeZeroReturnsOne()),
        { runs: 300, maxCalls: 60, seed: 11 },
      );
    const [a, b] = [await run(), await run()];
    expect(a.counterexample?.path).toEqual(b.counterexample?.path);
    expect(a.counterexample?.result.steps.map((s) => s.cmd)).toEqual(
      b.counterexample?.result.steps.map((s) => s.cmd),
    );
    expect(a.calls).toEqual(b.calls);
  });
});
