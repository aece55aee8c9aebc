/**
 * `npm run bench`: measures, side by side in one run, and prints a table; writes
 * bench/RESULTS.md. `--quick` runs tiny sizes only, to check the bench still works (CI);
 * its numbers mean nothing. The trace section runs the built CLI (`npm run build` first;
 * `npm run bench` does it). Options:
 *   --quick           everything tiny
 *   --10m             also record and check a 10,000,000-call trace (about 5 min to record)
 *   --reuse-traces    reuse traces already recorded by an earlier run in the trace directory
 *   --fill-budget S   give up filling the pure model after S seconds (default 180)
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MutableCache } from '../examples/mutable-cache.js';
import { childLibssl, inProcessLibssl } from '../src/driver/implementations.js';
import { InProcessDriver } from '../src/driver/inprocess.js';
import { type HandshakeRow, handshakeRates } from './handshakes.js';
import { fixedSequences, lockstepRate } from './lockstep.js';
import { agreesWithModel, type ThroughputRow, throughputAt } from './server-mix.js';
import { shrinkTime } from './shrink.js';
import { stepCost } from './step-cost.js';
import { type CheckRow, checkVsFloor, recordTrace } from './trace-check.js';

const quick = process.argv.includes('--quick');
const with10m = process.argv.includes('--10m') && !quick;
const reuseTraces = process.argv.includes('--reuse-traces');
const fillBudgetArg = process.argv.indexOf('--fill-budget');
const fillBudget = fillBudgetArg > 0 ? Number(process.argv[fillBudgetArg + 1]) : 180;
const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
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

// ---- Handshakes through the lockstep ----
const handshakeRows: { label: string; row: HandshakeRow }[] = [];
for (const [label, open] of [
  ['libssl in a child process', () => childLibssl()],
  ['libssl in process (koffi)', async () => inProcessLibssl()],
] as const) {
  const impl = await open();
  for (const row of await handshakeRates(impl, quick ? 5 : 1_000)) handshakeRows.push({ label, row });
  await impl.close();
}

// ---- Server mix: pure model vs mutable example vs libssl (koffi) ----
const mixSizes = quick ? [10, 50, 200] : [1_000, 20_480, 1_000_000];
const mixOps = quick ? 200 : 100_000;
for (const [label, impl] of [
  ['mutable example', new MutableCache(() => 1_700_000_000n)],
  ['libssl in process', InProcessDriver.open()],
] as const) {
  const judged = agreesWithModel(impl, quick ? 20 : 1_000, quick ? 200 : 20_000);
  log(`server mix: ${label} agrees with the model on ${judged} calls`);
}
throughputAt(1_000, quick ? 50 : 20_000, () => InProcessDriver.open(), fillBudget); // warm-up
const mixRows: ThroughputRow[] = [];
for (const n of mixSizes) {
  log(`server mix at ${n}`);
  mixRows.push(...throughputAt(n, mixOps, () => InProcessDriver.open(), fillBudget));
}
const rate = (impl: string, n: number): number | null =>
  mixRows.find((r) => r.impl === impl && r.n === n)?.perSecond ?? null;
const fmtRatio = (a: number | null, b: number | null): string =>
  a === null || b === null ? 'n/a' : (a / b).toFixed(2);
const [m0, m1, m2] = mixSizes as [number, number, number];
const modelVsMutable = fmtRatio(rate('pure model', m1), rate('mutable example', m1));
// Per-call cost at the largest size over the smallest = rate(small) / rate(large).
const modelScaling = fmtRatio(rate('pure model', m0), rate('pure model', m2));

// ---- Trace checking vs the floor ----
const traceDir = join(tmpdir(), 'session-oracle-bench');
mkdirSync(traceDir, { recursive: true });
const traces: [string, number, number][] = quick
  ? [
      ['small', 20, 5],
      ['larger', 20, 50],
    ]
  : [['1M', 100, 10_000], ...(with10m ? ([['10M', 100, 100_000]] as [string, number, number][]) : [])];
const checkRows: CheckRow[] = [];
const recordNotes: string[] = [];
for (const [label, calls, sequences] of traces) {
  const file = join(traceDir, `trace-${calls}x${sequences}.jsonl`);
  if (!(reuseTraces && existsSync(file))) {
    log(`recording ${label} trace`);
    const s = recordTrace(file, calls, sequences);
    recordNotes.push(`${label}: recorded in ${s.toFixed(0)} s`);
  } else {
    recordNotes.push(`${label}: reused (recorded earlier by the same command)`);
  }
  log(`checking ${label} trace`);
  checkRows.push(checkVsFloor(label, file, calls * sequences));
}
const rss = (r: CheckRow): string =>
  r.check.maxRssKiB === null ? 'n/a' : `${(r.check.maxRssKiB / 1024).toFixed(0)} MiB`;
const rssRatio =
  checkRows.length > 1 && checkRows[0]?.check.maxRssKiB && checkRows[1]?.check.maxRssKiB
    ? (checkRows[1].check.maxRssKiB / checkRows[0].check.maxRssKiB).toFixed(2)
    : 'n/a (no 10M trace in this run)';

// ---- Shrinking ----
log('shrinking');
const shrinkBudget = quick ? 30 : 60;
const shrink = await shrinkTime(quick ? 60 : 1_000, quick ? 30 : 500, 1, shrinkBudget);

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
  '## Handshakes through the lockstep (TLS 1.2, session ids)',
  '',
  'Fixed sequences (bench/handshakes.ts): full handshakes, each between a new client and a new server (ECDSA P-256), shut down and freed; and resumptions by one client and one server, shut down and cleared in between. Sent with every answer judged by the model, and without.',
  '',
  '| implementation | kind | handshakes | per second without the model | per second with the model | ratio |',
  '|---|---|---:|---:|---:|---:|',
  ...handshakeRows.map(
    ({ label, row }) =>
      `| ${label} | ${row.kind} | ${row.handshakes.toLocaleString('en')} | ${row.withoutModel.toFixed(0)} | ${row.withModel.toFixed(0)} | ${(row.withModel / row.withoutModel).toFixed(2)} |`,
  ),
  '',
  '## Server mix: pure model, mutable example, libssl (koffi)',
  '',
  `One generated stream of ${mixOps.toLocaleString('en')} operations (bench/server-mix.ts: 60 % adds of new sessions, each evicting the tail of the full cache; 20 % lookups through remove and 15 % through add, of recent ids; 5 % counts; a flush expiring the oldest few every 500 operations), sent to each implementation after filling its cache to N sessions (the pure model call by call through its step function). Before timing, the mutable example and libssl are judged against the model on the same kind of stream.`,
  '',
  '| cached sessions | implementation | fill (s) | calls | calls/s | µs per call |',
  '|---:|---|---:|---:|---:|---:|',
  ...mixRows.map(
    (r) =>
      `| ${r.n.toLocaleString('en')} | ${r.impl} | ${r.fillSeconds === null ? 'n/a' : r.fillSeconds.toFixed(1)} | ${r.calls.toLocaleString('en')} | ${r.perSecond === null ? `n/a (${r.note})` : r.perSecond.toFixed(0)} | ${r.perSecond === null ? 'n/a' : (1e6 / r.perSecond).toFixed(2)} |`,
  ),
  '',
  `- pure model / mutable example throughput at ${m1.toLocaleString('en')}: ${modelVsMutable} (target ≥ 0.33)`,
  `- pure model per-call cost at ${m2.toLocaleString('en')} / at ${m0.toLocaleString('en')}: ${modelScaling} (target ≤ 2)`,
  `- mutable example per-call cost at ${m2.toLocaleString('en')} / at ${m0.toLocaleString('en')}: ${fmtRatio(rate('mutable example', m0), rate('mutable example', m2))}`,
  `- libssl per-call cost at ${m2.toLocaleString('en')} / at ${m0.toLocaleString('en')}: ${fmtRatio(rate('libssl in process (koffi)', m0), rate('libssl in process (koffi)', m2))}`,
  `- pure model / libssl throughput at ${m1.toLocaleString('en')}: ${fmtRatio(rate('pure model', m1), rate('libssl in process (koffi)', m1))}`,
  '',
  '## Trace checking end to end',
  '',
  `\`node bin/session-oracle.js check FILE\` on traces recorded at bench time (\`record --in-process --seed 1 --calls C --sequences K\`), against the floor of reading the same file with readline and JSON.parse-ing each line (bench/read-floor.ts). Wall time and peak RSS from \`/usr/bin/time -v\`. ${recordNotes.join('; ')}.${with10m || quick ? '' : ' The 10M trace was not part of this run (`--10m`).'}`,
  '',
  '| trace | calls | MB | check (s) | floor (s) | check / floor | check calls/s | check peak RSS | floor peak RSS |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...checkRows.map(
    (r) =>
      `| ${r.label} | ${r.calls.toLocaleString('en')} | ${(r.bytes / 1e6).toFixed(0)} | ${r.check.seconds.toFixed(1)} | ${r.floor.seconds.toFixed(1)} | ${(r.check.seconds / r.floor.seconds).toFixed(2)} | ${(r.calls / r.check.seconds).toFixed(0)} | ${rss(r)} | ${r.floor.maxRssKiB === null ? 'n/a' : `${(r.floor.maxRssKiB / 1024).toFixed(0)} MiB`} |`,
  ),
  '',
  `- check / floor: target ≤ 3; peak RSS of the larger trace's check / the smaller's: ${rssRatio} (target ≤ 1.2)`,
  '',
  '## Shrinking a late divergence',
  '',
  `\`fuzz\` (seed 1, max calls ${quick ? 60 : 1_000}) against the mutable example with a planted bug: from its ${quick ? 30 : 500}th call of a sequence on, \`SSL_CTX_sess_number\` answers one too many (bench/shrink.ts). Shrinking is time-boxed at ${shrinkBudget} s${shrink.capped ? ' and hit the box: the shrunk size is the smallest failing sequence seen by then, not a minimum' : ' and finished within it'}.`,
  '',
  '| first failure at call | sequences to find it | search (s) | shrink (s) | shrink steps | shrunk sequence (calls) |',
  '|---:|---:|---:|---:|---:|---:|',
  `| ${shrink.firstFailureAt ?? 'n/a'} | ${shrink.sequences} | ${shrink.searchSeconds.toFixed(1)} | ${shrink.shrinkSeconds.toFixed(1)} | ${Number.isNaN(shrink.shrinks) ? 'n/a' : shrink.shrinks} | ${shrink.shrunkCalls} |`,
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);
if (!quick) writeFileSync(new URL('../../bench/RESULTS.md', import.meta.url), `${lines.join('\n')}\n`);
