/**
 * Checking a trace (spec/trace-format.md) against the model, line by line: every call line is
 * judged exactly as the lockstep oracle judges a live call, a divergence is reported and the
 * check goes on with the model's first allowed branch, and malformed input ends the check with
 * one line naming the file, the line and the field.
 *
 * `TraceChecker` is the synchronous core (one line at a time, memory bounded by the model's
 * live objects); `checkTraceStream` feeds it from a stream through `readline`, so a trace of any
 * length is checked in flat memory; `checkTraceText` feeds it from a string (tests, fuzzing).
 *
 * @category trace
 */
import { createInterface } from 'node:readline';
import { type Readable, Transform } from 'node:stream';
import { parseLine } from '../driver/protocol.js';
import { CLAUSES, isUndefinedClause } from '../model/clauses.js';
import { type Model, modelOf } from '../model/model.js';
import { PROFILES, type Profile, profileByName } from '../model/profile.js';
import { initialState, type State } from '../model/state.js';
import type { ClauseId, Command, Observation, Outcome } from '../model/types.js';
import { describeDivergence, judge, showCall, type Verdict } from '../oracle/judge.js';
import { decodeTraceLine, type TraceHeader } from './format.js';

/** Something the check found about the implementation (exit code 1). */
export interface Finding {
  readonly kind: 'divergence' | 'failure' | 'stopped';
  readonly line: number;
  /** One line: `line 7: SSL_SESSION_set_time(s1, 5) returned 1, the model allows only 5 (§SESS-3)`. */
  readonly text: string;
  readonly clauses: readonly ClauseId[];
}

/** One judged call, for `explain`. */
export interface JudgedStep {
  readonly line: number;
  readonly cmd: Command;
  readonly observed: Observation;
  readonly verdict: Extract<Verdict, { kind: 'agree' | 'diverge' }>;
  /** The model's state after the call (the first branch's, after a divergence). */
  readonly state: State;
}

export interface CheckOptions {
  /** The file name used in messages. */
  readonly name: string;
  /** Judge by this profile instead of the header's. */
  readonly profile?: Profile;
  /** Called once the header is read, with the profile the trace is judged by. */
  readonly onHeader?: (header: TraceHeader, profile: Profile, overridden: boolean) => void;
  /** Called for each finding, as soon as it is found. */
  readonly onFinding?: (f: Finding) => void;
  /** Called for each judged call line. */
  readonly onStep?: (s: JudgedStep) => void;
  /** Called for each reset line. */
  readonly onReset?: (line: number) => void;
  /**
   * Asked after each line by `checkTraceStream`: a promise to wait for before reading on (the
   * output is full), or undefined.
   */
  readonly backpressure?: () => Promise<void> | undefined;
}

export interface CheckSummary {
  /** `malformed`: the input is not a trace the model can judge (exit code 2). */
  readonly verdict: 'conforms' | 'diverges' | 'malformed' | 'internal-error';
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly file: string;
  readonly header?: TraceHeader;
  /** The profile the trace was judged by. */
  readonly profile?: string;
  /** Lines read (the last line number reached). */
  readonly lines: number;
  /** Call lines judged (failure lines included). */
  readonly calls: number;
  readonly divergences: number;
  readonly failures: number;
  /** Sequences: 1 plus the reset lines. */
  readonly sequences: number;
  readonly exercised: readonly ClauseId[];
  readonly exercisable: number;
  /** For `malformed` and `internal-error`: one line, `FILE:LINE: field "…": …`. */
  readonly error?: string;
  readonly errorLine?: number;
}

const EXERCISABLE = (Object.keys(CLAUSES) as ClauseId[]).filter((c) => !isUndefinedClause(c));

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/** The handles a command names, with their fields. */
const handlesOf = (cmd: Command): [field: string, handle: string][] => {
  const out: [string, string][] = [];
  const c = cmd as unknown as Record<string, unknown>;
  if (typeof c.ctx === 'string') out.push(['ctx', c.ctx]);
  if (typeof c.s === 'string') out.push(['s', c.s]);
  return out;
};

/** Why a handle cannot be used in `state`, or undefined when it names a live object. */
const handleProblem = (state: State, field: string, h: string): string | undefined => {
  const session = h.startsWith('s');
  const what = session ? 'session' : 'context';
  const created = session ? state.sessionsCreated : state.ctxsCreated;
  if (Number(h.slice(1)) > created) {
    const last = created === 0 ? `no ${what} exists yet` : `the last one created is ${h[0]}${created}`;
    return `field "call.${field}": ${h} names a ${what} that was never created (${last})`;
  }
  const live = session ? state.sessions.has(h as `s${number}`) : state.ctxs.has(h as `c${number}`);
  if (!live)
    return `field "call.${field}": ${h} names a ${what} that was already freed (use after free, §UB-1)`;
  return undefined;
};

/** Thrown to end the check on malformed input. */
class Malformed {
  constructor(readonly message: string) {}
}
/** Thrown to end the check when the model cannot follow the trace after a divergence. */
class Stopped {
  constructor(readonly message: string) {}
}

/** The synchronous core: feed it lines in order, then `finish`. */
export class TraceChecker {
  private header: TraceHeader | undefined;
  private headerLine = 0;
  private model: Model | undefined;
  private state: State = initialState;
  private lines = 0;
  private calls = 0;
  private divergences = 0;
  private failures = 0;
  private sequences = 1;
  /** The line of the first divergence of the current sequence, or 0. */
  private divergedAt = 0;
  private readonly exercised = new Set<ClauseId>();
  private error: { message: string; line: number; code: 2 | 3 } | undefined;
  private stopped = false;

  constructor(private readonly opts: CheckOptions) {}

  /** False once the check has ended (malformed input or a trace the model cannot follow). */
  get open(): boolean {
    return this.error === undefined && !this.stopped;
  }

  /** Judges line `n` (1-based) of the trace; returns `open`. */
  line(text: string, n: number): boolean {
    if (!this.open) return false;
    this.lines = n;
    try {
      this.lineUnsafe(text, n);
    } catch (e) {
      if (e instanceof Malformed)
        this.error = { message: `${this.opts.name}:${n}: ${e.message}`, line: n, code: 2 };
      else if (e instanceof Stopped) {
        this.stopped = true;
        this.report({ kind: 'stopped', line: n, text: `line ${n}: ${e.message}`, clauses: [] });
      } else {
        const msg = oneLine(e instanceof Error ? e.message : String(e));
        this.error = { message: `${this.opts.name}:${n}: internal error: ${msg}`, line: n, code: 3 };
      }
    }
    return this.open;
  }

  /**
   * Ends the check. `truncated` is the number of the last line when it had no newline: the file
   * was cut, and that line is not judged.
   */
  finish(truncated?: number): CheckSummary {
    if (this.open && truncated !== undefined) {
      this.lines = truncated;
      this.error = {
        message: `${this.opts.name}:${truncated}: truncated: the last line does not end with a newline (the file was cut)`,
        line: truncated,
        code: 2,
      };
    }
    if (this.open && this.header === undefined) {
      this.error = {
        message: `${this.opts.name}:${this.lines + 1}: field "trace": missing header: the trace is empty`,
        line: this.lines + 1,
        code: 2,
      };
    }
    const found = this.divergences + this.failures > 0 || this.stopped;
    const verdict = this.error
      ? this.error.code === 2
        ? 'malformed'
        : 'internal-error'
      : found
        ? 'diverges'
        : 'conforms';
    return {
      verdict,
      exitCode: this.error ? this.error.code : found ? 1 : 0,
      file: this.opts.name,
      ...(this.header === undefined ? {} : { header: this.header }),
      ...(this.model === undefined ? {} : { profile: this.model.profile.name }),
      lines: this.lines,
      calls: this.calls,
      divergences: this.divergences,
      failures: this.failures,
      sequences: this.sequences,
      exercised: EXERCISABLE.filter((c) => this.exercised.has(c)),
      exercisable: EXERCISABLE.length,
      ...(this.error === undefined ? {} : { error: this.error.message, errorLine: this.error.line }),
    };
  }

  private report(f: Finding): void {
    this.opts.onFinding?.(f);
  }

  private lineUnsafe(text: string, n: number): void {
    if (text.trim() === '') return;
    const parsed = parseLine(text, 'line');
    if (!parsed.ok) throw new Malformed(parsed.error.replace(/^line: /, ''));
    const obj = parsed.value as Record<string, unknown>;
    const decoded = decodeTraceLine(obj);
    if (this.header === undefined) {
      if (decoded.ok && decoded.value.kind === 'header') {
        this.readHeader(decoded.value.header);
        return;
      }
      if (!decoded.ok && (Object.hasOwn(obj, 'trace') || Object.hasOwn(obj, 'version'))) {
        throw new Malformed(decoded.error);
      }
      throw new Malformed(
        `field "trace": missing header: the first line must be {"trace":"session-oracle","version":1,…}`,
      );
    }
    if (!decoded.ok) throw new Malformed(decoded.error);
    const l = decoded.value;
    switch (l.kind) {
      case 'header':
        throw new Malformed(`field "trace": a second header (the header is line ${this.headerLine})`);
      case 'reset':
        this.state = initialState;
        this.divergedAt = 0;
        this.sequences++;
        this.opts.onReset?.(n);
        return;
      case 'failure': {
        this.checkHandles(l.line.call);
        this.calls++;
        this.failures++;
        const f = l.line.failure;
        this.report({
          kind: 'failure',
          line: n,
          text: `line ${n}: ${showCall(l.line.call)}: implementation ${f.kind}: ${oneLine(f.message)}`,
          clauses: [],
        });
        return;
      }
      case 'call': {
        const { call: cmd, ret, events, now, later, ids } = l.line;
        this.checkHandles(cmd);
        const outcome: Outcome = { ret, events };
        const observed: Observation =
          now === undefined
            ? { outcome }
            : {
                outcome,
                now,
                ...(later === undefined ? {} : { later }),
                ...(ids === undefined ? {} : { ids }),
              };
        const model = this.model as Model;
        const v = judge(model, this.state, cmd, observed);
        if (v.kind === 'undefined') {
          const msg = `${showCall(v.call)} is undefined in the model: ${v.reason} (${v.clauses.join(' ')})`;
          if (this.divergedAt > 0) throw new Stopped(this.cannotFollow(msg));
          throw new Malformed(`field "call": ${msg}; a trace holds only defined calls`);
        }
        this.calls++;
        for (const c of v.clauses) this.exercised.add(c);
        if (v.kind === 'diverge') {
          this.divergences++;
          if (this.divergedAt === 0) this.divergedAt = n;
          this.report({
            kind: 'divergence',
            line: n,
            text: `line ${n}: ${describeDivergence(v)}`,
            clauses: v.clauses,
          });
        }
        this.state = v.state;
        this.opts.onStep?.({ line: n, cmd, observed, verdict: v, state: v.state });
        return;
      }
    }
  }

  private cannotFollow(msg: string): string {
    return `the model cannot follow the trace further: ${msg} (after the divergence at line ${this.divergedAt}, the check follows the model's outcome, not the implementation's)`;
  }

  private checkHandles(cmd: Command): void {
    for (const [field, h] of handlesOf(cmd)) {
      const problem = handleProblem(this.state, field, h);
      if (problem === undefined) continue;
      if (this.divergedAt > 0) throw new Stopped(this.cannotFollow(problem));
      throw new Malformed(problem);
    }
  }

  private readHeader(h: TraceHeader): void {
    this.header = h;
    this.headerLine = this.lines;
    const named = profileByName(h.profile);
    const profile = this.opts.profile ?? named;
    if (profile === undefined) {
      throw new Malformed(
        `field "profile": unknown profile ${JSON.stringify(h.profile)} (known: ${PROFILES.map((p) => p.name).join(', ')}; or name one with --profile)`,
      );
    }
    this.model = modelOf(profile);
    this.opts.onHeader?.(h, profile, this.opts.profile !== undefined);
  }
}

/** Checks a whole trace held in a string. Lines end at `\n`, `\r\n` or `\r`, as with `readline`. */
export const checkTraceText = (
  text: string,
  name: string,
  opts: Omit<CheckOptions, 'name'> = {},
): CheckSummary => {
  const checker = new TraceChecker({ ...opts, name });
  const parts = text.split(/\r\n|\n|\r/);
  // The piece after the last line ending: empty for a complete file, the cut line otherwise.
  const last = parts.pop() ?? '';
  let n = 0;
  for (const p of parts) if (!checker.line(p, ++n)) break;
  return checker.finish(last === '' || !checker.open ? undefined : n + 1);
};

/**
 * Checks a trace read from a stream, line by line through `readline`: memory stays flat however
 * long the trace. A last line without a newline is reported as a truncated file. Stops reading
 * at malformed input.
 */
export const checkTraceStream = async (input: Readable, opts: CheckOptions): Promise<CheckSummary> => {
  let lastByte = -1;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number;
      done(null, chunk);
    },
  });
  input.on('error', (e) => tap.destroy(e));
  input.pipe(tap);
  const rl = createInterface({ input: tap, crlfDelay: Number.POSITIVE_INFINITY });
  const checker = new TraceChecker(opts);
  // One line of look-ahead: only at the end is it known whether the last line had a newline.
  let pending: string | undefined;
  let n = 0;
  try {
    for await (const line of rl) {
      if (pending !== undefined && !checker.line(pending, n)) break;
      pending = line;
      n++;
      const wait = opts.backpressure?.();
      if (wait !== undefined) await wait;
    }
  } finally {
    rl.close();
    input.unpipe(tap);
    if ('destroy' in input && typeof input.destroy === 'function') input.destroy();
  }
  if (pending !== undefined && checker.open) {
    const complete = lastByte === 0x0a || lastByte === 0x0d;
    if (complete) checker.line(pending, n);
    return checker.finish(complete ? undefined : n);
  }
  return checker.finish();
};
