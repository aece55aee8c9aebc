/**
 * `npm run bench`: measures, side by side in one run, and prints a table; writes
 * bench/RESULTS.md. `--quick` runs tiny sizes only, to check the bench still works (CI);
 * its numbers mean nothing.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { childLibssl, inProcessLibssl } from '../src/driver/implementations.js';
import { fixedSequences, lockstepRate } from './lockstep.js';
import { stepCost } from './step-cost.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [10, 100] : [1_000, 100_000];
const rounds = quick ? 50 : 20_000;

// Warm up the JIT on a small cache first.
stepCost(1_000, quick ? 10 : 5_000);
const rows = sizes.map((n) => stepCost(n, rounds));
const [small, large] = rows as [(typeof rows)[0], (typeof rows)[0]];
const ratio = large.nsPerStep / small.nsPerStep;

const sequences = fixedSequences(quick ? 5 : 300, 1);
const lockstepRows: string[] = [];
for (const [label, open] of [
  ['libssl in a child process', () => childLibssl()],
  ['libssl in process (koffi)', async () => inProcessLibssl()],
] as const) {
  const impl = await open();
  await lockstepRate(impl, sequences.slice(0, 20), true); // warm-up
  const without = await lockstepRate(impl, sequences, false);
  const withModel = await lockstepRate(impl, sequences, true);
  await impl.close();
  lockstepRows.push(
    `| ${label} | ${without.calls.toLocaleString('en')} | ${without.perSecond.toFixed(0)} | ${withModel.perSecond.toFixed(0)} | ${(withModel.perSecond / without.perSecond).toFixed(2)} |`,
  );
}

const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const lines = [
  '# Benchmark results',
  '',
  `- machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`,
  `- date: ${new Date().toISOString().slice(0, 10)}, commit ${commit}${quick ? ' (quick mode: not a measurement)' : ''}`,
  '',
  '## Model step cost by cache size (openssl-3.0)',
  '',
  'One mix of calls per round — a new session added to a full cache (evicting the tail), re-added, re-timed (re-sorted), counted, released, and a removal by key — run against a context already holding N sessions.',
  '',
  '| cached sessions | steps | ns per step |',
  '|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.n.toLocaleString('en')} | ${r.steps.toLocaleString('en')} | ${r.nsPerStep.toFixed(0)} |`,
  ),
  '',
  `Ratio of per-step cost at ${large.n.toLocaleString('en')} to ${small.n.toLocaleString('en')}: ${ratio.toFixed(2)}.`,
  '',
  '## Lockstep throughput, with and without the model',
  '',
  `The same ${sequences.length} generated sequences (seed 1), sent to the implementation with every answer judged by the model, and without (answers discarded).`,
  '',
  '| implementation | calls | calls/s without the model | calls/s with the model | ratio |',
  '|---|---:|---:|---:|---:|',
  ...lockstepRows,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!quick) writeFileSync(new URL('../../bench/RESULTS.md', import.meta.url), `${lines.join('\n')}\n`);
