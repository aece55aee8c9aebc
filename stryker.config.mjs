// @ts-check
/**
 * Mutation testing of the model: `npm run mutation` (not part of `npm test` or .ci/run).
 * Stryker mutates the whole of src/model with every mutator, type-checks each mutant (the
 * TypeScript checker drops those that do not compile), and runs on each only the tests that
 * cover it (perTest) from the files in vitest.mutation.config.ts, whose fast-check seeds are
 * fixed. The survivors and why they are left: test/mutation-survivors.md.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['src/model/**/*.ts'],
  coverageAnalysis: 'perTest',
  checkers: ['typescript'],
  // The checker compiles src/model alone: the whole project (tests, bench, examples) per mutant
  // group made it the bottleneck of the run.
  tsconfigFile: 'tsconfig.mutation.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Two test-runner workers on the two cores; the tests themselves run one file at a time.
  concurrency: 2,
  timeoutMS: 20_000,
  ignorePatterns: ['dist', 'reports', 'oracle-out', 'coverage', 'bench/out', 'examples/build', '*.cpuprofile'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
};
