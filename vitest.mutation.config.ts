/**
 * The vitest configuration of the mutation run (`npm run mutation`, stryker.config.mjs), not of
 * `npm test`. It runs only the test files that exercise src/model, in-process (Stryker activates
 * mutants in the process that runs the tests), pins every fast-check seed and run count so a
 * mutant is killed, or survives, the same way on every run, and runs the files cheapest first:
 * Stryker stops at a mutant's first failing test, so the quick files kill most mutants before the
 * slow ones (the fuzz campaigns) load.
 */
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files of the mutation run, in the order they run: quick and broad first. Left out:
 * the tests of the drivers, the C shims and the command line, which exercise code outside the
 * model and partly run it in child processes (where no mutant is active), and
 * test/zoo.test.ts, whose verdicts depend on the wall clock (the mutable cache reads it, and some
 * members are caught only when a second ticks at the right call), so it would kill mutants at
 * random; it killed no other mutant in the full run.
 */
export const MUTATION_TESTS = [
  'test/libssl-scenarios.test.ts',
  'test/profile-111.test.ts',
  'test/golden.test.ts',
  'test/lhash.test.ts',
  'test/time-rules.test.ts',
  'properties/properties.test.ts',
  'properties/meta.test.ts',
  'test/trace-check.test.ts',
  'test/trace-format.test.ts',
  'test/lockstep.test.ts',
  'test/trace-fuzz.test.ts',
];

class ListOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => MUTATION_TESTS.indexOf(relative(process.cwd(), f.moduleId));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: MUTATION_TESTS,
    setupFiles: ['test/mutation/fixed-seeds.ts'],
    // The seeds and run counts properties.test.ts and meta.test.ts read, fixed whatever the shell says.
    env: { PROPERTY_SEED: '20261122', PROPERTY_RUNS: '300', META_RUNS: '400' },
    sequence: { sequencer: ListOrder },
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
