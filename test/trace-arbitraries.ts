/**
 * Arbitraries for trace tests: every line kind with values across their whole ranges (for the
 * encode/decode round trip), and valid traces produced by the model from generated plans (the
 * seeds of the reader's mutation fuzz).
 */
import fc from 'fast-check';
import { planArb } from '../src/gen/commands.js';
import { runPlan } from '../src/gen/plan.js';
import { CLAUSES } from '../src/model/clauses.js';
import { LONG_MAX, LONG_MIN } from '../src/model/int64.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import {
  type ClauseId,
  type Command,
  type CtxHandle,
  type Event,
  type Ret,
  type SessionHandle,
  type SslHandle,
  STAT_FNS,
} from '../src/model/types.js';
import { toCommand } from '../src/oracle/lockstep.js';
import {
  callLine,
  isClockReader,
  type TraceCall,
  type TraceHeader,
  type TraceLine,
  traceLineText,
} from '../src/trace/format.js';

export const int64Arb: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: LONG_MIN, max: LONG_MAX }),
  fc.constantFrom(0n, -1n, 1n, LONG_MIN, LONG_MAX, 1_700_000_000n),
);
export const sessionArb: fc.Arbitrary<SessionHandle> = fc
  .integer({ min: 1, max: 1_000_000 })
  .map((n) => `s${n}` as SessionHandle);
export const ctxArb: fc.Arbitrary<CtxHandle> = fc
  .integer({ min: 1, max: 1000 })
  .map((n) => `c${n}` as CtxHandle);
export const sslArb: fc.Arbitrary<SslHandle> = fc
  .integer({ min: 1, max: 100_000 })
  .map((n) => `t${n}` as SslHandle);
const hexArb = fc
  .uint8Array({ maxLength: 40 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(''));
const textArb = fc.string({ unit: 'binary', maxLength: 30 });
const cbArb = fc.option(textArb, { nil: null });

type CommandArbs = { [N in Command['fn']]: fc.Arbitrary<Command & { fn: N }> };
const onS = <N extends string>(fn: N) => fc.record({ fn: fc.constant(fn), s: sessionArb });
const onC = <N extends string>(fn: N) => fc.record({ fn: fc.constant(fn), ctx: ctxArb });
const onT = <N extends string>(fn: N) => fc.record({ fn: fc.constant(fn), ssl: sslArb });
const COMMANDS = {
  SSL_SESSION_new: fc.constant({ fn: 'SSL_SESSION_new' as const }),
  SSL_SESSION_set1_id: fc.record({
    fn: fc.constant('SSL_SESSION_set1_id' as const),
    s: sessionArb,
    id: hexArb,
  }),
  SSL_SESSION_set_time: fc.record({
    fn: fc.constant('SSL_SESSION_set_time' as const),
    s: sessionArb,
    t: int64Arb,
  }),
  SSL_SESSION_set_timeout: fc.record({
    fn: fc.constant('SSL_SESSION_set_timeout' as const),
    s: sessionArb,
    t: int64Arb,
  }),
  SSL_SESSION_get_time: onS('SSL_SESSION_get_time' as const),
  SSL_SESSION_get_timeout: onS('SSL_SESSION_get_timeout' as const),
  SSL_SESSION_up_ref: onS('SSL_SESSION_up_ref' as const),
  SSL_SESSION_free: fc.record({
    fn: fc.constant('SSL_SESSION_free' as const),
    s: fc.option(sessionArb, { nil: null }),
  }),
  SSL_SESSION_is_resumable: onS('SSL_SESSION_is_resumable' as const),
  SSL_CTX_new: fc.constant({ fn: 'SSL_CTX_new' as const }),
  SSL_CTX_free: onC('SSL_CTX_free' as const),
  SSL_CTX_add_session: fc.record({
    fn: fc.constant('SSL_CTX_add_session' as const),
    ctx: ctxArb,
    s: sessionArb,
  }),
  SSL_CTX_remove_session: fc.record({
    fn: fc.constant('SSL_CTX_remove_session' as const),
    ctx: ctxArb,
    s: fc.option(sessionArb, { nil: null }),
  }),
  SSL_CTX_flush_sessions: fc.record({
    fn: fc.constant('SSL_CTX_flush_sessions' as const),
    ctx: ctxArb,
    t: int64Arb,
  }),
  SSL_CTX_sess_set_cache_size: fc.record({
    fn: fc.constant('SSL_CTX_sess_set_cache_size' as const),
    ctx: ctxArb,
    size: int64Arb,
  }),
  SSL_CTX_sess_get_cache_size: onC('SSL_CTX_sess_get_cache_size' as const),
  SSL_CTX_sess_number: onC('SSL_CTX_sess_number' as const),
  SSL_CTX_set_session_cache_mode: fc.record({
    fn: fc.constant('SSL_CTX_set_session_cache_mode' as const),
    ctx: ctxArb,
    mode: int64Arb,
  }),
  SSL_CTX_get_session_cache_mode: onC('SSL_CTX_get_session_cache_mode' as const),
  SSL_CTX_set_timeout: fc.record({
    fn: fc.constant('SSL_CTX_set_timeout' as const),
    ctx: ctxArb,
    t: int64Arb,
  }),
  SSL_CTX_get_timeout: onC('SSL_CTX_get_timeout' as const),
  ...(Object.fromEntries(STAT_FNS.map((fn) => [fn, onC(fn)])) as {
    [N in (typeof STAT_FNS)[number]]: fc.Arbitrary<{ fn: N; ctx: CtxHandle }>;
  }),
  SSL_CTX_sess_set_new_cb: fc.record({
    fn: fc.constant('SSL_CTX_sess_set_new_cb' as const),
    ctx: ctxArb,
    cb: cbArb,
  }),
  SSL_CTX_sess_set_remove_cb: fc.record({
    fn: fc.constant('SSL_CTX_sess_set_remove_cb' as const),
    ctx: ctxArb,
    cb: cbArb,
  }),
  SSL_CTX_sess_set_get_cb: fc.record({
    fn: fc.constant('SSL_CTX_sess_set_get_cb' as const),
    ctx: ctxArb,
    cb: cbArb,
  }),
  SSL_CTX_sess_get_new_cb: onC('SSL_CTX_sess_get_new_cb' as const),
  SSL_CTX_sess_get_remove_cb: onC('SSL_CTX_sess_get_remove_cb' as const),
  SSL_CTX_sess_get_get_cb: onC('SSL_CTX_sess_get_get_cb' as const),
  SSL_CTX_set_session_id_context: fc.record({
    fn: fc.constant('SSL_CTX_set_session_id_context' as const),
    ctx: ctxArb,
    sid: hexArb,
  }),
  SSL_CTX_set_verify: fc.record({
    fn: fc.constant('SSL_CTX_set_verify' as const),
    ctx: ctxArb,
    mode: int64Arb,
  }),
  SSL_new: fc.record({
    fn: fc.constant('SSL_new' as const),
    ctx: ctxArb,
    role: fc.constantFrom('server' as const, 'client' as const),
  }),
  SSL_free: onT('SSL_free' as const),
  SSL_set_session: fc.record({
    fn: fc.constant('SSL_set_session' as const),
    ssl: sslArb,
    s: fc.option(sessionArb, { nil: null }),
  }),
  SSL_get_session: onT('SSL_get_session' as const),
  SSL_get1_session: onT('SSL_get1_session' as const),
  SSL_session_reused: onT('SSL_session_reused' as const),
  SSL_shutdown: onT('SSL_shutdown' as const),
  SSL_clear: onT('SSL_clear' as const),
  handshake: fc.record({
    fn: fc.constant('handshake' as const),
    client: sslArb,
    server: sslArb,
    until: fc.constantFrom('done' as const, 'server-hello' as const),
  }),
} satisfies CommandArbs;

/** Every command, each function equally likely. */
export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  ...Object.values(COMMANDS),
) as fc.Arbitrary<Command>;

export const retArb: fc.Arbitrary<Ret> = fc.oneof(
  fc.constant<Ret>({ t: 'void' }),
  int64Arb.map((v): Ret => ({ t: 'int', v })),
  fc.option(sessionArb, { nil: null }).map((v): Ret => ({ t: 'session', v })),
  ctxArb.map((v): Ret => ({ t: 'ctx', v })),
  sslArb.map((v): Ret => ({ t: 'ssl', v })),
  cbArb.map((v): Ret => ({ t: 'callback', v })),
);
export const eventArb: fc.Arbitrary<Event> = fc.oneof(
  sessionArb.map((s): Event => ({ ev: 'free', s })),
  fc.record({ ev: fc.constant('remove_cb' as const), ctx: ctxArb, s: sessionArb }),
  sessionArb.map((s): Event => ({ ev: 'new', s })),
  fc.record({ ev: fc.constant('new_cb' as const), ssl: sslArb, s: sessionArb }),
  fc.record({ ev: fc.constant('get_cb' as const), ssl: sslArb, id: hexArb }),
  sslArb.map((ssl): Event => ({ ev: 'gen_id', ssl })),
);
const outcomeArb = fc.record({ ret: retArb, events: fc.array(eventArb, { maxLength: 4 }) });
const clauseArb = fc.constantFrom(...(Object.keys(CLAUSES) as ClauseId[]));

export const headerArb: fc.Arbitrary<TraceHeader> = fc.record(
  {
    trace: fc.constant('session-oracle' as const),
    version: fc.constant(1 as const),
    profile: textArb,
    implementation: textArb,
    seed: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    path: textArb,
    command: textArb,
  },
  { requiredKeys: ['trace', 'version', 'profile', 'implementation'] },
);

const callLineArb: fc.Arbitrary<TraceLine> = fc
  .record({
    call: commandArb,
    ret: retArb,
    events: fc.array(eventArb, { maxLength: 4 }),
    now: fc.option(int64Arb, { nil: undefined }),
    later: fc.option(int64Arb, { nil: undefined }),
    ids: fc.array(hexArb, { maxLength: 3 }),
    notes: fc.option(
      fc.record(
        { expected: fc.array(outcomeArb, { maxLength: 2 }), clauses: fc.array(clauseArb, { maxLength: 3 }) },
        { requiredKeys: ['expected'] },
      ),
      { nil: undefined },
    ),
  })
  .map(({ call, ret, events, now, later, ids, notes }): TraceLine => {
    const t = now ?? (isClockReader(call.fn) ? 0n : undefined);
    const line: TraceCall =
      t === undefined
        ? { call, ret, events }
        : call.fn === 'handshake'
          ? { call, ret, events, now: t, ...(later === undefined ? {} : { later }), ids }
          : { call, ret, events, now: t };
    return notes === undefined ? { kind: 'call', line } : { kind: 'call', line, notes };
  });

/** Every kind of line, with values across their whole ranges. */
export const traceLineArb: fc.Arbitrary<TraceLine> = fc.oneof(
  headerArb.map((header): TraceLine => ({ kind: 'header', header })),
  { arbitrary: callLineArb, weight: 4 },
  fc.constant<TraceLine>({ kind: 'reset' }),
  fc
    .record({
      call: commandArb,
      kind: fc.constantFrom('crash', 'hang', 'protocol', 'error' as const),
      message: textArb,
    })
    .map(
      ({ call, kind, message }): TraceLine => ({
        kind: 'failure',
        line: { call, failure: { kind, message } },
      }),
    ),
);

const model = modelOf(openssl30);
const HEADER: TraceHeader = {
  trace: 'session-oracle',
  version: 1,
  profile: 'openssl-3.0',
  implementation: 'the model itself',
};

/**
 * A valid trace: the model's own outcomes for the calls of generated plans (so it conforms), one
 * sequence per plan, separated by reset lines.
 */
export const validTraceArb: fc.Arbitrary<string> = fc
  .array(planArb(25), { minLength: 1, maxLength: 3 })
  .map((plans) => {
    const lines: TraceLine[] = [{ kind: 'header', header: HEADER }];
    plans.forEach((plan, k) => {
      if (k > 0) lines.push({ kind: 'reset' });
      for (const s of runPlan(model, plan).steps) {
        const now = 'now' in s.call ? s.call.now : undefined;
        lines.push(
          callLine(
            toCommand(s.call),
            now === undefined ? { outcome: s.outcome } : { outcome: s.outcome, now },
          ),
        );
      }
    });
    return `${lines.map(traceLineText).join('\n')}\n`;
  });
