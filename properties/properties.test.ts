/**
 * Runs every property on every profile that has expectations, with a fixed seed per property
 * so results are reproducible, and reports the share of generated sequences in which each
 * property's situation arose (it must reach the property's minimum).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { modelOf } from '../src/model/model.js';
import { PROFILES } from '../src/model/profile.js';
import { appliesTo, propertyOf, type Share } from './harness.js';
import { PAGES } from './index.js';
import { EXPECTED } from './views.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);

/** The share of generated sequences in which each property's situation arose, per profile. */
const shares: { profile: string; title: string; share: number; min: number }[] = [];
afterAll(() => {
  mkdirSync('reports', { recursive: true });
  const rows = shares.map(
    (s) => `| ${s.profile} | ${s.title} | ${(100 * s.share).toFixed(0)}% | ${100 * s.min}% |`,
  );
  writeFileSync(
    'reports/property-shares.md',
    [
      '| profile | property | sequences where it applied | minimum |',
      '|---|---|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
});

for (const profile of PROFILES.filter((p) => p.name in EXPECTED)) {
  const model = modelOf(profile);
  describe(`properties of ${profile.name}`, () => {
    for (const [page, props] of Object.entries(PAGES)) {
      describe(page, () => {
        for (const p of props.filter((x) => appliesTo(x, profile.name))) {
          it(p.title, () => {
            const share: Share = { runs: 0, hits: 0 };
            fc.assert(propertyOf(p, model, share), { seed: SEED, numRuns: RUNS });
            const kept = share.hits / share.runs;
            shares.push({ profile: profile.name, title: p.title, share: kept, min: p.minShare ?? 0.2 });
            expect(kept, `share of sequences where "${p.title}" applied`).toBeGreaterThanOrEqual(
              p.minShare ?? 0.2,
            );
          });
        }
      });
    }
  });
}
