/**
 * The driver protocol (spec/driver-protocol.md, protocol 1): JSON Lines between the oracle and
 * a driver process that runs an implementation. The io-ts codecs here are the single definition
 * of every message; the TypeScript types of the wire format are derived from them.
 *
 * Decoding is strict about what the oracle relies on (64-bit integers are decimal strings,
 * handles are `s<N>`/`c<N>`) and ignores unknown fields, so a later protocol can add some.
 * Every decoding error is one line naming the field, e.g.
 * `answer to call 7: field "ret.v": expected a decimal string (signed 64-bit), got 12`.
 *
 * @category driver
 */

import * as t from 'io-ts';
import { LONG_MAX, LONG_MIN } from '../model/int64.js';
import {
  CLOCK_READERS,
  type Command,
  type CtxHandle,
  type Event,
  type Observation,
  type Ret,
  type SessionHandle,
  type SslHandle,
  STAT_FNS,
  type StatFn,
} from '../model/types.js';

/** The protocol version this module speaks: the value of `hello`. */
export const PROTOCOL_VERSION = 1;

// ---- leaf codecs ----

const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/;

/** A C `long`/`time_t` as a JSON string of decimal digits ("-1", "9223372036854775807"). */
export const Int64String = new t.Type<bigint, string, unknown>(
  'a decimal string (signed 64-bit)',
  (u): u is bigint => typeof u === 'bigint' && u >= LONG_MIN && u <= LONG_MAX,
  (u, c) => {
    if (typeof u !== 'string' || !DECIMAL.test(u) || u === '-0') return t.failure(u, c);
    const v = BigInt(u);
    return v >= LONG_MIN && v <= LONG_MAX ? t.success(v) : t.failure(u, c);
  },
  (v) => v.toString(10),
);

const handle = <H extends string>(prefix: 's' | 'c' | 't', name: string) => {
  const re = new RegExp(`^${prefix}[1-9][0-9]*$`);
  const is = (u: unknown): u is H => typeof u === 'string' && re.test(u);
  return new t.Type<H, string, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c)), String);
};
/** A session handle, `s1`, `s2`, … */
export const SessionHandleC = handle<SessionHandle>('s', 'a session handle ("s<N>")');
/** A context handle, `c1`, `c2`, … */
export const CtxHandleC = handle<CtxHandle>('c', 'a context handle ("c<N>")');
/** A connection handle, `t1`, `t2`, … */
export const SslHandleC = handle<SslHandle>('t', 'a connection handle ("t<N>")');

/** `c`, or JSON null; one error names both alternatives. */
const orNull = <A, O>(c: t.Type<A, O, unknown>, name: string) =>
  new t.Type<A | null, O | null, unknown>(
    name,
    (u): u is A | null => u === null || c.is(u),
    (u, ctx) => (u === null ? t.success(null) : c.validate(u, ctx)),
    (a) => (a === null ? null : c.encode(a)),
  );

const SessionOrNull = orNull(SessionHandleC, 'a session handle or null');
const CallbackNameC = orNull(t.string, 'a string or null');

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
/**
 * A session id as hex (even length). The oracle sends it in lowercase; decoding accepts either
 * case and gives lowercase, the model's form (its cache key compares ids as strings).
 */
export const HexString = new t.Type<string, string, unknown>(
  'a hex string of whole bytes',
  (u): u is string => typeof u === 'string' && HEX.test(u),
  (u, c) => (typeof u === 'string' && HEX.test(u) ? t.success(u.toLowerCase()) : t.failure(u, c)),
  (s) => s.toLowerCase(),
);

/** A JSON number that is a positive safe integer (message ids). */
const MessageId = new t.Type<number, number, unknown>(
  'a positive integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u > 0 ? t.success(u) : t.failure(u, c)),
  (n) => n,
);

/** A field whose name is shown in errors about a missing or unknown tag. */
const describe = (name: string): t.Decoder<unknown, unknown> =>
  new t.Type<unknown>(name, (_u): _u is unknown => true, t.success, t.identity);

/**
 * A union of object codecs told apart by the string field `tag`: the member is chosen by the
 * tag's value, so an error is reported against that member only.
 */
function tagged<K extends string, M extends Record<string, t.Mixed>>(
  name: string,
  tag: K,
  members: M,
  tagName: string,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> {
  type A = t.TypeOf<M[keyof M]>;
  type O = t.OutputOf<M[keyof M]>;
  const member = (u: unknown): t.Mixed | undefined => {
    if (typeof u !== 'object' || u === null) return undefined;
    const v = (u as Record<string, unknown>)[tag];
    return typeof v === 'string' && Object.hasOwn(members, v) ? members[v] : undefined;
  };
  return new t.Type<A, O, unknown>(
    name,
    (u): u is A => member(u)?.is(u) ?? false,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c);
      const m = member(u);
      if (m === undefined) {
        const v = (u as Record<string, unknown>)[tag];
        return t.failure(v, t.appendContext(c, tag, describe(tagName), v));
      }
      return m.validate(u, c) as t.Validation<A>;
    },
    (a) => {
      const m = member(a);
      if (m === undefined) throw new TypeError(`${name}: no codec for ${String((a as never)[tag])}`);
      return m.encode(a) as O;
    },
  );
}

// ---- calls ----

/**
 * An object codec that drops fields it does not know, when decoding and when encoding: decoded
 * values carry exactly the model's fields (reports print every argument of a call), and a model
 * `Call` encoded as a command loses its `now`.
 */
const obj = <P extends t.Props>(props: P) => t.exact(t.type(props));

const onSession = <F extends string>(fn: F) => obj({ fn: t.literal(fn), s: SessionHandleC });
const onCtx = <F extends string>(fn: F) => obj({ fn: t.literal(fn), ctx: CtxHandleC });
const onSsl = <F extends string>(fn: F) => obj({ fn: t.literal(fn), ssl: SslHandleC });
const setCb = <F extends string>(fn: F) => obj({ fn: t.literal(fn), ctx: CtxHandleC, cb: CallbackNameC });

type StatMembers = { [F in StatFn]: t.ExactC<t.TypeC<{ fn: t.LiteralC<F>; ctx: typeof CtxHandleC }>> };
const statMembers = Object.fromEntries(STAT_FNS.map((fn) => [fn, onCtx(fn)])) as unknown as StatMembers;

/** One codec per C function, keyed by its name. */
const CALL_MEMBERS = {
  SSL_SESSION_new: obj({ fn: t.literal('SSL_SESSION_new') }),
  SSL_SESSION_set1_id: obj({ fn: t.literal('SSL_SESSION_set1_id'), s: SessionHandleC, id: HexString }),
  SSL_SESSION_set_time: obj({ fn: t.literal('SSL_SESSION_set_time'), s: SessionHandleC, t: Int64String }),
  SSL_SESSION_set_timeout: obj({
    fn: t.literal('SSL_SESSION_set_timeout'),
    s: SessionHandleC,
    t: Int64String,
  }),
  SSL_SESSION_get_time: onSession('SSL_SESSION_get_time'),
  SSL_SESSION_get_timeout: onSession('SSL_SESSION_get_timeout'),
  SSL_SESSION_up_ref: onSession('SSL_SESSION_up_ref'),
  SSL_SESSION_free: obj({ fn: t.literal('SSL_SESSION_free'), s: SessionOrNull }),
  SSL_SESSION_is_resumable: onSession('SSL_SESSION_is_resumable'),
  SSL_CTX_new: obj({ fn: t.literal('SSL_CTX_new') }),
  SSL_CTX_free: onCtx('SSL_CTX_free'),
  SSL_CTX_add_session: obj({ fn: t.literal('SSL_CTX_add_session'), ctx: CtxHandleC, s: SessionHandleC }),
  SSL_CTX_remove_session: obj({
    fn: t.literal('SSL_CTX_remove_session'),
    ctx: CtxHandleC,
    s: SessionOrNull,
  }),
  SSL_CTX_flush_sessions: obj({
    fn: t.literal('SSL_CTX_flush_sessions'),
    ctx: CtxHandleC,
    t: Int64String,
  }),
  SSL_CTX_sess_set_cache_size: obj({
    fn: t.literal('SSL_CTX_sess_set_cache_size'),
    ctx: CtxHandleC,
    size: Int64String,
  }),
  SSL_CTX_sess_get_cache_size: onCtx('SSL_CTX_sess_get_cache_size'),
  SSL_CTX_sess_number: onCtx('SSL_CTX_sess_number'),
  SSL_CTX_set_session_cache_mode: obj({
    fn: t.literal('SSL_CTX_set_session_cache_mode'),
    ctx: CtxHandleC,
    mode: Int64String,
  }),
  SSL_CTX_get_session_cache_mode: onCtx('SSL_CTX_get_session_cache_mode'),
  SSL_CTX_set_timeout: obj({ fn: t.literal('SSL_CTX_set_timeout'), ctx: CtxHandleC, t: Int64String }),
  SSL_CTX_get_timeout: onCtx('SSL_CTX_get_timeout'),
  ...statMembers,
  SSL_CTX_sess_set_new_cb: setCb('SSL_CTX_sess_set_new_cb'),
  SSL_CTX_sess_set_remove_cb: setCb('SSL_CTX_sess_set_remove_cb'),
  SSL_CTX_sess_set_get_cb: setCb('SSL_CTX_sess_set_get_cb'),
  SSL_CTX_sess_get_new_cb: onCtx('SSL_CTX_sess_get_new_cb'),
  SSL_CTX_sess_get_remove_cb: onCtx('SSL_CTX_sess_get_remove_cb'),
  SSL_CTX_sess_get_get_cb: onCtx('SSL_CTX_sess_get_get_cb'),
  SSL_CTX_set_session_id_context: obj({
    fn: t.literal('SSL_CTX_set_session_id_context'),
    ctx: CtxHandleC,
    sid: HexString,
  }),
  SSL_CTX_set_verify: obj({ fn: t.literal('SSL_CTX_set_verify'), ctx: CtxHandleC, mode: Int64String }),
  SSL_new: t.exact(
    t.intersection([
      t.type({
        fn: t.literal('SSL_new'),
        ctx: CtxHandleC,
        role: t.union([t.literal('server'), t.literal('client')], '"server" or "client"'),
      }),
      t.partial({ max: t.literal('TLSv1.3') }),
    ]),
  ),
  SSL_free: onSsl('SSL_free'),
  SSL_set_session: obj({ fn: t.literal('SSL_set_session'), ssl: SslHandleC, s: SessionOrNull }),
  SSL_get_session: onSsl('SSL_get_session'),
  SSL_get1_session: onSsl('SSL_get1_session'),
  SSL_session_reused: onSsl('SSL_session_reused'),
  SSL_shutdown: onSsl('SSL_shutdown'),
  SSL_clear: onSsl('SSL_clear'),
  handshake: obj({
    fn: t.literal('handshake'),
    client: SslHandleC,
    server: SslHandleC,
    until: t.union([t.literal('done'), t.literal('server-hello')], '"done" or "server-hello"'),
  }),
};

/** A `Command` and its JSON form (the `call` object of a call message). */
export const CommandC = tagged('a call object', 'fn', CALL_MEMBERS, 'a known function name');
/** The JSON form of a command. */
export type WireCommand = t.OutputOf<typeof CommandC>;

// ---- answers ----

const RET_MEMBERS = {
  void: obj({ t: t.literal('void') }),
  int: obj({ t: t.literal('int'), v: Int64String }),
  session: obj({ t: t.literal('session'), v: SessionOrNull }),
  ctx: obj({ t: t.literal('ctx'), v: CtxHandleC }),
  ssl: obj({ t: t.literal('ssl'), v: SslHandleC }),
  callback: obj({ t: t.literal('callback'), v: CallbackNameC }),
};
/** A C return value. */
export const RetC = tagged(
  'a return value object',
  't',
  RET_MEMBERS,
  'one of "void", "int", "session", "ctx", "ssl", "callback"',
);
export type WireRet = t.OutputOf<typeof RetC>;

const EVENT_MEMBERS = {
  remove_cb: obj({ ev: t.literal('remove_cb'), ctx: CtxHandleC, s: SessionHandleC }),
  free: obj({ ev: t.literal('free'), s: SessionHandleC }),
  new: obj({ ev: t.literal('new'), s: SessionHandleC }),
  new_cb: obj({ ev: t.literal('new_cb'), ssl: SslHandleC, s: SessionHandleC }),
  get_cb: obj({ ev: t.literal('get_cb'), ssl: SslHandleC, id: HexString }),
  gen_id: obj({ ev: t.literal('gen_id'), ssl: SslHandleC }),
};
/** An event observed during a call. */
export const EventC = tagged(
  'an event object',
  'ev',
  EVENT_MEMBERS,
  'one of "remove_cb", "free", "new", "new_cb", "get_cb", "gen_id"',
);
export type WireEvent = t.OutputOf<typeof EventC>;

// Compile-time checks that the codecs describe exactly the model's types.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<t.TypeOf<typeof CommandC>, Command>,
  Same<t.TypeOf<typeof RetC>, Ret>,
  Same<t.TypeOf<typeof EventC>, Event>,
] = [true, true, true];
void sameTypes;

// ---- messages ----

/** The oracle's first line: `{"hello": 1}`. */
export const HelloC = t.type({ hello: MessageId });
export type Hello = t.TypeOf<typeof HelloC>;

/** The driver's answer to the hello: its implementation, or why it cannot run. */
export const HelloAnswerC = t.union([
  t.intersection([t.type({ hello: MessageId, implementation: t.string }), t.partial({ profile: t.string })]),
  t.type({ hello: MessageId, error: t.string }),
]);
export type HelloAnswer = t.TypeOf<typeof HelloAnswerC>;

/** `{"id": N, "call": {...}}`. */
export const CallMessageC = t.type({ id: MessageId, call: CommandC });
export type CallMessage = t.TypeOf<typeof CallMessageC>;
/** `{"id": N, "reset": true}`, both the request and its answer. */
export const ResetMessageC = t.type({ id: MessageId, reset: t.literal(true) });
export type ResetMessage = t.TypeOf<typeof ResetMessageC>;

/** The answer to a call that the driver performed. */
export const ResultAnswerC = t.intersection([
  t.type({ id: MessageId, ret: RetC, events: t.array(EventC) }),
  t.partial({ now: Int64String, later: Int64String, ids: t.array(HexString) }),
]);
export type ResultAnswer = t.TypeOf<typeof ResultAnswerC>;
/** The answer to a call that the driver could not perform. */
export const ErrorAnswerC = t.type({ id: MessageId, error: t.string });
export type ErrorAnswer = t.TypeOf<typeof ErrorAnswerC>;

/** What the oracle sends after the hello. */
export type Request = CallMessage | ResetMessage;
/** What a driver sends back after the hello. */
export type Answer = ResultAnswer | ErrorAnswer | ResetMessage;

// ---- reporting ----

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing';
  let s: string;
  try {
    s = JSON.stringify(u) ?? String(u);
  } catch {
    s = String(u);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/**
 * The first decoding error as one line: `field "ret.v": expected …, got …` (or
 * `expected …, got …` about the whole value).
 */
export function reportErrors(errors: t.Errors): string {
  const e = errors[0];
  if (e === undefined) return 'invalid value';
  // Intersections and unions repeat their value under numeric keys: those are not fields.
  let path = '';
  e.context.forEach((c, i) => {
    if (c.key === '') return;
    const outer = e.context[i - 1]?.type;
    // An exact codec validates its inner codec in the same context: look through it.
    const parent = outer instanceof t.ExactType ? outer.type : outer;
    if (parent instanceof t.IntersectionType || parent instanceof t.UnionType) return;
    if (parent instanceof t.ArrayType) path += `[${c.key}]`;
    else path += path === '' ? c.key : `.${c.key}`;
  });
  const expected = e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value';
  const got = e.value === undefined ? 'but it is missing' : `got ${show(e.value)}`;
  return path === '' ? `expected ${expected}, ${got}` : `field "${path}": expected ${expected}, ${got}`;
}

/** Decodes `u` with `codec`, or returns the one-line error prefixed by `what`. */
export function decodeWith<A>(
  codec: t.Decoder<unknown, A>,
  u: unknown,
  what: string,
): { ok: true; value: A } | { ok: false; error: string } {
  const r = codec.decode(u);
  return r._tag === 'Right'
    ? { ok: true, value: r.right }
    : { ok: false, error: `${what}: ${reportErrors(r.left)}` };
}

/** Parses one line as a JSON object, or returns a one-line error. */
export function parseLine(
  line: string,
  what: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    return { ok: false, error: `${what}: not JSON (${msg}): ${show(line)}` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { ok: false, error: `${what}: expected a JSON object, got ${show(v)}` };
  }
  return { ok: true, value: v };
}

// ---- the oracle's side ----

/** The line (without newline) that sends `cmd` as call `id`. */
export const encodeCall = (id: number, cmd: Command): string =>
  JSON.stringify(CallMessageC.encode({ id, call: cmd }));

/** The line (without newline) that asks for a reset as message `id`. */
export const encodeReset = (id: number): string => JSON.stringify(ResetMessageC.encode({ id, reset: true }));

/** The line (without newline) of the oracle's hello. */
export const encodeHello = (): string => JSON.stringify({ hello: PROTOCOL_VERSION });

/**
 * Classifies a parsed answer: a result, an error answer, or a reset acknowledgement. An object
 * with `error` is an error answer, one with `reset` a reset answer, anything else a result.
 */
export function decodeAnswer(
  u: unknown,
  what: string,
): { ok: true; value: Answer } | { ok: false; error: string } {
  const has = (k: string): boolean => typeof u === 'object' && u !== null && Object.hasOwn(u, k);
  if (has('error')) return decodeWith(ErrorAnswerC, u, what);
  if (has('reset')) return decodeWith(ResetMessageC, u, what);
  return decodeWith(ResultAnswerC, u, what);
}

const isClockReader = (fn: string): boolean => (CLOCK_READERS as readonly string[]).includes(fn);

/**
 * The observation a result answer reports for `cmd`. `now` is required for the clock readers
 * and dropped for every other call.
 */
export function toObservation(
  cmd: Command,
  a: ResultAnswer,
  what: string,
): { ok: true; value: Observation } | { ok: false; error: string } {
  const outcome = { ret: a.ret, events: a.events };
  if (!isClockReader(cmd.fn)) return { ok: true, value: { outcome } };
  if (a.now === undefined) {
    return { ok: false, error: `${what}: field "now": required for ${cmd.fn}, but it is missing` };
  }
  if (cmd.fn !== 'handshake') return { ok: true, value: { outcome, now: a.now } };
  if (a.later !== undefined && a.later < a.now) {
    return { ok: false, error: `${what}: field "later": the clock went backwards (${a.later} < ${a.now})` };
  }
  return {
    ok: true,
    value: { outcome, now: a.now, ...(a.later === undefined ? {} : { later: a.later }), ids: a.ids ?? [] },
  };
}

// ---- the driver's side ----

/** The line (without newline) that answers call `id` with observation `obs` of `cmd`. */
export function encodeResult(id: number, cmd: Command, obs: Observation): string {
  const now = isClockReader(cmd.fn) ? obs.now : undefined;
  const base = { id, ret: obs.outcome.ret, events: [...obs.outcome.events] };
  if (now === undefined) return JSON.stringify(ResultAnswerC.encode(base));
  if (cmd.fn !== 'handshake') return JSON.stringify(ResultAnswerC.encode({ ...base, now }));
  const later = obs.later !== undefined && obs.later !== now ? { later: obs.later } : {};
  return JSON.stringify(ResultAnswerC.encode({ ...base, now, ...later, ids: [...(obs.ids ?? [])] }));
}

/** The line (without newline) of an error answer; the message is cut to its first line. */
export const encodeError = (id: number, message: string): string =>
  JSON.stringify({ id, error: message.split('\n')[0] ?? '' });
