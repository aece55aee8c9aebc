/**
 * The meta-test: the spec, the properties and the broken variants must stay in step. It fails
 * when a clause defined in spec/ is named by no property, when a property names an undefined
 * clause, when a clause has no broken variant, or when a clause's properties still pass on the
 * variant of the model with exactly that rule broken.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLAUSES } from '../src/model/clauses.js';
import { PROFILES } from '../src/model/profile.js';
import { appliesTo, clausesOf, propertyOf, type Share } from './harness.js';
import { ALL_PROPERTIES } from './index.js';
import { readSpec } from './spec-index.js';
import { VARIANTS, variantsFor } from './variants.js';
import { EXPECTED } from './views.js';

const RUNS = Number(process.env.META_RUNS ?? 400);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);

const spec = readSpec();
const defined = new Set(spec.clauses.map((c) => c.id));
const named = new Set<string>(ALL_PROPERTIES.flatMap(clausesOf));

describe('spec, properties and variants agree', () => {
  it('every clause heading is well-formed and defined once', () => {
    expect(spec.malformed).toEqual([]);
    const seen = spec.clauses.map((c) => c.id);
    expect(seen.filter((id, i) => seen.indexOf(id) !== i)).toEqual([]);
    expect(spec.clauses.length).toBeGreaterThan(0);
  });

  it('every clause defined in spec/ is named by a property', () => {
    expect([...defined].filter((id) => !named.has(id))).toEqual([]);
  });

  it('every clause a property names is defined in spec/', () => {
    expect([...named].filter((id) => !defined.has(id))).toEqual([]);
  });

  it('every clause has exactly one broken variant, and every variant breaks a defined clause', () => {
    const broken = VARIANTS.map((v) => v.clause as string);
    expect([...defined].filter((id) => !broken.includes(id))).toEqual([]);
    expect(broken.filter((id) => !defined.has(id))).toEqual([]);
    expect(broken.filter((id, i) => broken.indexOf(id) !== i)).toEqual([]);
  });
});

for (const profile of PROFILES.filter((p) => p.name in EXPECTED)) {
  describe(`${profile.name}: each clause is caught on its broken variant`, () => {
    const variants = variantsFor(profile);
    it('every clause has exactly one variant', () => {
      const broken = variants.map((v) => v.clause as string);
      expect([...defined].filter((id) => !broken.includes(id))).toEqual([]);
      expect(broken.filter((id, i) => broken.indexOf(id) !== i)).toEqual([]);
    });
    for (const v of variants) {
      it(`${v.clause}: ${v.describe}`, () => {
        const props = ALL_PROPERTIES.filter(
          (p) => clausesOf(p).includes(v.clause) && appliesTo(p, profile.name),
        );
        expect(props.length).toBeGreaterThan(0);
        // The first property that fails is enough; no shrinking (only the verdict matters here).
        const failed: string[] = [];
        for (const p of props) {
          const share: Share = { runs: 0, hits: 0 };
          const r = fc.check(propertyOf(p, v.model, share), {
            seed: SEED,
            numRuns: RUNS,
            endOnFailure: true,
          });
          if (r.failed) {
            failed.push(p.title);
            break;
          }
        }
        expect(failed, `properties of ${v.clause} that fail on the variant`).not.toEqual([]);
      });
    }
  });
}

describe('the clause index in src/model/clauses.ts', () => {
  it('lists exactly the clauses spec/ defines, with their titles', () => {
    const fromSpec = Object.fromEntries(spec.clauses.map((c) => [c.id, c.title.replaceAll('`', '')]));
    expect(CLAUSES).toEqual(fromSpec);
  });
});
