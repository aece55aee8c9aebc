/**
 * The trace format's codecs: encoding then decoding any line gives it back (through JSON text,
 * as a file holds it); the fuzzer's counterexample trace is a trace of this format.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSync } from '../src/driver/implementations.js';
import { InProcessDriver } from '../src/driver/inprocess.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import type { Command, Observation } from '../src/model/types.js';
import { fuzz } from '../src/oracle/fuzz.js';
import { checkTraceText } from '../src/trace/check.js';
import { traceOf } from '../src/trace/counterexample.js';
import { decodeTraceLine, encodeTraceLine, traceLineText } from '../src/trace/format.js';
import { traceLineArb } from './trace-arbitraries.js';

describe('trace codecs', () => {
  it('encode then decode gives back the same line, for every kind of line', () => {
    fc.assert(
      fc.property(traceLineArb, (line) => {
        const text = traceLineText(line);
        expect(text).not.toContain('\n');
        const back = decodeTraceLine(JSON.parse(text));
        expect(back).toEqual({ ok: true, value: line });
        expect(encodeTraceLine(line)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000, seed: 8 },
    );
  });

  it('64-bit integers are decimal strings and ids lowercase hex', () => {
    const text = traceLineText({
      kind: 'call',
      line: {
        call: { fn: 'SSL_SESSION_set1_id', s: 's1', id: 'abcd' },
        ret: { t: 'int', v: -(2n ** 63n) },
        events: [],
      },
    });
    expect(text).toBe(
      '{"call":{"fn":"SSL_SESSION_set1_id","s":"s1","id":"abcd"},"ret":{"t":"int","v":"-9223372036854775808"},"events":[]}',
    );
    const upper = decodeTraceLine(JSON.parse(text.replace('abcd', 'ABCD')));
    expect(upper.ok && upper.value.kind === 'call' && upper.value.line.call).toEqual({
      fn: 'SSL_SESSION_set1_id',
      s: 's1',
      id: 'abcd',
    });
  });

  it('unknown fields are dropped, informative fields of a divergent line kept when well formed', () => {
    const d = decodeTraceLine({
      call: { fn: 'SSL_CTX_new', extra: 1 },
      ret: { t: 'ctx', v: 'c1' },
      events: [],
      expected: 'not an array',
      comment: 'x',
    });
    expect(d).toEqual({
      ok: true,
      value: { kind: 'call', line: { call: { fn: 'SSL_CTX_new' }, ret: { t: 'ctx', v: 'c1' }, events: [] } },
    });
  });
});

/** set_time returns 1 instead of its argument: the fuzzer finds it and writes a trace. */
class SetTimeReturnsOne {
  private readonly inner = InProcessDriver.open();
  exec(cmd: Command): Observation {
    const o = this.inner.exec(cmd);
    return cmd.fn === 'SSL_SESSION_set_time'
      ? { ...o, outcome: { ...o.outcome, ret: { t: 'int', v: 1n } } }
      : o;
  }
  close(): void {
    this.inner.close();
  }
}

describe("the fuzzer's counterexample trace", () => {
  it('is a trace that check reads, diverging at its last line by the same clause', async () => {
    const impl = fromSync('planted', () => new SetTimeReturnsOne());
    const report = await fuzz(modelOf(openssl30), impl, { runs: 300, maxCalls: 60, seed: 4 });
    await impl.close();
    const cx = report.counterexample;
    if (!cx) throw new Error('the planted divergence was not found');
    const text = traceOf(
      {
        trace: 'session-oracle',
        version: 1,
        profile: 'openssl-3.0',
        implementation: 'planted',
        seed: 4,
        path: cx.path,
      },
      cx.result,
    );
    const lines = text.trim().split('\n');
    const findings: string[] = [];
    const s = checkTraceText(text, 'cx.jsonl', { onFinding: (f) => findings.push(f.text) });
    expect(s).toMatchObject({ verdict: 'diverges', exitCode: 1, divergences: 1, calls: lines.length - 1 });
    expect(findings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^line ${lines.length}: SSL_SESSION_set_time\\(s\\d+, -?\\d+\\) returned 1, the model allows only -?\\d+ \\(§SESS-3\\)$`,
        ),
      ),
    ]);
  });
});
