/**
 * Tests of the out-of-process driver: the protocol codecs, the libssl driver process compared
 * with the in-process driver, and fake implementations that crash, hang, or answer garbage,
 * which must be reported as findings without harming the test process.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChildDriver,
  DriverSetupError,
  type FailureKind,
  ImplementationFailure,
  spawnLibsslDriver,
} from '../src/driver/child.js';
import { InProcessDriver } from '../src/driver/inprocess.js';
import {
  CommandC,
  decodeAnswer,
  decodeWith,
  encodeCall,
  encodeResult,
  parseLine,
  toObservation,
} from '../src/driver/protocol.js';
import { LONG_MAX, LONG_MIN } from '../src/model/int64.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState } from '../src/model/state.js';
import {
  CLOCK_READERS,
  type Command,
  type Observation,
  type SessionHandle,
  withClock,
} from '../src/model/types.js';
import { describeDivergence, judge, showCall } from '../src/oracle/judge.js';
import { SCENARIOS } from './scenarios.js';

const s = (n: number): SessionHandle => `s${n}`;

/** Awaits `p` and returns what it rejected with (fails if it resolved). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Asserts that `e` is an ImplementationFailure of `kind` with a one-line message. */
function expectFailure(e: unknown, kind: FailureKind): ImplementationFailure {
  expect(e).toBeInstanceOf(ImplementationFailure);
  const f = e as ImplementationFailure;
  expect(f.kind).toBe(kind);
  expect(f.message).not.toContain('\n');
  return f;
}

describe('protocol codecs', () => {
  it('encodes 64-bit integers as decimal strings, handles as strings, NULL as null', () => {
    expect(encodeCall(7, { fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t: LONG_MAX })).toBe(
      '{"id":7,"call":{"fn":"SSL_CTX_flush_sessions","ctx":"c1","t":"9223372036854775807"}}',
    );
    expect(encodeCall(1, { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c2', size: -1n })).toBe(
      '{"id":1,"call":{"fn":"SSL_CTX_sess_set_cache_size","ctx":"c2","size":"-1"}}',
    );
    expect(encodeCall(2, { fn: 'SSL_SESSION_free', s: null })).toBe(
      '{"id":2,"call":{"fn":"SSL_SESSION_free","s":null}}',
    );
    expect(encodeCall(3, { fn: 'SSL_SESSION_set1_id', s: 's1', id: 'ABcd' })).toBe(
      '{"id":3,"call":{"fn":"SSL_SESSION_set1_id","s":"s1","id":"abcd"}}',
    );
    expect(encodeCall(4, { fn: 'SSL_CTX_sess_set_get_cb', ctx: 'c1', cb: null })).toBe(
      '{"id":4,"call":{"fn":"SSL_CTX_sess_set_get_cb","ctx":"c1","cb":null}}',
    );
  });

  it('round-trips every command of the scenarios, and extreme integers', () => {
    const cmds: Command[] = [
      ...SCENARIOS.flatMap((sc) => sc.cmds),
      { fn: 'SSL_SESSION_set_time', s: 's9', t: LONG_MIN },
      { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c3', mode: 0xffffffffn },
    ];
    for (const cmd of cmds) {
      const wire = JSON.parse(JSON.stringify(CommandC.encode(cmd))) as unknown;
      const back = decodeWith(CommandC, wire, 'call');
      expect(back).toEqual({
        ok: true,
        value: cmd.fn === 'SSL_SESSION_set1_id' ? { ...cmd, id: cmd.id.toLowerCase() } : cmd,
      });
    }
  });

  it('decodes an answer into an observation, with the clock for clock readers only', () => {
    const cmd: Command = { fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's2' };
    const obs: Observation = {
      outcome: {
        ret: { t: 'int', v: 1n },
        events: [
          { ev: 'remove_cb', ctx: 'c1', s: 's1' },
          { ev: 'free', s: 's1' },
        ],
      },
      now: 1_700_000_000n,
    };
    const line = encodeResult(5, cmd, obs);
    expect(line).toBe(
      '{"id":5,"ret":{"t":"int","v":"1"},"events":[{"ev":"remove_cb","ctx":"c1","s":"s1"},{"ev":"free","s":"s1"}],"now":"1700000000"}',
    );
    const parsed = parseLine(line, 'answer');
    if (!parsed.ok) throw new Error(parsed.error);
    const a = decodeAnswer(parsed.value, 'answer');
    if (!a.ok || !('ret' in a.value)) throw new Error('not a result');
    expect(toObservation(cmd, a.value, 'answer')).toEqual({ ok: true, value: obs });
    // `now` on another call is ignored; missing on a clock reader is an error naming it.
    const getter: Command = { fn: 'SSL_CTX_sess_number', ctx: 'c1' };
    expect(toObservation(getter, a.value, 'x')).toEqual({ ok: true, value: { outcome: obs.outcome } });
    const { now: _now, ...withoutNow } = a.value;
    expect(toObservation({ fn: 'SSL_SESSION_new' }, withoutNow, 'answer to call 3')).toEqual({
      ok: false,
      error: 'answer to call 3: field "now": required for SSL_SESSION_new, but it is missing',
    });
  });

  it('reports malformed answers in one line naming the field', () => {
    const err = (u: unknown): string => {
      const r = decodeAnswer(u, 'answer to call 7');
      if (r.ok) throw new Error('decoded');
      return r.error;
    };
    expect(err({ id: 7, ret: { t: 'int', v: 12 }, events: [] })).toBe(
      'answer to call 7: field "ret.v": expected a decimal string (signed 64-bit), got 12',
    );
    expect(err({ id: 7, ret: { t: 'int', v: '9223372036854775808' }, events: [] })).toContain(
      'field "ret.v"',
    );
    expect(err({ id: 7, ret: { t: 'long', v: '1' }, events: [] })).toBe(
      'answer to call 7: field "ret.t": expected one of "void", "int", "session", "ctx", "ssl", "callback", got "long"',
    );
    expect(err({ id: 7, ret: { t: 'void' }, events: [{ ev: 'free', s: 3 }] })).toBe(
      'answer to call 7: field "events[0].s": expected a session handle ("s<N>"), got 3',
    );
    expect(err({ id: 7, ret: { t: 'void' } })).toContain('field "events": expected');
    expect(err({ id: 7, ret: { t: 'session', v: 's0' }, events: [] })).toContain('field "ret.v"');
    expect(err({ id: 7, ret: { t: 'void' }, events: [], now: 5 })).toContain('field "now"');
    expect(err({ id: '7', error: 'x' })).toBe(
      'answer to call 7: field "id": expected a positive integer, got "7"',
    );
    expect(parseLine('not json', 'answer to call 1')).toMatchObject({ ok: false });
    expect(parseLine('[1]', 'answer to call 1')).toEqual({
      ok: false,
      error: 'answer to call 1: expected a JSON object, got [1]',
    });
  });

  it('rejects calls of unknown functions and malformed arguments', () => {
    expect(decodeWith(CommandC, { fn: 'SSL_foo' }, 'call 1')).toEqual({
      ok: false,
      error: 'call 1: field "fn": expected a known function name, got "SSL_foo"',
    });
    expect(decodeWith(CommandC, { fn: 'SSL_SESSION_set1_id', s: 's1', id: 'abc' }, 'call 2')).toMatchObject({
      ok: false,
      error: expect.stringContaining('field "id"'),
    });
    expect(decodeWith(CommandC, { fn: 'SSL_CTX_remove_session', ctx: 'c1' }, 'call 3')).toEqual({
      ok: false,
      error: 'call 3: field "s": expected a session handle or null, but it is missing',
    });
  });
});

/**
 * A realistic sequence: two caches (never sharing a session, §UB-2), evictions from a full
 * cache, expiry flushes, removals, teardown with frees. Times are explicit, so only the clock
 * readings of `SSL_SESSION_new` and `SSL_CTX_add_session` depend on the wall clock.
 */
function realisticSequence(base: bigint): Command[] {
  const make = (i: number, ctx: 'c1' | 'c2', timeout: bigint): Command[] => [
    { fn: 'SSL_SESSION_new' },
    { fn: 'SSL_SESSION_set1_id', s: s(i), id: i.toString(16).padStart(2, '0').repeat(i) },
    { fn: 'SSL_SESSION_set_time', s: s(i), t: base + BigInt(i) },
    { fn: 'SSL_SESSION_set_timeout', s: s(i), t: timeout },
    { fn: 'SSL_CTX_add_session', ctx, s: s(i) },
    { fn: 'SSL_CTX_sess_number', ctx },
  ];
  return [
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' },
    { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 3n },
    { fn: 'SSL_CTX_set_timeout', ctx: 'c1', t: 1000n },
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c2', cb: 'cb2' },
    { fn: 'SSL_CTX_sess_get_remove_cb', ctx: 'c2' },
    // Six sessions into a cache of three: three evictions.
    ...[1, 2, 3, 4, 5, 6].flatMap((i) => make(i, 'c1', 100n * BigInt(i))),
    ...make(7, 'c2', 50n),
    ...make(8, 'c2', 5000n),
    { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
    { fn: 'SSL_CTX_sess_get_cache_size', ctx: 'c1' },
    // The app lets go of evicted and cached sessions alike.
    { fn: 'SSL_SESSION_free', s: s(1) },
    { fn: 'SSL_SESSION_free', s: s(2) },
    { fn: 'SSL_SESSION_free', s: s(3) },
    { fn: 'SSL_SESSION_free', s: s(4) },
    // s4 (time base+4, timeout 400) and s5 (base+5, 500) expire before s6 (base+6, 600).
    { fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t: base + 505n },
    { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
    { fn: 'SSL_CTX_sess_timeouts', ctx: 'c1' },
    { fn: 'SSL_CTX_flush_sessions', ctx: 'c2', t: base + 100n },
    { fn: 'SSL_CTX_remove_session', ctx: 'c2', s: s(8) },
    { fn: 'SSL_CTX_remove_session', ctx: 'c2', s: s(8) },
    { fn: 'SSL_CTX_remove_session', ctx: 'c2', s: null },
    { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(5) },
    { fn: 'SSL_SESSION_up_ref', s: s(6) },
    { fn: 'SSL_SESSION_free', s: s(6) },
    { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x402n },
    { fn: 'SSL_CTX_get_session_cache_mode', ctx: 'c1' },
    { fn: 'SSL_SESSION_new' },
    { fn: 'SSL_SESSION_set1_id', s: s(9), id: 'ab'.repeat(32) },
    { fn: 'SSL_SESSION_set_timeout', s: s(9), t: LONG_MAX },
    { fn: 'SSL_CTX_add_session', ctx: 'c1', s: s(9) },
    { fn: 'SSL_SESSION_get_timeout', s: s(9) },
    { fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t: LONG_MIN },
    { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
    { fn: 'SSL_SESSION_free', s: s(7) },
    { fn: 'SSL_SESSION_free', s: s(8) },
    { fn: 'SSL_CTX_free', ctx: 'c2' },
    { fn: 'SSL_SESSION_free', s: s(5) },
    { fn: 'SSL_SESSION_free', s: s(9) },
    { fn: 'SSL_CTX_free', ctx: 'c1' },
    { fn: 'SSL_SESSION_free', s: s(6) },
  ];
}

/** Throws unless the model gives every command of `cmds` a meaning (clock at `now`). */
function assertDefined(cmds: readonly Command[], now: bigint): void {
  const model = modelOf(openssl30);
  let state = initialState;
  for (const cmd of cmds) {
    const r = model.step(state, withClock(cmd, now));
    if (r.kind === 'undefined') throw new Error(`${showCall(cmd)} is undefined: ${r.reason}`);
    state = r.branches[0].state;
  }
}

describe('the libssl driver process', () => {
  let child: ChildDriver;
  beforeAll(async () => {
    child = await spawnLibsslDriver();
  });
  afterAll(async () => {
    await child.close();
  });

  it('announces the library and its profile', () => {
    expect(child.implementation).toMatch(/^OpenSSL 3\.0\.\d+/);
    expect(child.profile).toBe('openssl-3.0');
    expect(child.alive).toBe(true);
  });

  it('observes exactly what the in-process driver observes', async () => {
    const base = BigInt(Math.floor(Date.now() / 1000));
    const cmds = realisticSequence(base);
    // An undefined call could hang or crash the in-process driver, i.e. this test process.
    assertDefined(cmds, base);
    const inproc = InProcessDriver.open();
    await child.reset();
    const local: Observation[] = [];
    const remote: Observation[] = [];
    try {
      // In lockstep, so that both read the clock at nearly the same moment.
      for (const cmd of cmds) {
        local.push(inproc.exec(cmd));
        remote.push(await child.exec(cmd));
      }
    } finally {
      inproc.close();
    }
    expect(remote.map((o) => o.outcome)).toEqual(local.map((o) => o.outcome));
    cmds.forEach((cmd, i) => {
      const a = local[i]?.now;
      const b = remote[i]?.now;
      if ((CLOCK_READERS as readonly string[]).includes(cmd.fn)) {
        if (a === undefined || b === undefined) throw new Error(`no clock for ${showCall(cmd)}`);
        expect(b - a <= 2n && a - b <= 2n).toBe(true);
      } else {
        expect([a, b]).toEqual([undefined, undefined]);
      }
    });
    // The sequence exercises what it is meant to: evictions, an expiry flush, teardown frees.
    const events = remote.flatMap((o) => o.outcome.events);
    expect(events.filter((e) => e.ev === 'remove_cb').length).toBeGreaterThanOrEqual(6);
    expect(events.filter((e) => e.ev === 'remove_cb').map((e) => e.s)).toContain('s7');
    expect(
      events
        .filter((e) => e.ev === 'free')
        .map((e) => e.s)
        .sort(),
    ).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
  });

  it('reset frees everything and restarts handle numbering', async () => {
    await child.reset();
    expect((await child.exec({ fn: 'SSL_CTX_new' })).outcome.ret).toEqual({ t: 'ctx', v: 'c1' });
    expect((await child.exec({ fn: 'SSL_SESSION_new' })).outcome.ret).toEqual({ t: 'session', v: 's1' });
    expect((await child.exec({ fn: 'SSL_SESSION_new' })).outcome.ret).toEqual({ t: 'session', v: 's2' });
    expect((await child.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's2' })).outcome.ret).toEqual({
      t: 'int',
      v: 1n,
    });
    await child.reset();
    expect((await child.exec({ fn: 'SSL_SESSION_new' })).outcome.ret).toEqual({ t: 'session', v: 's1' });
    expect((await child.exec({ fn: 'SSL_CTX_new' })).outcome.ret).toEqual({ t: 'ctx', v: 'c1' });
    // Handles of before the reset are gone: an error answer, and the driver stays usable.
    const f = expectFailure(await rejection(child.exec({ fn: 'SSL_SESSION_get_time', s: 's2' })), 'error');
    expect(f.message).toContain('s2');
    expect(child.alive).toBe(true);
    expect((await child.exec({ fn: 'SSL_CTX_sess_number', ctx: 'c1' })).outcome.ret).toEqual({
      t: 'int',
      v: 0n,
    });
    await child.reset();
  });

  it('agrees with the model on every scenario, one process serving them all', async () => {
    const model = modelOf(openssl30);
    for (const sc of SCENARIOS) {
      await child.reset();
      let state = initialState;
      for (const cmd of sc.endsUndefined ? sc.cmds.slice(0, -1) : sc.cmds) {
        const v = judge(model, state, cmd, await child.exec(cmd));
        if (v.kind === 'undefined') throw new Error(`${sc.name}: ${showCall(v.call)} is undefined`);
        if (v.kind === 'diverge') throw new Error(`${sc.name}: ${describeDivergence(v)}`);
        state = v.state;
      }
    }
  });
});

describe('fake implementations', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'child-driver-test-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Writes a node script that answers the hello (with `hello`, a JSON text) and runs `onCall`
   * (JavaScript, with the parsed message in `msg` and `reply(obj)`) for every later line.
   */
  function fake(name: string, onCall: string, hello = '{"hello":1,"implementation":"fake 1.0"}'): string[] {
    const path = join(dir, `${name}.mjs`);
    writeFileSync(
      path,
      `import { createInterface } from 'node:readline';
const reply = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
let first = true;
createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line);
  if (first) { first = false; process.stdout.write(${JSON.stringify(hello)} + '\\n'); return; }
  ${onCall}
});
`,
    );
    return [process.execPath, path];
  }

  const spawnFake = (argv: string[], callTimeoutMs = 2000): Promise<ChildDriver> =>
    ChildDriver.spawn(argv, { callTimeoutMs, cwd: dir });

  const getter: Command = { fn: 'SSL_CTX_sess_number', ctx: 'c1' };

  it('a fake that answers correctly works, and a clock reader carries its clock', async () => {
    const d = await spawnFake(
      fake(
        'good',
        `if (msg.reset) reply({ id: msg.id, reset: true });
         else if (msg.call.fn === 'SSL_SESSION_new') reply({ id: msg.id, ret: { t: 'session', v: 's1' }, events: [], now: '1700000000' });
         else reply({ id: msg.id, ret: { t: 'int', v: '-9223372036854775808' }, events: [] });`,
      ),
    );
    try {
      expect(d.implementation).toBe('fake 1.0');
      expect(d.profile).toBeUndefined();
      expect(await d.exec(getter)).toEqual({ outcome: { ret: { t: 'int', v: LONG_MIN }, events: [] } });
      expect(await d.exec({ fn: 'SSL_SESSION_new' })).toEqual({
        outcome: { ret: { t: 'session', v: 's1' }, events: [] },
        now: 1_700_000_000n,
      });
      await d.reset();
    } finally {
      await d.close();
    }
    expect(d.alive).toBe(false);
  });

  it('a fake that exits on the first call is a crash, with its exit code and stderr', async () => {
    const argv = fake('exit3', `process.stderr.write('fake: out of cheese\\n'); process.exit(3);`);
    const d = await spawnFake(argv);
    const f = expectFailure(await rejection(d.exec(getter)), 'crash');
    expect(f.detail).toMatchObject({ callId: 1, fn: 'SSL_CTX_sess_number', exitCode: 3, signal: null });
    expect(f.message).toContain('code 3');
    expect(f.message).toContain('out of cheese');
    expect(d.alive).toBe(false);
    // The driver is dead: later calls report the same failure; a respawn starts afresh.
    expect(await rejection(d.exec(getter))).toBe(f);
    const again = await d.respawn();
    expect(again.alive).toBe(true);
    await again.close();
    await d.close();
  });

  it('a fake that aborts is a crash by signal, reported without a stack trace', async () => {
    const d = await spawnFake(fake('abort', 'process.abort();'));
    const f = expectFailure(await rejection(d.exec(getter)), 'crash');
    expect(f.detail.signal).toBe('SIGABRT');
    expect(f.message).toContain('SIGABRT');
    expect(f.message).not.toMatch(/\bat \S+:\d+/);
    await d.close();
  });

  it('a fake that never answers is a hang within the time limit, and is killed', async () => {
    const d = await spawnFake(fake('hang', '/* never answers */'), 300);
    const t0 = Date.now();
    const f = expectFailure(await rejection(d.exec(getter)), 'hang');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(2000);
    expect(f.message).toContain('300 ms');
    await d.close();
    expect(d.alive).toBe(false);
  });

  it('a fake that answers garbage is a protocol failure', async () => {
    const d = await spawnFake(
      fake('garbage', `process.stdout.write('Segmentation fault? no, just text\\n');`),
    );
    const f = expectFailure(await rejection(d.exec(getter)), 'protocol');
    expect(f.message).toContain('answer to call 1: not JSON');
    expect(d.alive).toBe(false);
    await d.close();
  });

  it('a malformed field, a wrong id, or a missing clock is a protocol failure naming it', async () => {
    const cases: [string, string, Command, string][] = [
      [
        'badfield',
        `reply({ id: msg.id, ret: { t: 'int', v: 12 }, events: [] });`,
        getter,
        'answer to call 1: field "ret.v": expected a decimal string (signed 64-bit), got 12',
      ],
      [
        'wrongid',
        `reply({ id: msg.id + 1, ret: { t: 'void' }, events: [] });`,
        getter,
        'expected "id": 1, got 2',
      ],
      [
        'nonow',
        `reply({ id: msg.id, ret: { t: 'session', v: 's1' }, events: [] });`,
        { fn: 'SSL_SESSION_new' },
        'field "now": required for SSL_SESSION_new',
      ],
    ];
    for (const [name, onCall, cmd, text] of cases) {
      const d = await spawnFake(fake(name, onCall));
      const f = expectFailure(await rejection(d.exec(cmd)), 'protocol');
      expect(f.message).toContain(text);
      await d.close();
    }
  });

  it('output nobody asked for is a protocol failure', async () => {
    const d = await spawnFake(
      fake(
        'chatty',
        `reply({ id: msg.id, ret: { t: 'void' }, events: [] }); process.stdout.write('hello there\\n');`,
      ),
    );
    // The first call is answered; the extra line kills the driver, before or during the next.
    expect((await d.exec(getter)).outcome.ret).toEqual({ t: 'void' });
    await new Promise((r) => setTimeout(r, 100));
    const f = expectFailure(await rejection(d.exec(getter)), 'protocol');
    expect(f.message).toMatch(/hello there|expected "id": 2/);
    expect(d.alive).toBe(false);
    await d.close();
  });

  it('an error answer is an implementation failure that leaves the driver usable', async () => {
    const d = await spawnFake(fake('err', `reply({ id: msg.id, error: 'unknown handle c1' });`));
    const f = expectFailure(await rejection(d.exec(getter)), 'error');
    expect(f.message).toBe('error at call 1 (SSL_CTX_sess_number): unknown handle c1');
    expect(d.alive).toBe(true);
    expectFailure(await rejection(d.exec(getter)), 'error');
    await d.close();
  });

  it('a program that cannot start, dies before the hello, or refuses is a DriverSetupError', async () => {
    const cases: [string[], string][] = [
      [[join(dir, 'no-such-driver')], 'ENOENT'],
      [fake('early', '', 'not a hello'), 'hello answer: not JSON'],
      [fake('refuse', '', '{"hello":1,"error":"no library here"}'), 'could not start: no library here'],
      [fake('v2', '', '{"hello":2,"implementation":"future"}'), 'speaks protocol 2'],
    ];
    writeFileSync(join(dir, 'dies.mjs'), `process.stderr.write('dying\\n'); process.exit(4);`);
    cases.push([
      [process.execPath, join(dir, 'dies.mjs')],
      'exited with code 4 before answering the hello; stderr: dying',
    ]);
    for (const [argv, text] of cases) {
      const e = await rejection(ChildDriver.spawn(argv, { cwd: dir }));
      expect(e).toBeInstanceOf(DriverSetupError);
      expect((e as Error).message).not.toContain('\n');
      expect((e as Error).message).toContain(text);
    }
  });

  it('the libssl driver with a nonexistent library is a DriverSetupError naming the path', async () => {
    const path = '/nonexistent/libssl.so.3';
    const e = await rejection(spawnLibsslDriver({ lib: path }));
    expect(e).toBeInstanceOf(DriverSetupError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toContain(path);
  });
});
