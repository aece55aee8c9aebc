/**
 * In-process driver: executes `Command`s against a real OpenSSL-ABI library through koffi and
 * reports what it observes as an `Observation`.
 *
 * Objects are named by symbolic handles in creation order (`s1`, `s2`, … and `c1`, `c2`, …).
 * Right after `SSL_SESSION_new`, the session's handle number is stored in an ex_data slot whose
 * free function is a registered C callback, so every destruction of a session is reported by
 * handle, whatever address the allocator hands out next. A registered `remove_session_cb`
 * reports each invocation. Both land in the current call's event list, in the order the library
 * makes them.
 *
 * C callbacks are per loaded library (see `Hooks`), not per driver: they are registered once,
 * never unregistered (the library may hold them for as long as it is loaded), and deliver to the
 * driver whose call is running. JavaScript exceptions never cross into C: a callback that cannot
 * make sense of its arguments records a problem, and `exec` throws it once the C call returns.
 *
 * @category driver
 */

import {
  CRYPTO_EX_INDEX_SSL_SESSION,
  CTRL,
  EX_FREE_PROTO,
  GET_CB_PROTO,
  type Libssl,
  type LibsslPaths,
  loadLibssl,
  NEW_CB_PROTO,
  type Ptr,
  REMOVE_CB_PROTO,
  registerCallback,
  SSL_SESS_CACHE_UPDATE_TIME,
} from '../ffi/libssl.js';
import {
  type CallbackName,
  type Command,
  type Counter,
  type CtxHandle,
  type Event,
  type Observation,
  type Ret,
  ret,
  type SessionHandle,
  type StatFn,
} from '../model/types.js';

/** The three session-cache callbacks an `SSL_CTX` holds. */
type CallbackKind = 'new' | 'remove' | 'get';

/** `SSL_CTX_ctrl` numbers of the statistics getters. */
const STAT_CTRL: Readonly<Record<Counter, number>> = {
  connect: CTRL.SESS_CONNECT,
  connect_good: CTRL.SESS_CONNECT_GOOD,
  connect_renegotiate: CTRL.SESS_CONNECT_RENEGOTIATE,
  accept: CTRL.SESS_ACCEPT,
  accept_good: CTRL.SESS_ACCEPT_GOOD,
  accept_renegotiate: CTRL.SESS_ACCEPT_RENEGOTIATE,
  hits: CTRL.SESS_HIT,
  cb_hits: CTRL.SESS_CB_HIT,
  misses: CTRL.SESS_MISSES,
  timeouts: CTRL.SESS_TIMEOUTS,
  cache_full: CTRL.SESS_CACHE_FULL,
};
const STAT_PREFIX = 'SSL_CTX_sess_';
const isStatFn = (fn: string): fn is StatFn =>
  fn.startsWith(STAT_PREFIX) && Object.hasOwn(STAT_CTRL, fn.slice(STAT_PREFIX.length));

/** Where callbacks deliver: the driver whose call is running. */
interface Sink {
  onFree(label: Ptr): void;
  onRemove(ctx: Ptr, label: Ptr): void;
  problem(message: string): void;
}

/** The C callbacks and the ex_data index of one loaded library, shared by its drivers. */
class Hooks {
  /** The ex_data index of `SSL_SESSION` that holds the driver's handle number. */
  readonly exIndex: number;
  /** The driver whose call is running, if any. */
  active: Sink | undefined;
  private readonly byName = new Map<string, Ptr>();
  private readonly names = new Map<Ptr, { readonly kind: CallbackKind; readonly name: string }>();

  private static readonly all = new WeakMap<Libssl, Hooks>();
  static of(lib: Libssl): Hooks {
    let h = Hooks.all.get(lib);
    if (h === undefined) {
      h = new Hooks(lib);
      Hooks.all.set(lib, h);
    }
    return h;
  }

  private constructor(private readonly lib: Libssl) {
    const onFree = (_parent: unknown, ptr: Ptr | null): void => {
      // Every session is freed through here, labelled or not; an unlabelled one has ptr NULL.
      if (ptr === null || ptr === 0n) return;
      this.active?.onFree(ptr);
    };
    const freeFn = registerCallback(onFree, EX_FREE_PROTO);
    const idx = lib.CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0n, 0n, 0n, 0n, freeFn);
    if (idx < 0) throw new Error(`CRYPTO_get_ex_new_index failed in ${lib.libcryptoPath}`);
    this.exIndex = idx;
  }

  /** The C function pointer installed for callback `name` of `kind` (one per pair). */
  pointer(kind: CallbackKind, name: string): Ptr {
    const key = `${kind}\0${name}`;
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    const p = this.register(kind);
    this.byName.set(key, p);
    this.names.set(p, { kind, name });
    return p;
  }

  /** The name that installed function pointer `p` as a callback of `kind` (NULL → null). */
  nameOf(kind: CallbackKind, p: Ptr): CallbackName {
    if (p === 0n) return null;
    const n = this.names.get(p);
    if (n === undefined || n.kind !== kind) {
      throw new Error(
        `the library returned a ${kind} callback pointer 0x${p.toString(16)} that the driver never installed`,
      );
    }
    return n.name;
  }

  private register(kind: CallbackKind): Ptr {
    switch (kind) {
      case 'remove':
        return registerCallback((ctx: Ptr | null, sess: Ptr | null): void => {
          const sink = this.active;
          if (sink === undefined) return;
          if (ctx === null || sess === null) {
            sink.problem('remove_session_cb was called with a NULL argument');
            return;
          }
          try {
            sink.onRemove(ctx, this.lib.SSL_SESSION_get_ex_data(sess, this.exIndex));
          } catch (e) {
            sink.problem(`remove_session_cb: ${e instanceof Error ? e.message : String(e)}`);
          }
        }, REMOVE_CB_PROTO);
      case 'new':
        // Keeps no reference: the library frees the session itself.
        return registerCallback((): number => 0, NEW_CB_PROTO);
      case 'get':
        // A miss; *copy is left alone.
        return registerCallback((): Ptr => 0n, GET_CB_PROTO);
    }
  }
}

/** A session the driver created: its address and how many references the driver holds. */
interface SessionEntry {
  readonly ptr: Ptr;
  refs: number;
}

/** What one command's C call produced. */
interface Result {
  readonly ret: Ret;
  readonly now?: bigint;
}

const HEX = /^(?:[0-9a-f]{2})*$/i;

/** Executes commands against one loaded library, in this process. */
export class InProcessDriver implements Sink {
  /** The library's version string, e.g. `OpenSSL 3.0.19 27 Jan 2026`. */
  readonly version: string;
  private readonly hooks: Hooks;
  private readonly sessions = new Map<number, SessionEntry>();
  private readonly ctxs = new Map<number, Ptr>();
  private readonly ctxByPtr = new Map<Ptr, number>();
  private nextSession = 1;
  private nextCtx = 1;
  private events: Event[] = [];
  private problems: string[] = [];
  private closed = false;

  constructor(private readonly lib: Libssl) {
    this.version = lib.version;
    this.hooks = Hooks.of(lib);
  }

  /** Loads the library (see `loadLibssl`) and opens a driver on it. */
  static open(paths: LibsslPaths = {}): InProcessDriver {
    return new InProcessDriver(loadLibssl(paths));
  }

  /** Executes one command and reports its outcome (and, for a clock reader, the clock). */
  exec(cmd: Command): Observation {
    if (this.closed) throw new Error('InProcessDriver: exec after close');
    const events: Event[] = [];
    const problems: string[] = [];
    const result = this.withSink(events, problems, () => this.call(cmd));
    if (problems.length > 0) throw new Error(`InProcessDriver: ${cmd.fn}: ${problems.join('; ')}`);
    const outcome = { ret: result.ret, events };
    return result.now === undefined ? { outcome } : { outcome, now: result.now };
  }

  /**
   * Frees every context the driver created, then drops every session reference it still holds.
   * Events of this cleanup are not reported. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.withSink([], [], () => {
      for (const p of [...this.ctxs.values()]) this.lib.SSL_CTX_free(p);
      this.ctxs.clear();
      this.ctxByPtr.clear();
      for (const [n, e] of [...this.sessions]) {
        for (let i = e.refs; i > 0 && this.sessions.has(n); i--) this.lib.SSL_SESSION_free(e.ptr);
      }
    });
  }

  /** Diagnostics: the address a live handle currently names (the oracle never needs it). */
  addressOf(h: SessionHandle | CtxHandle): Ptr {
    return h.startsWith('s') ? this.session(h as SessionHandle).ptr : this.ctx(h as CtxHandle);
  }

  // ---- Sink: called from C callbacks during a call ----

  /** @internal */
  onFree(label: Ptr): void {
    const n = Number(label);
    this.sessions.delete(n);
    this.events.push({ ev: 'free', s: `s${n}` });
  }

  /** @internal */
  onRemove(ctx: Ptr, label: Ptr): void {
    const c = this.ctxByPtr.get(ctx);
    if (c === undefined) {
      this.problem(`remove_session_cb for an unknown SSL_CTX 0x${ctx.toString(16)}`);
    } else if (label === 0n) {
      this.problem('remove_session_cb for a session the driver did not create');
    } else {
      this.events.push({ ev: 'remove_cb', ctx: `c${c}`, s: `s${Number(label)}` });
    }
  }

  /** @internal */
  problem(message: string): void {
    this.problems.push(message);
  }

  // ---- internals ----

  private withSink<T>(events: Event[], problems: string[], body: () => T): T {
    const previous = this.hooks.active;
    this.events = events;
    this.problems = problems;
    this.hooks.active = this;
    try {
      return body();
    } finally {
      this.hooks.active = previous;
    }
  }

  private session(h: SessionHandle): SessionEntry {
    const e = this.sessions.get(handleNumber(h, 's'));
    if (e === undefined) throw new Error(`InProcessDriver: unknown session handle ${h}`);
    return e;
  }

  private sessionOrNull(h: SessionHandle | null): Ptr {
    return h === null ? 0n : this.session(h).ptr;
  }

  private ctx(h: CtxHandle): Ptr {
    const p = this.ctxs.get(handleNumber(h, 'c'));
    if (p === undefined) throw new Error(`InProcessDriver: unknown context handle ${h}`);
    return p;
  }

  private ctrl(h: CtxHandle, cmd: number, larg = 0n): Ret {
    return ret.int(this.lib.SSL_CTX_ctrl(this.ctx(h), cmd, larg, 0n));
  }

  private setCallback(h: CtxHandle, kind: CallbackKind, name: CallbackName): Ret {
    const ctx = this.ctx(h);
    const p = name === null ? 0n : this.hooks.pointer(kind, name);
    if (kind === 'new') this.lib.SSL_CTX_sess_set_new_cb(ctx, p);
    else if (kind === 'remove') this.lib.SSL_CTX_sess_set_remove_cb(ctx, p);
    else this.lib.SSL_CTX_sess_set_get_cb(ctx, p);
    return ret.void;
  }

  private getCallback(h: CtxHandle, kind: CallbackKind): Ret {
    const ctx = this.ctx(h);
    const p =
      kind === 'new'
        ? this.lib.SSL_CTX_sess_get_new_cb(ctx)
        : kind === 'remove'
          ? this.lib.SSL_CTX_sess_get_remove_cb(ctx)
          : this.lib.SSL_CTX_sess_get_get_cb(ctx);
    return ret.callback(this.hooks.nameOf(kind, p));
  }

  private call(cmd: Command): Result {
    const lib = this.lib;
    switch (cmd.fn) {
      case 'SSL_SESSION_new': {
        const p = lib.SSL_SESSION_new();
        if (p === 0n) throw new Error('InProcessDriver: SSL_SESSION_new returned NULL');
        const n = this.nextSession++;
        if (lib.SSL_SESSION_set_ex_data(p, this.hooks.exIndex, BigInt(n)) !== 1n) {
          lib.SSL_SESSION_free(p);
          throw new Error('InProcessDriver: SSL_SESSION_set_ex_data failed');
        }
        this.sessions.set(n, { ptr: p, refs: 1 });
        return { ret: ret.session(`s${n}`), now: lib.SSL_SESSION_get_time(p) };
      }
      case 'SSL_SESSION_set1_id': {
        if (!HEX.test(cmd.id))
          throw new Error(`InProcessDriver: session id is not hex: ${JSON.stringify(cmd.id)}`);
        const s = this.session(cmd.s).ptr;
        const bytes = Buffer.from(cmd.id, 'hex');
        // Never pass a zero-length buffer: the pointer must be valid even when the length is 0.
        const buf = bytes.length > 0 ? bytes : Buffer.alloc(1);
        return { ret: ret.int(lib.SSL_SESSION_set1_id(s, buf, bytes.length)) };
      }
      case 'SSL_SESSION_set_time':
        return { ret: ret.int(lib.SSL_SESSION_set_time(this.session(cmd.s).ptr, cmd.t)) };
      case 'SSL_SESSION_set_timeout':
        return { ret: ret.int(lib.SSL_SESSION_set_timeout(this.session(cmd.s).ptr, cmd.t)) };
      case 'SSL_SESSION_get_time':
        return { ret: ret.int(lib.SSL_SESSION_get_time(this.session(cmd.s).ptr)) };
      case 'SSL_SESSION_get_timeout':
        return { ret: ret.int(lib.SSL_SESSION_get_timeout(this.session(cmd.s).ptr)) };
      case 'SSL_SESSION_up_ref': {
        const e = this.session(cmd.s);
        const r = lib.SSL_SESSION_up_ref(e.ptr);
        if (r === 1n) e.refs++;
        return { ret: ret.int(r) };
      }
      case 'SSL_SESSION_free': {
        if (cmd.s === null) {
          lib.SSL_SESSION_free(0n);
          return { ret: ret.void };
        }
        const e = this.session(cmd.s);
        e.refs--;
        lib.SSL_SESSION_free(e.ptr);
        return { ret: ret.void };
      }
      case 'SSL_SESSION_is_resumable':
        return { ret: ret.int(lib.SSL_SESSION_is_resumable(this.session(cmd.s).ptr)) };
      case 'SSL_CTX_new': {
        const p = lib.SSL_CTX_new(lib.TLS_method());
        if (p === 0n) throw new Error('InProcessDriver: SSL_CTX_new returned NULL');
        const n = this.nextCtx++;
        this.ctxs.set(n, p);
        this.ctxByPtr.set(p, n);
        return { ret: ret.ctx(`c${n}`) };
      }
      case 'SSL_CTX_free': {
        const p = this.ctx(cmd.ctx);
        lib.SSL_CTX_free(p);
        // The mapping stays until the call returns: the flush inside SSL_CTX_free reports through it.
        this.ctxs.delete(handleNumber(cmd.ctx, 'c'));
        this.ctxByPtr.delete(p);
        return { ret: ret.void };
      }
      case 'SSL_CTX_add_session': {
        const ctx = this.ctx(cmd.ctx);
        const s = this.session(cmd.s).ptr;
        const mode = lib.SSL_CTX_ctrl(ctx, CTRL.GET_SESS_CACHE_MODE, 0n, 0n);
        const r = lib.SSL_CTX_add_session(ctx, s);
        // With UPDATE_TIME the library stamps the session with its clock; otherwise the clock
        // is not observable, and the wall clock stands in for it.
        const now =
          (mode & SSL_SESS_CACHE_UPDATE_TIME) !== 0n && this.sessions.has(handleNumber(cmd.s, 's'))
            ? lib.SSL_SESSION_get_time(s)
            : BigInt(Math.floor(Date.now() / 1000));
        return { ret: ret.int(r), now };
      }
      case 'SSL_CTX_remove_session':
        return { ret: ret.int(lib.SSL_CTX_remove_session(this.ctx(cmd.ctx), this.sessionOrNull(cmd.s))) };
      case 'SSL_CTX_flush_sessions':
        lib.SSL_CTX_flush_sessions(this.ctx(cmd.ctx), cmd.t);
        return { ret: ret.void };
      case 'SSL_CTX_sess_set_cache_size':
        return { ret: this.ctrl(cmd.ctx, CTRL.SET_SESS_CACHE_SIZE, cmd.size) };
      case 'SSL_CTX_sess_get_cache_size':
        return { ret: this.ctrl(cmd.ctx, CTRL.GET_SESS_CACHE_SIZE) };
      case 'SSL_CTX_sess_number':
        return { ret: this.ctrl(cmd.ctx, CTRL.SESS_NUMBER) };
      case 'SSL_CTX_set_session_cache_mode':
        return { ret: this.ctrl(cmd.ctx, CTRL.SET_SESS_CACHE_MODE, cmd.mode) };
      case 'SSL_CTX_get_session_cache_mode':
        return { ret: this.ctrl(cmd.ctx, CTRL.GET_SESS_CACHE_MODE) };
      case 'SSL_CTX_set_timeout':
        return { ret: ret.int(lib.SSL_CTX_set_timeout(this.ctx(cmd.ctx), cmd.t)) };
      case 'SSL_CTX_get_timeout':
        return { ret: ret.int(lib.SSL_CTX_get_timeout(this.ctx(cmd.ctx))) };
      case 'SSL_CTX_sess_set_new_cb':
        return { ret: this.setCallback(cmd.ctx, 'new', cmd.cb) };
      case 'SSL_CTX_sess_set_remove_cb':
        return { ret: this.setCallback(cmd.ctx, 'remove', cmd.cb) };
      case 'SSL_CTX_sess_set_get_cb':
        return { ret: this.setCallback(cmd.ctx, 'get', cmd.cb) };
      case 'SSL_CTX_sess_get_new_cb':
        return { ret: this.getCallback(cmd.ctx, 'new') };
      case 'SSL_CTX_sess_get_remove_cb':
        return { ret: this.getCallback(cmd.ctx, 'remove') };
      case 'SSL_CTX_sess_get_get_cb':
        return { ret: this.getCallback(cmd.ctx, 'get') };
      default: {
        const fn: string = cmd.fn;
        if (!isStatFn(fn)) throw new Error(`InProcessDriver: unknown command ${fn}`);
        return { ret: this.ctrl(cmd.ctx, STAT_CTRL[fn.slice(STAT_PREFIX.length) as Counter]) };
      }
    }
  }
}

/** The number of handle `h` (`s12` → 12), checking its prefix. */
function handleNumber(h: string, prefix: 's' | 'c'): number {
  const n = h.startsWith(prefix) ? Number(h.slice(1)) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || h !== `${prefix}${n}`) {
    throw new Error(
      `InProcessDriver: malformed ${prefix === 's' ? 'session' : 'context'} handle ${JSON.stringify(h)}`,
    );
  }
  return n;
}
