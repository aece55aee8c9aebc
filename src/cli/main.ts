/**
 * The `session-oracle` command line. Exit codes: 0 no divergence, 1 a divergence or an
 * implementation failure (a finding), 2 a usage or setup error, 3 an internal error of the
 * oracle itself. Errors are one line on stderr, never a stack trace.
 *
 * @category cli
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { Command as Cli, InvalidArgumentError } from 'commander';
import { LEVELS, type Level } from '../gen/commands.js';
import { CLAUSES, isUndefinedClause } from '../model/clauses.js';
import type { ClauseId } from '../model/types.js';
import { modelOf } from '../model/model.js';
import { PROFILES } from '../model/profile.js';
import { type FuzzReport, fuzz, shardSeed } from '../oracle/fuzz.js';
import { describeDivergence, showCall } from '../oracle/judge.js';
import { regressionTest, reproC, traceOf } from '../trace/counterexample.js';
import { openCliImplementation, positiveInt, seedArg, selectProfile, UsageError } from './common.js';
import { registerTraceCommands } from './trace-commands.js';

export { positiveInt, seedArg, selectProfile, UsageError };

const shardArg = (v: string) => {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const [i, n] = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
  if (!m || n < 1 || i >= n)
    throw new InvalidArgumentError(`--shard must be I/N with 0 <= I < N, got "${v}"`);
  return { index: i, count: n };
};

interface FuzzCliOptions {
  lib?: string;
  exec?: string;
  profile?: string;
  runs: number;
  maxCalls?: number;
  level: Level;
  seed?: number;
  replay?: string;
  shard?: { index: number; count: number };
  out: string;
  json?: boolean;
  inProcess?: boolean;
  callTimeout: number;
}

const progress = (total: number, json: boolean) => {
  if (json) return { tick: (_n: number) => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: 'fuzz [{bar}] {value}/{total} sequences, {duration}s',
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { tick: (n: number) => bar.update(n), stop: () => bar.stop() };
  }
  let next = Math.ceil(total / 10);
  return {
    tick: (n: number) => {
      if (n >= next) {
        process.stderr.write(`fuzz: ${n}/${total} sequences\n`);
        next += Math.ceil(total / 10);
      }
    },
    stop: () => {},
  };
};

const summaryLines = (r: FuzzReport, impl: string, profile: string, maxCalls: number): string[] => [
  `session-oracle fuzz: ${impl} (profile ${profile})`,
  `seed ${r.seed}, runs ${r.runs}, max calls ${maxCalls}, level ${r.level}`,
  `sequences ${r.sequences}, calls ${r.calls}, clauses exercised ${r.exercised.length}/${r.exercisable.length}` +
    `, divergences ${r.counterexample ? 1 : 0}, time ${r.seconds.toFixed(1)} s`,
  ...(r.handshakes > 0
    ? [
        `handshakes ${r.handshakes} (${(r.handshakes / r.seconds).toFixed(0)} per second, with everything else)`,
      ]
    : []),
  ...(r.exercised.length < r.exercisable.length
    ? [`not exercised: ${r.exercisable.filter((c) => !r.exercised.includes(c)).join(' ')}`]
    : []),
  `(the ${(Object.keys(CLAUSES) as ClauseId[]).filter(isUndefinedClause).length} clauses about undefined behaviour are checked by the model alone: such calls are never sent)`,
];

const levelArg = (v: string): Level => {
  if (!(LEVELS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`--level must be one of ${LEVELS.join(', ')}, got "${v}"`);
  return v as Level;
};

/** Calls per sequence at most, by level: connection operations stand for many calls (bursts). */
const defaultMaxCalls = (level: Level): number => (level === 'object' ? 100 : 2000);

const runFuzz = async (opts: FuzzCliOptions): Promise<number> => {
  const o = { ...opts, maxCalls: opts.maxCalls ?? defaultMaxCalls(opts.level) };
  const seed = o.seed ?? (Math.random() * 2 ** 31) | 0;
  const shard = o.shard ?? { index: 0, count: 1 };
  const runs = Math.ceil(o.runs / shard.count);
  const effectiveSeed = shardSeed(seed, shard.index);
  const impl = await openCliImplementation(o);
  try {
    const { profile } = selectProfile(o.profile ?? impl.profile, impl.name);
    if (o.profile !== undefined && !o.json)
      process.stderr.write(`fuzz: profile ${profile.name} as named by --profile\n`);
    if (!o.json) {
      const shardNote =
        shard.count > 1 ? `, shard ${shard.index}/${shard.count} (seed ${effectiveSeed})` : '';
      process.stderr.write(`fuzz: seed ${seed}${shardNote}\n`);
    }
    const bar = progress(runs, o.json === true);
    const report = await fuzz(modelOf(profile), impl, {
      runs,
      maxCalls: o.maxCalls,
      level: o.level,
      seed: effectiveSeed,
      ...(o.replay === undefined ? {} : { replay: o.replay }),
      onSequence: bar.tick,
    });
    bar.stop();
    const lines = summaryLines(report, impl.name, profile.name, o.maxCalls);
    const cx = report.counterexample;
    let written: string[] = [];
    let finding: string | undefined;
    if (cx) {
      const dir = resolve(o.out, `seed-${effectiveSeed}`);
      mkdirSync(dir, { recursive: true });
      const header = {
        trace: 'session-oracle',
        version: 1,
        profile: profile.name,
        implementation: impl.name,
        seed: effectiveSeed,
        path: cx.path,
      } as const;
      const title = `session-oracle fuzz --seed ${effectiveSeed}: ${impl.name}`;
      writeFileSync(join(dir, 'trace.jsonl'), traceOf(header, cx.result));
      writeFileSync(join(dir, 'repro.c'), reproC(cx.result, title));
      writeFileSync(join(dir, 'regression.test.ts'), regressionTest(cx.result, title));
      written = ['trace.jsonl', 'repro.c', 'regression.test.ts'].map((f) => join(dir, f));
      const last = cx.result.steps.at(-1);
      const n = cx.result.steps.length + (cx.result.kind === 'failure' ? 1 : 0);
      finding =
        cx.result.kind === 'failure'
          ? `call ${n}: ${showCall(cx.result.cmd)}: implementation ${cx.result.failure.kind}: ${cx.result.failure.message}`
          : last?.verdict.kind === 'diverge'
            ? `call ${n}: ${describeDivergence(last.verdict)}`
            : `call ${n}: divergence`;
      lines.push(
        `${cx.result.kind === 'failure' ? 'IMPLEMENTATION FAILURE' : 'DIVERGENCE'} (shrunk in ${cx.shrinks} steps to ${n} calls):`,
        `  ${finding}`,
        ...cx.result.steps.map((s, i) => `    ${i + 1}. ${showCall(s.verdict.call)}`),
        `written: ${written.join(', ')}`,
        `replay: npx session-oracle fuzz --level ${o.level} --seed ${effectiveSeed} --replay '${cx.path}'${o.maxCalls !== defaultMaxCalls(o.level) ? ` --max-calls ${o.maxCalls}` : ''}`,
      );
    }
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({
          implementation: impl.name,
          profile: profile.name,
          seed: report.seed,
          runs: report.runs,
          level: o.level,
          maxCalls: o.maxCalls,
          sequences: report.sequences,
          calls: report.calls,
          handshakes: report.handshakes,
          exercised: report.exercised,
          exercisable: report.exercisable.length,
          divergences: cx ? 1 : 0,
          seconds: report.seconds,
          ...(cx ? { finding, kind: cx.result.kind, written, replay: cx.path } : {}),
        })}\n`,
      );
    } else {
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return cx ? 1 : 0;
  } finally {
    await impl.close();
  }
};

export const main = async (argv: string[]): Promise<number> => {
  const program = new Cli('session-oracle')
    .description('Executable reference model of the OpenSSL SSL_CTX session cache, and an oracle for it')
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `session-oracle: ${s}` : s),
    });
  let code = 0;
  program
    .command('fuzz')
    .description('run an implementation and the model in lockstep on generated call sequences')
    .option('--lib <path>', 'a shared library with the OpenSSL ABI (default: the system libssl.so.3)')
    .option('--exec <cmd>', 'a driver program speaking spec/driver-protocol.md on stdin/stdout')
    .option(
      '--profile <name>',
      `the model profile (${PROFILES.map((p) => p.name).join(', ')}); default: from the version`,
    )
    .option('--runs <n>', 'sequences to generate', positiveInt('--runs'), 1000)
    .option(
      '--level <level>',
      'what to generate: object (the SSL_CTX/SSL_SESSION API), handshake (connections), all',
      levelArg,
      'all' as Level,
    )
    .option(
      '--max-calls <k>',
      'calls per sequence at most (default: 100 at the object level, else 2000)',
      positiveInt('--max-calls'),
    )
    .option('--seed <s>', 'the seed (default: random, always printed)', seedArg)
    .option('--replay <path>', 'replay the counterexample path printed by an earlier run')
    .option('--shard <i/n>', 'run shard i of n of the campaign', shardArg)
    .option('--out <dir>', 'where counterexamples are written', 'oracle-out')
    .option(
      '--call-timeout <ms>',
      'time limit per call for a child implementation',
      positiveInt('--call-timeout'),
      5000,
    )
    .option(
      '--in-process',
      'load the library into this process instead of a child (faster, no crash isolation)',
    )
    .option('--json', 'print the summary as one JSON object')
    .action(async (o: FuzzCliOptions) => {
      code = await runFuzz(o);
    });
  registerTraceCommands(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (err.code === 'commander.help') return 0;
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) return 2;
    if (e instanceof UsageError) {
      process.stderr.write(`session-oracle: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`session-oracle: internal error: ${err.message ?? String(e)}\n`);
    return 3;
  }
};
