/**
 * The trace subcommands (spec/trace-format.md):
 *
 * - `check TRACE`: judges a trace against the model, streaming; exit 0 conforming, 1 divergent
 *   (or an implementation failure recorded in it), 2 malformed input;
 * - `explain TRACE`: the same walk, printing for each call what the model did and why;
 * - `record`: runs generated sequences against an implementation and writes their trace.
 *
 * @category cli
 */
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Command as Cli } from 'commander';
import { modelOf } from '../model/model.js';
import { PROFILES, type Profile } from '../model/profile.js';
import { type CheckSummary, checkTraceStream, type Finding } from '../trace/check.js';
import { explainStep } from '../trace/explain.js';
import {
  TRACE_FORMAT,
  TRACE_VERSION,
  type TraceHeader,
  type TraceLine,
  traceLineText,
} from '../trace/format.js';
import { record } from '../trace/record.js';
import {
  type ImplementationCliOptions,
  namedProfile,
  openCliImplementation,
  positiveInt,
  seedArg,
  selectProfile,
  UsageError,
} from './common.js';

/** Whether stdout asked to be drained. */
let stdoutFull = false;
const out = (s: string): void => {
  if (!process.stdout.write(s)) stdoutFull = true;
};
/** A promise that resolves once stdout has drained, when it is full. */
const stdoutDrained = (): Promise<void> | undefined => {
  if (!stdoutFull) return undefined;
  stdoutFull = false;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
};
/** A reader that closes the pipe (`explain … | head`) ends the output quietly. */
const quietOnClosedPipe = (): void => {
  if (process.stdout.listenerCount('error') > 0) return;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
};
const err = (s: string): void => {
  process.stderr.write(s);
};

/** The input stream of a trace path (`-` is stdin); an unreadable file is a usage error. */
const openTrace = (path: string): Readable => {
  if (path === '-') return process.stdin;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`cannot read trace ${path}: ${code}`);
  }
  return createReadStream('', { fd, highWaterMark: 1 << 16 });
};

const summaryLine = (s: CheckSummary): string =>
  `lines ${s.lines}, calls ${s.calls}${s.sequences > 1 ? `, sequences ${s.sequences}` : ''}, divergences ${s.divergences}` +
  `${s.failures > 0 ? `, implementation failures ${s.failures}` : ''}, clauses exercised ${s.exercised.length}/${s.exercisable}: ` +
  (s.verdict === 'conforms' ? 'conforms' : 'DIVERGES');

/** How many findings `--json` lists (the counts are always complete). */
const JSON_FINDINGS = 1000;

interface TraceCliOptions {
  profile?: string;
  json?: boolean;
}

const walkTrace = async (path: string, o: TraceCliOptions, explain: boolean): Promise<number> => {
  const profile: Profile | undefined = o.profile === undefined ? undefined : namedProfile(o.profile);
  const input = openTrace(path);
  const findings: Finding[] = [];
  const verb = explain ? 'explain' : 'check';
  quietOnClosedPipe();
  const summary = await checkTraceStream(input, {
    name: path,
    backpressure: stdoutDrained,
    ...(profile === undefined ? {} : { profile }),
    onHeader: (h, p, overridden) => {
      if (overridden) err(`${verb}: profile ${p.name} as named by --profile (the trace says ${h.profile})\n`);
      if (explain) {
        const seed = h.seed === undefined ? '' : `, seed ${h.seed}`;
        out(`${path}: ${h.implementation} (profile ${p.name}${seed})\n`);
      }
    },
    onFinding: (f) => {
      if (o.json) {
        if (findings.length < JSON_FINDINGS) findings.push(f);
      } else if (!explain || f.kind !== 'divergence') out(`${f.text}\n`);
    },
    ...(explain
      ? {
          onStep: (s) => out(`${explainStep(s).join('\n')}\n`),
          onReset: (n) => out(`line ${n}: reset: every object freed, handles restart at s1 and c1\n`),
        }
      : {}),
  });
  if (summary.error !== undefined) err(`session-oracle: ${summary.error}\n`);
  if (o.json) {
    out(
      `${JSON.stringify({
        file: path,
        implementation: summary.header?.implementation,
        profile: summary.profile,
        verdict: summary.verdict,
        exitCode: summary.exitCode,
        lines: summary.lines,
        calls: summary.calls,
        sequences: summary.sequences,
        divergences: summary.divergences,
        failures: summary.failures,
        exercised: summary.exercised,
        exercisable: summary.exercisable,
        findings: findings.map((f) => ({ line: f.line, kind: f.kind, clauses: f.clauses, text: f.text })),
        ...(summary.error === undefined ? {} : { error: summary.error, errorLine: summary.errorLine }),
      })}\n`,
    );
  } else if (summary.exitCode <= 1) {
    if (!explain && summary.header) {
      out(`${path}: ${summary.header.implementation} (profile ${summary.profile})\n`);
    }
    out(`${summaryLine(summary)}\n`);
  }
  return summary.exitCode;
};

/** Buffered output of trace lines to a file or stdout. */
class LineSink {
  private chunks: string[] = [];
  private size = 0;
  private readonly fd: number | undefined;

  constructor(path: string | undefined) {
    if (path === undefined || path === '-') return;
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }

  write(l: TraceLine): void {
    const text = `${traceLineText(l)}\n`;
    this.chunks.push(text);
    this.size += text.length;
  }

  async flush(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < 1 << 16)) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    if (this.fd !== undefined) {
      writeSync(this.fd, data);
      return;
    }
    if (!process.stdout.write(data)) {
      await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
    }
  }

  async close(): Promise<void> {
    await this.flush(true);
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

interface RecordCliOptions extends ImplementationCliOptions {
  profile?: string;
  seed?: number;
  calls: number;
  sequences: number;
  out?: string;
}

const runRecord = async (o: RecordCliOptions): Promise<number> => {
  const impl = await openCliImplementation(o);
  try {
    const { profile } = selectProfile(o.profile ?? impl.profile, impl.name);
    const seed = o.seed ?? (Math.random() * 2 ** 31) | 0;
    err(`record: seed ${seed}, ${impl.name} (profile ${profile.name})\n`);
    const header: TraceHeader = {
      trace: TRACE_FORMAT,
      version: TRACE_VERSION,
      profile: profile.name,
      implementation: impl.name,
      seed,
      command: `session-oracle record --seed ${seed} --calls ${o.calls}${o.sequences > 1 ? ` --sequences ${o.sequences}` : ''}`,
    };
    if (o.out === undefined || o.out === '-') quietOnClosedPipe();
    const sink = new LineSink(o.out);
    let report: Awaited<ReturnType<typeof record>>;
    try {
      report = await record({
        model: modelOf(profile),
        impl,
        header,
        seed,
        calls: o.calls,
        sequences: o.sequences,
        write: (l) => sink.write(l),
        afterSequence: () => sink.flush(),
        onFinding: (text) => err(`record: ${text}\n`),
      });
    } finally {
      await sink.close();
    }
    const found = report.divergences + report.failures;
    err(
      `record: ${report.calls} calls in ${report.sequences} sequence${report.sequences > 1 ? 's' : ''}` +
        `${o.out === undefined || o.out === '-' ? '' : ` written to ${o.out}`}` +
        `, divergences ${report.divergences}${report.failures > 0 ? `, implementation failures ${report.failures}` : ''}\n`,
    );
    return found > 0 ? 1 : 0;
  } finally {
    await impl.close();
  }
};

/** Adds `check`, `explain` and `record` to the program; `setCode` receives the exit code. */
export const registerTraceCommands = (program: Cli, setCode: (code: number) => void): void => {
  const profiles = PROFILES.map((p) => p.name).join(', ');
  program
    .command('check')
    .description(
      'judge a trace (spec/trace-format.md) against the model; exit 0 conforms, 1 diverges, 2 malformed',
    )
    .argument('<trace>', 'the trace file (JSON Lines), or - for stdin')
    .option('--profile <name>', `judge by this profile (${profiles}) instead of the header's`)
    .option('--json', 'print the verdict as one JSON object')
    .action(async (path: string, o: TraceCliOptions) => {
      setCode(await walkTrace(path, o, false));
    });
  program
    .command('explain')
    .description('walk a trace call by call: the outcome, the clauses that applied, the caches after')
    .argument('<trace>', 'the trace file (JSON Lines), or - for stdin')
    .option('--profile <name>', `explain by this profile (${profiles}) instead of the header's`)
    .action(async (path: string, o: TraceCliOptions) => {
      setCode(await walkTrace(path, o, true));
    });
  program
    .command('record')
    .description('run generated call sequences against an implementation and write their trace')
    .option('--lib <path>', 'a shared library with the OpenSSL ABI (default: the system libssl.so.3)')
    .option('--exec <cmd>', 'a driver program speaking spec/driver-protocol.md on stdin/stdout')
    .option('--in-process', 'load the library into this process instead of a child')
    .option('--profile <name>', `the model profile (${profiles}); default: from the version`)
    .option('--seed <s>', 'the seed (default: random, always printed)', seedArg)
    .option('--calls <n>', 'calls per sequence', positiveInt('--calls'), 100)
    .option('--sequences <k>', 'sequences, separated by reset lines', positiveInt('--sequences'), 1)
    .option('--out <file>', 'where the trace goes (default: stdout)')
    .option(
      '--call-timeout <ms>',
      'time limit per call for a child implementation',
      positiveInt('--call-timeout'),
      5000,
    )
    .action(async (o: RecordCliOptions) => {
      setCode(await runRecord(o));
    });
};
