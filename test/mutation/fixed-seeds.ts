/**
 * Set-up of the mutation run only (vitest.mutation.config.ts): every fast-check property that
 * does not name its own seed gets this one, so kills do not depend on the run. The properties
 * and tests in the mutation run all name their seeds today; this covers any added later.
 */
import fc from 'fast-check';

fc.configureGlobal({ seed: 20261122, numRuns: 300 });
