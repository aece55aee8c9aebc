/**
 * The step contract shared by every part of session-oracle.
 *
 * A call is a tagged union whose tag (`fn`) is the C function's name, so a sequence of calls
 * reads like the C program that makes them. Objects are named by symbolic handles assigned at
 * creation (`s1`, `c1`), never by address. Integers that are C `long`/`time_t` values are
 * `bigint`, so 64-bit arithmetic (and its overflow) is exact. Values the model cannot know are
 * inputs: a call that reads the clock carries `now`.
 *
 * @category contract
 */

/** A clause id, defined by a heading `### §AREA-N — title` in `spec/`. */
export type ClauseId = `§${string}`;

/** Symbolic handle of an `SSL_SESSION`: `s1`, `s2`, … in creation order. */
export type SessionHandle = `s${number}`;
/** Symbolic handle of an `SSL_CTX`: `c1`, `c2`, … in creation order. */
export type CtxHandle = `c${number}`;
/** Symbolic handle of an `SSL` (a connection): `t1`, `t2`, … in creation order. */
export type SslHandle = `t${number}`;

/** Which end of a connection an `SSL` is (`SSL_set_accept_state` / `SSL_set_connect_state`). */
export type Role = 'server' | 'client';
/**
 * How far a `handshake` call drives a client and a server: to the end, or only until the server
 * has read the ClientHello and written its first flight (the client has not read it).
 */
export type HandshakeUntil = 'done' | 'server-hello';

/** Names of the callbacks an application installs; `null` is the NULL pointer. */
export type CallbackName = string | null;

/** The `SSL_CTX_sess_*` statistics getters, by the counter they read. */
export const COUNTERS = [
  'connect',
  'connect_good',
  'connect_renegotiate',
  'accept',
  'accept_good',
  'accept_renegotiate',
  'hits',
  'cb_hits',
  'misses',
  'timeouts',
  'cache_full',
] as const;
export type Counter = (typeof COUNTERS)[number];
/** The getter macro that reads a counter, e.g. `SSL_CTX_sess_cache_full`. */
export type StatFn = `SSL_CTX_sess_${Counter}`;
export const statFn = (c: Counter): StatFn => `SSL_CTX_sess_${c}`;
export const STAT_FNS: readonly StatFn[] = COUNTERS.map(statFn);

/** Every call of the object-level API. `now` is the clock reading the library would take. */
export type Call =
  | { readonly fn: 'SSL_SESSION_new'; readonly now: bigint }
  | { readonly fn: 'SSL_SESSION_set1_id'; readonly s: SessionHandle; readonly id: string }
  | { readonly fn: 'SSL_SESSION_set_time'; readonly s: SessionHandle; readonly t: bigint }
  | { readonly fn: 'SSL_SESSION_set_timeout'; readonly s: SessionHandle; readonly t: bigint }
  | { readonly fn: 'SSL_SESSION_get_time'; readonly s: SessionHandle }
  | { readonly fn: 'SSL_SESSION_get_timeout'; readonly s: SessionHandle }
  | { readonly fn: 'SSL_SESSION_up_ref'; readonly s: SessionHandle }
  | { readonly fn: 'SSL_SESSION_free'; readonly s: SessionHandle | null }
  | { readonly fn: 'SSL_SESSION_is_resumable'; readonly s: SessionHandle }
  | { readonly fn: 'SSL_CTX_new' }
  | { readonly fn: 'SSL_CTX_free'; readonly ctx: CtxHandle }
  | {
      readonly fn: 'SSL_CTX_add_session';
      readonly ctx: CtxHandle;
      readonly s: SessionHandle;
      readonly now: bigint;
    }
  | { readonly fn: 'SSL_CTX_remove_session'; readonly ctx: CtxHandle; readonly s: SessionHandle | null }
  | { readonly fn: 'SSL_CTX_flush_sessions'; readonly ctx: CtxHandle; readonly t: bigint }
  | { readonly fn: 'SSL_CTX_sess_set_cache_size'; readonly ctx: CtxHandle; readonly size: bigint }
  | { readonly fn: 'SSL_CTX_sess_get_cache_size'; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_sess_number'; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_set_session_cache_mode'; readonly ctx: CtxHandle; readonly mode: bigint }
  | { readonly fn: 'SSL_CTX_get_session_cache_mode'; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_set_timeout'; readonly ctx: CtxHandle; readonly t: bigint }
  | { readonly fn: 'SSL_CTX_get_timeout'; readonly ctx: CtxHandle }
  | { readonly fn: StatFn; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_sess_set_new_cb'; readonly ctx: CtxHandle; readonly cb: CallbackName }
  | { readonly fn: 'SSL_CTX_sess_set_remove_cb'; readonly ctx: CtxHandle; readonly cb: CallbackName }
  | { readonly fn: 'SSL_CTX_sess_set_get_cb'; readonly ctx: CtxHandle; readonly cb: CallbackName }
  | { readonly fn: 'SSL_CTX_sess_get_new_cb'; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_sess_get_remove_cb'; readonly ctx: CtxHandle }
  | { readonly fn: 'SSL_CTX_sess_get_get_cb'; readonly ctx: CtxHandle }
  // ---- connections (TLS 1.2 with session ids) ----
  | { readonly fn: 'SSL_CTX_set_session_id_context'; readonly ctx: CtxHandle; readonly sid: string }
  | { readonly fn: 'SSL_CTX_set_verify'; readonly ctx: CtxHandle; readonly mode: bigint }
  | {
      readonly fn: 'SSL_new';
      readonly ctx: CtxHandle;
      readonly role: Role;
      /**
       * `SSL_set_max_proto_version(TLS1_3_VERSION)` instead of TLS 1.2: a TLS 1.3-capable client
       * (talking to this level's TLS 1.2 servers, it sends a random legacy session id).
       */
      readonly max?: 'TLSv1.3';
    }
  | { readonly fn: 'SSL_free'; readonly ssl: SslHandle }
  | { readonly fn: 'SSL_set_session'; readonly ssl: SslHandle; readonly s: SessionHandle | null }
  | { readonly fn: 'SSL_get_session'; readonly ssl: SslHandle }
  | { readonly fn: 'SSL_get1_session'; readonly ssl: SslHandle }
  | { readonly fn: 'SSL_session_reused'; readonly ssl: SslHandle }
  | { readonly fn: 'SSL_shutdown'; readonly ssl: SslHandle }
  | { readonly fn: 'SSL_clear'; readonly ssl: SslHandle }
  | {
      /**
       * Not a libssl function: the harness's loop that runs `SSL_do_handshake` on the client and
       * the server in turn over fresh memory BIOs, moving the bytes, until both finish or one
       * fails (`until: 'done'`), or only until the server has answered the ClientHello.
       * Inputs the model cannot know: the clock before (`now`) and after (`later`) the call,
       * and the random session ids drawn in it, in order (`ids`): a TLS 1.3-capable client's
       * legacy id, then the ids the server generated.
       */
      readonly fn: 'handshake';
      readonly client: SslHandle;
      readonly server: SslHandle;
      readonly until: HandshakeUntil;
      readonly now: bigint;
      readonly later?: bigint;
      readonly ids: readonly string[];
    };

export type CallName = Call['fn'];
export type CallOf<N extends CallName> = Extract<Call, { readonly fn: N }>;

/** The C return value of a call. */
export type Ret =
  | { readonly t: 'void' }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'session'; readonly v: SessionHandle | null }
  | { readonly t: 'ctx'; readonly v: CtxHandle }
  | { readonly t: 'ssl'; readonly v: SslHandle }
  | { readonly t: 'callback'; readonly v: CallbackName };

/** What an observer of the real library sees during a call, in order. */
export type Event =
  /** `remove_session_cb(ctx, s)` was invoked. */
  | { readonly ev: 'remove_cb'; readonly ctx: CtxHandle; readonly s: SessionHandle }
  /** The `SSL_SESSION` object was destroyed (its last reference dropped). */
  | { readonly ev: 'free'; readonly s: SessionHandle }
  /** The library created an `SSL_SESSION` object inside the call (it gets the next handle). */
  | { readonly ev: 'new'; readonly s: SessionHandle }
  /** `new_session_cb(ssl, s)` was invoked (the driver's callback returns 0: keeps nothing). */
  | { readonly ev: 'new_cb'; readonly ssl: SslHandle; readonly s: SessionHandle }
  /** `get_session_cb(ssl, id, len, &copy)` was invoked (the driver's callback answers NULL). */
  | { readonly ev: 'get_cb'; readonly ssl: SslHandle; readonly id: string }
  /** The server drew a session id (`generate_session_id`). */
  | { readonly ev: 'gen_id'; readonly ssl: SslHandle };

/** One observable outcome: the return value and the ordered events. */
export interface Outcome {
  readonly ret: Ret;
  readonly events: readonly Event[];
}

/** One allowed way the call may go: what is observed, and the state it leads to. */
export interface Branch<S> {
  readonly outcome: Outcome;
  readonly state: S;
}

/**
 * The result of one step. `defined`: the call has defined behaviour, and the real library's
 * outcome must be one of `branches` (usually exactly one). `undefined`: the C standard or the
 * library's contract gives the call no meaning (use after free, double free…); such a call is
 * never sent to an implementation and ends the sequence.
 */
export type StepResult<S> =
  | {
      readonly kind: 'defined';
      readonly branches: readonly [Branch<S>, ...Branch<S>[]];
      readonly clauses: readonly ClauseId[];
    }
  | { readonly kind: 'undefined'; readonly reason: string; readonly clauses: readonly ClauseId[] };

/** Return-value constructors. */
export const ret = {
  void: { t: 'void' } as Ret,
  int: (v: bigint | number | boolean): Ret => ({
    t: 'int',
    v: typeof v === 'bigint' ? v : BigInt(typeof v === 'boolean' ? (v ? 1 : 0) : v),
  }),
  session: (v: SessionHandle | null): Ret => ({ t: 'session', v }),
  ctx: (v: CtxHandle): Ret => ({ t: 'ctx', v }),
  ssl: (v: SslHandle): Ret => ({ t: 'ssl', v }),
  callback: (v: CallbackName): Ret => ({ t: 'callback', v }),
} as const;

/** Calls that read the library's clock: their `now` is an observation, not a choice. */
export const CLOCK_READERS = [
  'SSL_SESSION_new',
  'SSL_CTX_add_session',
  'handshake',
] as const satisfies readonly CallName[];

type WithoutNow<C> = C extends { readonly now: bigint } ? Omit<C, 'now' | 'later' | 'ids'> : C;
/**
 * A call as a driver receives it: the clock reading is left out, because only the
 * implementation can take it; the driver reports it back as an observation.
 */
export type Command = WithoutNow<Call>;

/** What a driver reports for one command: the outcome and, for a clock reader, the clock. */
export interface Observation {
  readonly outcome: Outcome;
  /** The time the implementation read, for `CLOCK_READERS` (seconds since the epoch). */
  readonly now?: bigint;
  /** For a `handshake`: the clock after the call, when it differs from `now`. */
  readonly later?: bigint;
  /** For a `handshake`: the session ids the server drew, in order. */
  readonly ids?: readonly string[];
}

/** Completes a command with the inputs an implementation reported (clock 0 when none). */
export const withClock = (
  cmd: Command,
  now: bigint | undefined,
  obs?: Omit<Observation, 'outcome'>,
): Call => {
  if (!(CLOCK_READERS as readonly string[]).includes(cmd.fn)) return cmd as Call;
  if (cmd.fn !== 'handshake') return { ...cmd, now: now ?? 0n } as Call;
  const later = obs?.later;
  return {
    ...cmd,
    now: now ?? 0n,
    ...(later !== undefined && later !== now ? { later } : {}),
    ids: obs?.ids ?? [],
  } as Call;
};
