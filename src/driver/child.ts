/**
 * Out-of-process driver: runs an implementation in a child process that speaks the driver
 * protocol (spec/driver-protocol.md) on its stdin/stdout, so that a crash, a hang or garbage
 * output of the implementation is a finding instead of the end of the oracle.
 *
 * `ChildDriver.spawn(argv)` starts any driver program (written in any language) and performs the
 * hello handshake; `spawnLibsslDriver()` starts this package's own driver for a real libssl
 * (`child-main`). Calls are sent one at a time: each waits for the previous answer.
 *
 * Failures of a call reject with an {@link ImplementationFailure}:
 * - `crash`: the process exited or was killed by a signal;
 * - `hang`: no answer within the per-call time limit (the process is killed);
 * - `protocol`: a malformed line or answer (the process is killed);
 * - `error`: an error answer (the process stays alive and in step; `reset` and go on).
 * After `crash`, `hang` or `protocol` the driver is dead and every later call rejects with the
 * same failure: the caller starts a fresh process with `respawn()` (same argv and options) or
 * `spawn`. Failures to start reject with a {@link DriverSetupError}. All messages are one line.
 *
 * @category driver
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command, Observation } from '../model/types.js';
import {
  decodeAnswer,
  decodeWith,
  encodeCall,
  encodeHello,
  encodeReset,
  HelloAnswerC,
  PROTOCOL_VERSION,
  parseLine,
  toObservation,
} from './protocol.js';

/** The driver process could not be started or refused to start. The message is one line. */
export class DriverSetupError extends Error {
  override readonly name = 'DriverSetupError';
}

/** How an implementation failed a call. */
export type FailureKind = 'crash' | 'hang' | 'protocol' | 'error';

/** Details of an {@link ImplementationFailure}. */
export interface FailureDetail {
  /** The message id of the call (or reset) that failed. */
  readonly callId?: number;
  /** The command's C function name, or `reset`. */
  readonly fn?: string;
  /** For `crash`: the exit status, or null when killed by a signal. */
  readonly exitCode?: number | null;
  /** For `crash`: the signal that ended the process, or null. */
  readonly signal?: NodeJS.Signals | null;
  /** The last lines the process wrote to stderr, joined into one line (may be empty). */
  readonly stderr?: string;
}

/** The implementation failed a call; a finding at that call. The message is one line. */
export class ImplementationFailure extends Error {
  override readonly name = 'ImplementationFailure';
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly detail: FailureDetail = {},
  ) {
    super(message);
  }
}

/** Options of {@link ChildDriver.spawn}. */
export interface ChildDriverOptions {
  /** Time limit of one call, in milliseconds (default 5000). */
  readonly callTimeoutMs?: number;
  /** Time limit of the hello handshake, in milliseconds (default max(10000, callTimeoutMs)). */
  readonly startTimeoutMs?: number;
  /** Time `close` waits for the process to exit after closing its stdin (default 2000 ms). */
  readonly closeGraceMs?: number;
  /** The process's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  /** The process's working directory (default: this process's). */
  readonly cwd?: string;
}

const STDERR_KEEP = 16 * 1024;
const MAX_LINE = 64 * 1024 * 1024;

/** The waiting call: what it is, and how to settle it. */
interface Pending {
  readonly id: number;
  readonly fn: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: ImplementationFailure) => void;
  readonly timer: NodeJS.Timeout;
}

const oneLine = (s: string, max = 300): string => {
  const t = s.replace(/\s*\n\s*/g, ' | ').trim();
  return t.length > max ? `${t.slice(0, max - 3)}...` : t;
};
/** A command line for messages: the program's file name and its arguments, cut to 200 characters. */
const commandLine = (argv: readonly string[]): string =>
  oneLine(argv.map((a, i) => (i === 0 ? basename(a) : a)).join(' '), 200);
const errorText = (e: unknown): string => oneLine(e instanceof Error ? e.message : String(e));

/** Executes commands in a driver process. */
export class ChildDriver {
  private announced: { readonly implementation: string; readonly profile: string | undefined } = {
    implementation: '',
    profile: undefined,
  };

  private buffer = '';
  private stderrTail = '';
  private pending: Pending | undefined;
  private nextId = 1;
  /** Set once the process is unusable: the failure every later call reports. */
  private dead: ImplementationFailure | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();
  private closing = false;
  /** Receives the hello answer line during `spawn`. */
  private onHello: ((line: string) => void) | undefined;
  private onEarlyExit: (() => void) | undefined;

  private constructor(
    private readonly argv: readonly string[],
    private readonly opts: ChildDriverOptions,
    private readonly proc: ChildProcessWithoutNullStreams,
  ) {
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => this.onData(chunk));
    proc.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-STDERR_KEEP);
    });
    // A dead child's pipes error (EPIPE); the exit handler reports the death.
    proc.stdin.on('error', () => {});
    proc.stdout.on('error', () => {});
    proc.stderr.on('error', () => {});
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        // Let the rest of stdout and stderr arrive (at most 100 ms: a grandchild may hold the
        // pipes) before judging a pending call.
        let done = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          this.onExit();
          resolve();
        };
        const streams = [proc.stdout, proc.stderr].filter((s) => !s.readableEnded);
        let open = streams.length;
        if (open === 0) finish();
        else {
          for (const s of streams) {
            s.once('end', () => {
              if (--open === 0) finish();
            });
          }
          setTimeout(finish, 100).unref();
        }
      });
    });
  }

  /**
   * Starts `argv[0]` with arguments `argv[1..]` (no shell) and performs the hello handshake.
   * Rejects with {@link DriverSetupError} if the program cannot be started, exits or stays
   * silent before answering, answers with an error, or speaks another protocol version.
   */
  static async spawn(argv: readonly string[], opts: ChildDriverOptions = {}): Promise<ChildDriver> {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new DriverSetupError('no driver command given');
    const name = `(${commandLine(argv)})`;
    let proc: ChildProcessWithoutNullStreams;
    try {
      proc = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(opts.env === undefined ? {} : { env: opts.env }),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
      });
    } catch (e) {
      throw new DriverSetupError(`cannot start the driver: ${errorText(e)} ${name}`);
    }
    const d = new ChildDriver(argv, opts, proc);
    const started = new Promise<void>((resolve, reject) => {
      proc.once('spawn', () => resolve());
      proc.once('error', (e) =>
        reject(new DriverSetupError(`cannot start the driver: ${errorText(e)} ${name}`)),
      );
    });
    await started;
    proc.on('error', () => {}); // later errors (kill of a dead process) are reported by exit
    const limit = opts.startTimeoutMs ?? Math.max(10_000, opts.callTimeoutMs ?? 5000);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new DriverSetupError(`the driver did not answer the hello within ${limit} ms ${name}`)),
          limit,
        );
        d.onHello = (l) => {
          clearTimeout(timer);
          resolve(l);
        };
        d.onEarlyExit = () => {
          clearTimeout(timer);
          reject(
            new DriverSetupError(
              `the driver ${d.describeExit()} before answering the hello${d.stderrSuffix()} ${name}`,
            ),
          );
        };
        d.write(encodeHello());
      });
      d.onHello = undefined;
      d.onEarlyExit = undefined;
      const parsed = parseLine(line, 'hello answer');
      const hello = parsed.ok ? decodeWith(HelloAnswerC, parsed.value, 'hello answer') : parsed;
      if (!hello.ok) throw new DriverSetupError(`${hello.error} ${name}`);
      const h = hello.value;
      if ('error' in h) throw new DriverSetupError(`the driver could not start: ${oneLine(h.error)} ${name}`);
      if (h.hello !== PROTOCOL_VERSION) {
        throw new DriverSetupError(
          `the driver speaks protocol ${h.hello}, the oracle speaks ${PROTOCOL_VERSION} ${name}`,
        );
      }
      d.announced = { implementation: h.implementation, profile: h.profile };
      return d;
    } catch (e) {
      d.onHello = undefined;
      d.onEarlyExit = undefined;
      d.kill();
      await d.exited;
      throw e instanceof DriverSetupError ? e : new DriverSetupError(errorText(e));
    }
  }

  /** A fresh driver process with the same argv and options; closes this one first if it is alive. */
  async respawn(): Promise<ChildDriver> {
    await this.close();
    return ChildDriver.spawn(this.argv, this.opts);
  }

  /** The implementation the driver announced in its hello, e.g. `OpenSSL 3.0.19 27 Jan 2026`. */
  get implementation(): string {
    return this.announced.implementation;
  }

  /** The same as `implementation`: what the oracle judges. */
  get name(): string {
    return this.announced.implementation;
  }

  /** The profile the driver announced, if any (e.g. `openssl-3.0`). */
  get profile(): string | undefined {
    return this.announced.profile;
  }

  /** True until the process died, was killed, or was closed. */
  get alive(): boolean {
    return this.dead === undefined && this.exitInfo === undefined && !this.closing;
  }

  /** The process id of the driver process. */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Sends one command and resolves with what the implementation observed. */
  exec(cmd: Command): Promise<Observation> {
    return this.enqueue(async () => {
      const id = this.nextId++;
      const what = `answer to call ${id}`;
      const answer = await this.request(id, cmd.fn, encodeCall(id, cmd));
      const decoded = decodeAnswer(answer, what);
      if (!decoded.ok) throw this.protocolFailure(id, cmd.fn, decoded.error);
      const a = decoded.value;
      if ('error' in a) {
        throw new ImplementationFailure('error', `error at call ${id} (${cmd.fn}): ${oneLine(a.error)}`, {
          callId: id,
          fn: cmd.fn,
        });
      }
      if ('reset' in a) throw this.protocolFailure(id, cmd.fn, `${what}: a reset answer to a call`);
      const obs = toObservation(cmd, a, what);
      if (!obs.ok) throw this.protocolFailure(id, cmd.fn, obs.error);
      return obs.value;
    });
  }

  /** Asks the driver to free everything and restart handle numbering at `s1`/`c1`. */
  reset(): Promise<void> {
    return this.enqueue(async () => {
      const id = this.nextId++;
      const what = `answer to reset ${id}`;
      const answer = await this.request(id, 'reset', encodeReset(id));
      const decoded = decodeAnswer(answer, what);
      if (!decoded.ok) throw this.protocolFailure(id, 'reset', decoded.error);
      const a = decoded.value;
      if ('error' in a) {
        throw new ImplementationFailure('error', `error at reset ${id}: ${oneLine(a.error)}`, {
          callId: id,
          fn: 'reset',
        });
      }
      if (!('reset' in a))
        throw this.protocolFailure(id, 'reset', `${what}: expected {"id":${id},"reset":true}`);
    });
  }

  /**
   * Ends the process: closes its stdin (a driver exits on end of input), waits up to the grace
   * period, then kills it. A call still waiting is rejected. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      if (this.exitInfo === undefined) {
        this.proc.stdin.end();
        const grace = this.opts.closeGraceMs ?? 2000;
        const timer = setTimeout(() => this.kill(), grace);
        await this.exited;
        clearTimeout(timer);
      }
    }
    await this.exited;
  }

  // ---- internals ----

  private enqueue<T>(body: () => Promise<T>): Promise<T> {
    const run = this.queue.then(body, body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes `line` as message `id` and resolves with the parsed answer object. */
  private request(id: number, fn: string, line: string): Promise<unknown> {
    if (this.dead !== undefined) return Promise.reject(this.dead);
    if (this.closing) return Promise.reject(new Error(`ChildDriver: ${fn} after close`));
    if (this.exitInfo !== undefined) return Promise.reject(this.crash(id, fn));
    const limit = this.opts.callTimeoutMs ?? 5000;
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending?.id !== id) return;
        this.pending = undefined;
        const f = new ImplementationFailure(
          'hang',
          `hang at ${this.where(id, fn)}: no answer within ${limit} ms; the driver was killed${this.stderrSuffix()}`,
          { callId: id, fn, stderr: this.stderrLine() },
        );
        this.die(f);
        reject(f);
      }, limit);
      this.pending = { id, fn, resolve, reject, timer };
      this.write(line);
    });
  }

  private write(line: string): void {
    if (this.proc.stdin.writable) this.proc.stdin.write(`${line}\n`);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() !== '') this.onLine(line);
      nl = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > MAX_LINE) {
      this.buffer = '';
      this.onBadOutput(`a line longer than ${MAX_LINE} bytes`);
    }
  }

  private onLine(line: string): void {
    if (this.onHello !== undefined) {
      const h = this.onHello;
      this.onHello = undefined;
      h(line);
      return;
    }
    const p = this.pending;
    if (p === undefined) {
      this.onBadOutput(`unexpected output between calls: ${oneLine(line, 80)}`);
      return;
    }
    const what = `answer to ${p.fn === 'reset' ? 'reset' : 'call'} ${p.id}`;
    const parsed = parseLine(line, what);
    let error: string | undefined;
    if (!parsed.ok) error = parsed.error;
    else {
      const id = (parsed.value as Record<string, unknown>).id;
      if (id !== p.id) error = `${what}: expected "id": ${p.id}, got ${JSON.stringify(id) ?? 'nothing'}`;
    }
    this.pending = undefined;
    clearTimeout(p.timer);
    if (error !== undefined || !parsed.ok) {
      p.reject(this.protocolFailure(p.id, p.fn, error ?? 'malformed answer'));
      return;
    }
    p.resolve(parsed.value);
  }

  /** Output nobody asked for: the stream is out of step, so the driver is dead. */
  private onBadOutput(message: string): void {
    const p = this.pending;
    if (p !== undefined) {
      this.pending = undefined;
      clearTimeout(p.timer);
      p.reject(this.protocolFailure(p.id, p.fn, message));
    } else if (this.dead === undefined && !this.closing) {
      this.die(new ImplementationFailure('protocol', `protocol error: ${message}`, {}));
    }
  }

  private onExit(): void {
    const early = this.onEarlyExit;
    this.onEarlyExit = undefined;
    this.onHello = undefined;
    early?.();
    const p = this.pending;
    if (p !== undefined) {
      this.pending = undefined;
      clearTimeout(p.timer);
      const f = this.crash(p.id, p.fn);
      this.dead ??= f;
      p.reject(f);
    }
  }

  private crash(id: number, fn: string): ImplementationFailure {
    const f = new ImplementationFailure(
      'crash',
      `crash at ${this.where(id, fn)}: the driver ${this.describeExit()}${this.stderrSuffix()}`,
      {
        callId: id,
        fn,
        exitCode: this.exitInfo?.code ?? null,
        signal: this.exitInfo?.signal ?? null,
        stderr: this.stderrLine(),
      },
    );
    this.dead ??= f;
    return f;
  }

  private protocolFailure(id: number, fn: string, message: string): ImplementationFailure {
    const f = new ImplementationFailure('protocol', `protocol error at ${this.where(id, fn)}: ${message}`, {
      callId: id,
      fn,
    });
    this.die(f);
    return f;
  }

  /** Marks the driver dead with failure `f` and kills the process. */
  private die(f: ImplementationFailure): void {
    this.dead ??= f;
    this.kill();
  }

  private kill(): void {
    if (this.exitInfo === undefined) this.proc.kill('SIGKILL');
  }

  private where(id: number, fn: string): string {
    return fn === 'reset' ? `reset ${id}` : `call ${id} (${fn})`;
  }

  private describeExit(): string {
    const e = this.exitInfo;
    if (e === undefined) return 'is running';
    return e.signal !== null ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  }

  /**
   * The last meaningful stderr lines, as one line: stack frames (JavaScript and native), source
   * excerpts with their caret, and runtime banners are left out.
   */
  private stderrLine(): string {
    const kept: string[] = [];
    for (const raw of this.stderrTail.split('\n')) {
      const l = raw.trim();
      if (/^\^+$/.test(l)) {
        kept.pop(); // the source line the caret points into
        continue;
      }
      if (
        l === '' ||
        /^at\s/.test(l) || // JavaScript frame
        /^\d+:\s/.test(l) || // native frame
        /^-{3,}.*-{3,}$/.test(l) || // "----- Native stack trace -----"
        /^(?:file:\/\/|node:|\/)\S*:\d+$/.test(l) || // "file:///x.mjs:5", the line before an excerpt
        /^Node\.js v\d/.test(l) ||
        /^\(Use `node --trace/.test(l)
      ) {
        continue;
      }
      kept.push(l);
    }
    return oneLine(kept.slice(-3).join('\n'));
  }

  private stderrSuffix(): string {
    const s = this.stderrLine();
    return s === '' ? '' : `; stderr: ${s}`;
  }
}

/** Options of {@link spawnLibsslDriver}. */
export interface LibsslDriverOptions {
  /** The libssl to load (default: the system's OpenSSL 3). */
  readonly lib?: string;
  /** The libcrypto to load (default: the one next to `lib`). */
  readonly libcrypto?: string;
  readonly callTimeoutMs?: number;
  readonly startTimeoutMs?: number;
}

/**
 * The command line that runs `child-main` with this node: the compiled `child-main.js` next to
 * this module when there is one, else `child-main.ts` through the `tsx` loader (from sources,
 * under vitest).
 */
export function libsslDriverArgv(opts: { lib?: string; libcrypto?: string } = {}): string[] {
  const js = fileURLToPath(new URL('./child-main.js', import.meta.url));
  const ts = fileURLToPath(new URL('./child-main.ts', import.meta.url));
  const libArgs = [
    ...(opts.lib === undefined ? [] : ['--lib', opts.lib]),
    ...(opts.libcrypto === undefined ? [] : ['--libcrypto', opts.libcrypto]),
  ];
  if (existsSync(js)) return [process.execPath, js, ...libArgs];
  if (!existsSync(ts))
    throw new DriverSetupError(`child-main not found next to ${fileURLToPath(import.meta.url)}`);
  let loader: string;
  try {
    loader = createRequire(import.meta.url).resolve('tsx');
  } catch {
    throw new DriverSetupError(
      'running child-main from TypeScript sources needs tsx (npm install): compile with tsc instead',
    );
  }
  return [process.execPath, '--import', pathToFileURL(loader).href, ts, ...libArgs];
}

/** Spawns this package's driver for a real libssl (see `child-main`). */
export function spawnLibsslDriver(opts: LibsslDriverOptions = {}): Promise<ChildDriver> {
  const argvOpts: { lib?: string; libcrypto?: string } = {};
  if (opts.lib !== undefined) argvOpts.lib = opts.lib;
  if (opts.libcrypto !== undefined) argvOpts.libcrypto = opts.libcrypto;
  const spawnOpts: { callTimeoutMs?: number; startTimeoutMs?: number } = {};
  if (opts.callTimeoutMs !== undefined) spawnOpts.callTimeoutMs = opts.callTimeoutMs;
  if (opts.startTimeoutMs !== undefined) spawnOpts.startTimeoutMs = opts.startTimeoutMs;
  try {
    return ChildDriver.spawn(libsslDriverArgv(argvOpts), spawnOpts);
  } catch (e) {
    return Promise.reject(e);
  }
}
