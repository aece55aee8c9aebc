/**
 * The zoo: every faulty member is caught by the project's default fuzz budget (the CLI
 * defaults: 1000 sequences of at most 100 calls), and shrunk; the correct implementations are
 * not flagged. Writes reports/zoo.md with the time to detection and the counterexample length.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { MutableCache } from '../examples/mutable-cache.js';
import { OBJECT_LEVEL_ZOO } from '../examples/zoo/object-level.js';
import { fromSync } from '../src/driver/implementations.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { fuzz } from '../src/oracle/fuzz.js';

const DEFAULTS = { runs: 1000, maxCalls: 100, seed: 1 };
const model = modelOf(openssl30);
const rows: string[] = [];
afterAll(() => {
  mkdirSync('reports', { recursive: true });
  writeFileSync(
    'reports/zoo.md',
    [
      '| member | clause | sequences to detection | seconds | counterexample calls | clauses at the divergence |',
      '|---|---|---:|---:|---:|---|',
      ...rows,
      '',
    ].join('\n'),
  );
});

describe('the zoo of faulty caches, at the default budget', () => {
  it('the correct mutable cache is not flagged', async () => {
    const r = await fuzz(
      model,
      fromSync('mutable', () => new MutableCache()),
      DEFAULTS,
    );
    expect(r.counterexample).toBeUndefined();
  });

  for (const m of OBJECT_LEVEL_ZOO) {
    it(`${m.clause} ${m.name}: caught and shrunk`, async () => {
      const r = await fuzz(model, fromSync(m.name, m.make), DEFAULTS);
      const cx = r.counterexample;
      expect(cx, `${m.name} was not caught`).toBeDefined();
      if (!cx) return;
      const n = cx.result.steps.length + (cx.result.kind === 'failure' ? 1 : 0);
      const last = cx.result.steps.at(-1)?.verdict;
      const clauses = last?.kind === 'diverge' ? last.clauses : [];
      rows.push(
        `| ${m.name} | ${m.clause} | ${r.sequences} | ${r.seconds.toFixed(2)} | ${n} | ${clauses.join(' ')} |`,
      );
      expect(n).toBeLessThanOrEqual(20);
    });
  }
});
