/**
 * The driver process for a real OpenSSL-ABI library: speaks the driver protocol
 * (spec/driver-protocol.md) on stdin/stdout and executes calls through `InProcessDriver`.
 *
 *     node dist/src/driver/child-main.js [--lib LIBSSL] [--libcrypto LIBCRYPTO]
 *
 * With no option, the system's OpenSSL 3; with one library, the other is found next to it (see
 * `loadLibssl`). Stdout carries protocol lines only: anything that would print there through
 * `console` or `process.stdout` goes to stderr instead. If the library cannot be loaded, the
 * hello is answered with `{"hello":1,"error":…}` and the process exits with status 2.
 *
 * @category driver
 */

import { existsSync, readSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LibsslPaths } from '../ffi/libssl.js';
import { InProcessDriver } from './inprocess.js';
import {
  CallMessageC,
  decodeWith,
  encodeError,
  encodeResult,
  HelloC,
  PROTOCOL_VERSION,
  parseLine,
  ResetMessageC,
} from './protocol.js';

// Stdout is the protocol's: whatever would print through `process.stdout` or `console` goes to
// stderr. The protocol itself reads fd 0 and writes fd 1 synchronously, which keeps a round trip
// to one read and one write (`process.stdin`/`process.stdout` are never created, so both
// descriptors stay as inherited, blocking).
Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, get: () => process.stderr });

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Waits a millisecond (a descriptor in non-blocking mode answered EAGAIN). */
const nap = (): void => {
  Atomics.wait(pause, 0, 0, 1);
};

const send = (line: string): void => {
  const bytes = Buffer.from(`${line}\n`, 'utf8');
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(1, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      nap();
    }
  }
};

/** Calls `onLine` for every line of stdin, in order, until end of input. */
function readLines(onLine: (line: string) => void): void {
  const buf = Buffer.alloc(1 << 16);
  let pending = '';
  const decoder = new TextDecoder('utf-8');
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        nap();
        continue;
      }
      if (code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    pending += decoder.decode(buf.subarray(0, n), { stream: true });
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      onLine(line);
      nl = pending.indexOf('\n');
    }
  }
  if (pending.trim() !== '') onLine(pending);
}

const oneLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

/** The library paths from the command line, or why they are unusable. */
function options(): { ok: true; paths: LibsslPaths } | { ok: false; error: string } {
  let values: { lib?: string | undefined; libcrypto?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { lib: { type: 'string' }, libcrypto: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return { ok: false, error: `child-main: ${oneLine(e)}` };
  }
  const paths: { libssl?: string; libcrypto?: string } = {};
  if (values.lib !== undefined) paths.libssl = values.lib;
  if (values.libcrypto !== undefined) paths.libcrypto = values.libcrypto;
  for (const [what, p] of [
    ['libssl', paths.libssl],
    ['libcrypto', paths.libcrypto],
  ] as const) {
    if (p !== undefined && !existsSync(p)) return { ok: false, error: `${what} not found: ${p}` };
  }
  return { ok: true, paths };
}

/** Opens the driver, or returns why it cannot be opened. */
function open(paths: LibsslPaths): { ok: true; driver: InProcessDriver } | { ok: false; error: string } {
  try {
    return { ok: true, driver: InProcessDriver.open(paths) };
  } catch (e) {
    return { ok: false, error: oneLine(e) };
  }
}

/** The profile name for a version string the model knows. */
const profileOf = (version: string): string | undefined =>
  /^OpenSSL 3\.0\.\d+/.test(version) ? 'openssl-3.0' : undefined;

/** A message the driver cannot go on after: `answer` (if any) is sent, then the process exits 2. */
class Fatal {
  constructor(
    readonly message: string,
    readonly answer?: string,
  ) {}
}

/** The hello answer for a driver on `driver`, or the error hello for why there is none. */
function helloAnswer(msg: unknown, opened: ReturnType<typeof open>): string {
  const hello = decodeWith(HelloC, msg, 'hello');
  const refuse = (error: string): never => {
    throw new Fatal(error, JSON.stringify({ hello: PROTOCOL_VERSION, error }));
  };
  if (!hello.ok) return refuse(hello.error);
  if (hello.value.hello !== PROTOCOL_VERSION) {
    return refuse(
      `unsupported protocol version ${hello.value.hello} (this driver speaks ${PROTOCOL_VERSION})`,
    );
  }
  if (!opened.ok) return refuse(opened.error);
  const profile = profileOf(opened.driver.version);
  return JSON.stringify({
    hello: PROTOCOL_VERSION,
    implementation: opened.driver.version,
    ...(profile === undefined ? {} : { profile }),
  });
}

function main(): void {
  const opts = options();
  const paths = opts.ok ? opts.paths : {};
  const opened = opts.ok ? open(paths) : opts;
  let driver: InProcessDriver | undefined = opened.ok ? opened.driver : undefined;
  let greeted = false;

  /** The answer line to one message. */
  const answer = (line: string): string => {
    const parsed = parseLine(line, 'message');
    if (!parsed.ok) throw new Fatal(parsed.error);
    const msg = parsed.value as Record<string, unknown>;
    if (!greeted) {
      const hello = helloAnswer(msg, opened);
      greeted = true;
      return hello;
    }
    const id = msg.id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) {
      throw new Fatal(`message without a positive integer "id": ${line.slice(0, 80)}`);
    }
    if (Object.hasOwn(msg, 'reset')) {
      const reset = decodeWith(ResetMessageC, msg, `reset ${id}`);
      if (!reset.ok) return encodeError(id, reset.error);
      driver?.close();
      driver = undefined;
      const reopened = open(paths);
      if (!reopened.ok) return encodeError(id, reopened.error);
      driver = reopened.driver;
      return JSON.stringify({ id, reset: true });
    }
    const call = decodeWith(CallMessageC, msg, `call ${id}`);
    if (!call.ok) return encodeError(id, call.error);
    if (driver === undefined) return encodeError(id, 'no library is loaded');
    const cmd = call.value.call;
    try {
      return encodeResult(id, cmd, driver.exec(cmd));
    } catch (e) {
      return encodeError(id, oneLine(e));
    }
  };

  try {
    readLines((line) => {
      if (line.trim() !== '') send(answer(line));
    });
  } catch (e) {
    if (!(e instanceof Fatal)) throw e;
    if (e.answer !== undefined) send(e.answer);
    process.stderr.write(`child-main: ${e.message}\n`);
    driver?.close();
    process.exit(2);
  }
  driver?.close();
  process.exit(0);
}

main();
