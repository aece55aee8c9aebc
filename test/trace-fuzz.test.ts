/**
 * Robustness of the trace reader: valid traces (the model's own outcomes for generated plans)
 * are mutated — fields deleted, types swapped, integers out of range, handles renamed, lines cut,
 * reordered, duplicated, headers repeated — and every mutant gets a verdict or a one-line error
 * naming the file and the line: never an exception, an internal error or a stack trace.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckSummary, checkTraceStream, checkTraceText } from '../src/trace/check.js';
import { validTraceArb } from './trace-arbitraries.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside a JSON value (the root excluded). */
const paths = (v: Json, prefix: (string | number)[] = []): (string | number)[][] => {
  if (v === null || typeof v !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(v) ? v.map((_x, i) => i) : Object.keys(v);
  return keys.flatMap((k) => {
    const p = [...prefix, k];
    return [p, ...paths((v as Record<string | number, Json>)[k] as Json, p)];
  });
};

const setAt = (root: Json, path: (string | number)[], f: (old: Json) => Json | undefined): Json => {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) parent = parent[k] as unknown as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  const next = f(parent[last] as Json);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = next;
  return copy;
};

/** Values of other types, and edge values of the right type. */
const replacements: Json[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e300,
  2 ** 63,
  '',
  '-0',
  '01',
  '1e3',
  ' 1',
  '9223372036854775808',
  '-9223372036854775809',
  '0x10',
  's0',
  's01',
  'S1',
  'c0',
  'x1',
  's99999999999999999999',
  'abc',
  'zz',
  'void',
  'SSL_SESSION_new',
  'SSL_CTX_free',
  '__proto__',
  'constructor',
  [],
  [1],
  {},
  { t: 'int' },
  { fn: 'SSL_CTX_new' },
];

type Mutation = (lines: string[], rnd: (n: number) => number) => string[];

const onJsonLine =
  (f: (v: Json, rnd: (n: number) => number) => Json): Mutation =>
  (lines, rnd) => {
    const i = rnd(lines.length);
    let v: Json;
    try {
      v = JSON.parse(lines[i] as string);
    } catch {
      return lines;
    }
    const out = [...lines];
    out[i] = JSON.stringify(f(v, rnd));
    return out;
  };

const pickPath = (v: Json, rnd: (n: number) => number) => {
  const ps = paths(v);
  return ps.length === 0 ? undefined : ps[rnd(ps.length)];
};

const MUTATIONS: Record<string, Mutation> = {
  deleteField: onJsonLine((v, rnd) => {
    const p = pickPath(v, rnd);
    return p ? setAt(v, p, () => undefined) : v;
  }),
  swapType: onJsonLine((v, rnd) => {
    const p = pickPath(v, rnd);
    return p ? setAt(v, p, () => replacements[rnd(replacements.length)] as Json) : v;
  }),
  outOfRange: onJsonLine((v, rnd) => {
    const ints = paths(v).filter((p) => {
      let x: Json = v;
      for (const k of p) x = (x as Record<string | number, Json>)[k] as Json;
      return typeof x === 'string' && /^-?\d+$/.test(x);
    });
    if (ints.length === 0) return v;
    const big = ['9223372036854775808', '-9223372036854775809', '99999999999999999999999', '-0', '007'];
    return setAt(v, ints[rnd(ints.length)] as (string | number)[], () => big[rnd(big.length)] as string);
  }),
  renameHandle: (lines, rnd) => {
    const i = rnd(lines.length);
    const out = [...lines];
    const to = rnd(4) === 0 ? 'q' : `${rnd(2) === 0 ? 's' : 'c'}${rnd(6) + 1}`;
    out[i] = (out[i] as string).replace(/"([sc])(\d+)"/, rnd(2) === 0 ? `"${to}"` : `"$1$2${rnd(3)}"`);
    return out;
  },
  cutLine: (lines, rnd) => {
    const i = rnd(lines.length);
    const out = [...lines];
    out[i] = (out[i] as string).slice(0, rnd((out[i] as string).length + 1));
    return out;
  },
  reorder: (lines, rnd) => {
    const out = [...lines];
    const i = rnd(out.length);
    const j = rnd(out.length);
    [out[i], out[j]] = [out[j] as string, out[i] as string];
    return out;
  },
  duplicateHeader: (lines, rnd) => {
    const out = [...lines];
    out.splice(rnd(out.length + 1), 0, lines[0] as string);
    return out;
  },
  duplicateLine: (lines, rnd) => {
    const out = [...lines];
    const i = rnd(out.length);
    out.splice(rnd(out.length + 1), 0, out[i] as string);
    return out;
  },
  dropLine: (lines, rnd) => lines.filter((_l, k) => k !== rnd(lines.length)),
  garbage: (lines, rnd) => {
    const out = [...lines];
    const i = rnd(out.length);
    const l = out[i] as string;
    const junk = ['\u0000', '"', '}', '{', ',', '\\', '\ud800', 'é', ' ', 'null', '\r'];
    const at = rnd(l.length + 1);
    out[i] = l.slice(0, at) + (junk[rnd(junk.length)] as string) + l.slice(at);
    return out;
  },
};

const mutantArb = fc
  .tuple(
    validTraceArb,
    fc.array(fc.tuple(fc.constantFrom(...Object.keys(MUTATIONS)), fc.infiniteStream(fc.nat())), {
      minLength: 1,
      maxLength: 3,
    }),
    fc.constantFrom('keep', 'keep', 'keep', 'drop-final-newline', 'crlf'),
  )
  .map(([text, muts, ending]) => {
    let lines = text.slice(0, -1).split('\n');
    for (const [name, stream] of muts) {
      const it = stream[Symbol.iterator]();
      const rnd = (n: number) => (n <= 0 ? 0 : (it.next().value as number) % n);
      lines = (MUTATIONS[name] as Mutation)(lines, rnd);
    }
    const body = lines.join(ending === 'crlf' ? '\r\n' : '\n');
    return ending === 'drop-final-newline' ? body : `${body}${ending === 'crlf' ? '\r\n' : '\n'}`;
  });

const expectWellBehaved = (s: CheckSummary) => {
  expect([0, 1, 2]).toContain(s.exitCode);
  if (s.exitCode === 2) {
    expect(s.error).toMatch(/^mutant\.jsonl:\d+: /);
    expect(s.error).not.toMatch(/[\r\n]/);
    expect(s.error).not.toMatch(/\bat .*:\d+:\d+/);
    expect(s.errorLine).toBeGreaterThanOrEqual(1);
  } else expect(s.error).toBeUndefined();
};

describe('the trace reader under mutation', () => {
  it('valid traces conform', () => {
    fc.assert(
      fc.property(validTraceArb, (text) => {
        expect(checkTraceText(text, 'valid.jsonl')).toMatchObject({ exitCode: 0 });
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('every mutant gets a verdict or a one-line error naming file and line', () => {
    const seen = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
    fc.assert(
      fc.property(mutantArb, (text) => {
        let s: CheckSummary | undefined;
        const findings: string[] = [];
        expect(() => {
          s = checkTraceText(text, 'mutant.jsonl', { onFinding: (f) => findings.push(f.text) });
        }).not.toThrow();
        if (s === undefined) return;
        expectWellBehaved(s);
        for (const f of findings) expect(f).toMatch(/^line \d+: [^\r\n]*$/);
        seen[s.exitCode] = (seen[s.exitCode] ?? 0) + 1;
      }),
      { numRuns: 4000, seed: 12 },
    );
    // The mutations reach every verdict.
    expect(seen[0]).toBeGreaterThan(50);
    expect(seen[1]).toBeGreaterThan(50);
    expect(seen[2]).toBeGreaterThan(1000);
  });

  it('the stream reader gives the same verdicts as the text reader', async () => {
    await fc.assert(
      fc.asyncProperty(mutantArb, fc.integer({ min: 1, max: 64 }), async (text, chunk) => {
        const bytes = Buffer.from(text);
        const chunks: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
        const streamed = await checkTraceStream(Readable.from(chunks), { name: 'mutant.jsonl' });
        expectWellBehaved(streamed);
        // The same text as the stream carries (a lone surrogate becomes U+FFFD in UTF-8).
        expect(streamed).toEqual(checkTraceText(bytes.toString('utf8'), 'mutant.jsonl'));
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
