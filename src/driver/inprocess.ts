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

import { randomBytes } from 'node:crypto';
import koffi from 'koffi';
import {
  BIO_CTRL,
  CRYPTO_EX_INDEX_SSL_SESSION,
  CTRL,
  cTime,
  EX_DUP_PROTO,
  EX_FREE_PROTO,
  EX_NEW_PROTO,
  GEN_ID_PROTO,
  GET_CB_PROTO,
  type Libssl,
  type LibsslPaths,
  loadLibssl,
  NEW_CB_PROTO,
  type Ptr,
  REMOVE_CB_PROTO,
  registerCallback,
  SSL_CTRL,
  SSL_ERROR,
  SSL_OP_NO_TICKET,
  SSL_SESS_CACHE_UPDATE_TIME,
  TLS1_2_VERSION,
  TLS1_3_VERSION,
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
  type SslHandle,
  type StatFn,
} from '../model/types.js';
import { GET_CB, NEW_CB_KEEP } from '../model/connection.js';
import { testCert } from './testcert.js';

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
  onNew(sess: Ptr): void;
  onFree(label: Ptr): void;
  onRemove(ctx: Ptr, label: Ptr): void;
  onNewCb(ssl: Ptr, sess: Ptr, label: Ptr, name: string): number;
  onGetCb(ssl: Ptr, id: string, name: string, copy: Ptr): Ptr;
  onGenId(ssl: Ptr, id: string): void;
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

  /** The `generate_session_id` callback the drivers' servers draw ids with. */
  readonly genId: Ptr;

  private constructor(private readonly lib: Libssl) {
    // Every session created while a driver call runs is labelled here with the next handle,
    // so that sessions the library makes inside a handshake are named in creation order.
    const onNew = (parent: Ptr | null): void => {
      if (parent === null || parent === 0n) return;
      this.active?.onNew(parent);
    };
    // A duplicated session keeps the label its own creation gave it, not its original's.
    const onDup = (to: Ptr | null, _from: unknown, fromD: Ptr | null, idx: number): number => {
      if (to === null || fromD === null) return 1;
      koffi.encode(fromD, 'void *', this.lib.CRYPTO_get_ex_data(to, idx));
      return 1;
    };
    const onFree = (_parent: unknown, ptr: Ptr | null): void => {
      // Every session is freed through here, labelled or not; an unlabelled one has ptr NULL.
      if (ptr === null || ptr === 0n) return;
      this.active?.onFree(ptr);
    };
    const newFn = registerCallback(onNew, EX_NEW_PROTO);
    const dupFn = registerCallback(onDup, EX_DUP_PROTO);
    const freeFn = registerCallback(onFree, EX_FREE_PROTO);
    const idx = lib.CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0n, 0n, newFn, dupFn, freeFn);
    if (idx < 0) throw new Error(`CRYPTO_get_ex_new_index failed in ${lib.libcryptoPath}`);
    this.exIndex = idx;
    // What OpenSSL's default generator does (32 random bytes), reported to the driver.
    this.genId = registerCallback((ssl: Ptr | null, id: Ptr | null, len: Ptr | null): number => {
      if (ssl === null || id === null || len === null) return 0;
      const n = Math.min(32, Number(koffi.decode(len, 'uint')));
      const bytes = randomBytes(n);
      koffi.encode(id, koffi.array('uint8_t', n), [...bytes]);
      koffi.encode(len, 'uint', n);
      this.active?.onGenId(ssl, bytes.toString('hex'));
      return 1;
    }, GEN_ID_PROTO);
  }

  /** The C function pointer installed for callback `name` of `kind` (one per pair). */
  pointer(kind: CallbackKind, name: string): Ptr {
    const key = `${kind}\0${name}`;
    const known = this.byName.get(key);
    if (known !== undefined) return known;
    const p = this.register(kind, name);
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

  private register(kind: CallbackKind, name: string): Ptr {
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
        // `keep` stores the session in the driver's external store (returns 1); any other name
        // keeps nothing (returns 0): the library drops the reference it took for the callback.
        return registerCallback((ssl: Ptr | null, sess: Ptr | null): number => {
          const sink = this.active;
          if (sink === undefined) return 0;
          if (ssl === null || sess === null) {
            sink.problem('new_session_cb was called with a NULL argument');
            return 0;
          }
          return sink.onNewCb(ssl, sess, this.lib.SSL_SESSION_get_ex_data(sess, this.exIndex), name);
        }, NEW_CB_PROTO);
      case 'get':
        // Answered by the external store as the name says (spec/external.md); others answer NULL.
        return registerCallback((ssl: Ptr | null, data: Ptr | null, len: number, copy: Ptr | null): Ptr => {
          const sink = this.active;
          if (sink === undefined) return 0n;
          if (ssl === null || copy === null || (data === null && len > 0)) {
            sink.problem('get_session_cb was called with a NULL argument');
            return 0n;
          }
          const id =
            len > 0 && data !== null
              ? Buffer.from(koffi.decode(data, koffi.array('uint8_t', len)) as number[]).toString('hex')
              : '';
          return sink.onGetCb(ssl, id, name, copy);
        }, GET_CB_PROTO);
    }
  }
}

/** A session the driver created: its address and how many references the driver holds. */
interface SessionEntry {
  readonly ptr: Ptr;
  refs: number;
}

/** An `SSL` the driver created, with the memory BIOs it reads from and writes to. */
interface ConnEntry {
  readonly ptr: Ptr;
  /** The number of the context it was made from. */
  readonly ctx: number;
  readonly rbio: Ptr;
  readonly wbio: Ptr;
  /** A client that also speaks TLS 1.3: its ClientHello may carry a random legacy id. */
  readonly tls13: boolean;
}

/** What one command's C call produced. */
interface Result {
  readonly ret: Ret;
  readonly now?: bigint;
  readonly later?: bigint;
  readonly ids?: readonly string[];
}

/**
 * A handshake does not start in the window [985, 993) ms of a second: the library's clock
 * (`time()`) then reads one second throughout, and the model gets one clock value. Starting in
 * the last 7 ms is allowed, so that some handshakes do straddle a second and the model's
 * allowed set for an interval of clock readings (§HS-6) is judged too.
 */
const QUIET_FROM_MS = 985;
const QUIET_TO_MS = 993;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const awayFromSecondBoundary = (): void => {
  for (;;) {
    const ms = Date.now() % 1000;
    if (ms < QUIET_FROM_MS || ms >= QUIET_TO_MS) return;
    Atomics.wait(sleeper, 0, 0, QUIET_TO_MS - ms);
  }
};

const HEX = /^(?:[0-9a-f]{2})*$/i;

/** Executes commands against one loaded library, in this process. */
export class InProcessDriver implements Sink {
  /** The library's version string, e.g. `OpenSSL 3.0.19 27 Jan 2026`. */
  readonly version: string;
  private readonly hooks: Hooks;
  private readonly sessions = new Map<number, SessionEntry>();
  private readonly ctxs = new Map<number, Ptr>();
  private readonly ctxByPtr = new Map<Ptr, number>();
  private readonly conns = new Map<number, ConnEntry>();
  private readonly connByPtr = new Map<Ptr, number>();
  private nextSession = 1;
  private nextCtx = 1;
  private nextConn = 1;
  private events: Event[] = [];
  private problems: string[] = [];
  private drawn: string[] = [];
  /** The external session store behind the `keep` and `store…` callbacks: id → a reference. */
  private readonly store = new Map<string, Ptr>();
  /** Set while the driver's own `SSL_SESSION_new` runs: that creation is the call's result. */
  private creating = false;
  private closed = false;
  private cert: { x509: Ptr; pkey: Ptr } | undefined;

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
    this.drawn = [];
    const result = this.withSink(events, problems, () => this.call(cmd));
    if (problems.length > 0) throw new Error(`InProcessDriver: ${cmd.fn}: ${problems.join('; ')}`);
    const outcome = { ret: result.ret, events };
    if (result.now === undefined) return { outcome };
    if (result.ids === undefined) return { outcome, now: result.now };
    return {
      outcome,
      now: result.now,
      ...(result.later === undefined ? {} : { later: result.later }),
      ids: result.ids,
    };
  }

  /**
   * Frees every context the driver created, then drops every session reference it still holds.
   * Events of this cleanup are not reported. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.withSink([], [], () => {
      for (const c of [...this.conns.values()]) this.lib.SSL_free(c.ptr);
      this.conns.clear();
      this.connByPtr.clear();
      for (const p of this.store.values()) this.lib.SSL_SESSION_free(p);
      this.store.clear();
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
  onNew(sess: Ptr): void {
    const n = this.nextSession++;
    if (this.lib.SSL_SESSION_set_ex_data(sess, this.hooks.exIndex, BigInt(n)) !== 1n) {
      this.problem('SSL_SESSION_set_ex_data failed in the ex_data new callback');
      return;
    }
    this.sessions.set(n, { ptr: sess, refs: 0 });
    if (!this.creating) this.events.push({ ev: 'new', s: `s${n}` });
  }

  /** @internal */
  onNewCb(ssl: Ptr, sess: Ptr, label: Ptr, name: string): number {
    const t = this.connByPtr.get(ssl);
    if (t === undefined || label === 0n) {
      this.problem('new_session_cb for an SSL or session the driver does not know');
      return 0;
    }
    this.events.push({ ev: 'new_cb', ssl: `t${t}`, s: `s${Number(label)}` });
    if (name !== NEW_CB_KEEP) return 0;
    // The external store keeps the reference the library took, under the session's id.
    const id = Buffer.from(this.lib.SSL_SESSION_get_id(sess)).toString('hex');
    const old = this.store.get(id);
    this.store.set(id, sess);
    if (old !== undefined) this.lib.SSL_SESSION_free(old);
    return 1;
  }

  /** @internal */
  onGetCb(ssl: Ptr, id: string, name: string, copy: Ptr): Ptr {
    const t = this.connByPtr.get(ssl);
    if (t === undefined) {
      this.problem('get_session_cb for an SSL the driver does not know');
      return 0n;
    }
    this.events.push({ ev: 'get_cb', ssl: `t${t}`, id });
    if (name !== GET_CB.STORE && name !== GET_CB.STORE_COPY0 && name !== GET_CB.STALE) return 0n;
    const kept = this.store.get(id);
    // An honest store answers only a session that still has the id asked for.
    if (kept === undefined || Buffer.from(this.lib.SSL_SESSION_get_id(kept)).toString('hex') !== id)
      return 0n;
    if (name === GET_CB.STORE_COPY0) {
      this.store.delete(id);
      koffi.encode(copy, 'int', 0);
    } else if (name === GET_CB.STALE) {
      this.lib.SSL_SESSION_set_time(kept, 1n);
    }
    return kept;
  }

  /** @internal */
  onGenId(ssl: Ptr, id: string): void {
    const t = this.connByPtr.get(ssl);
    if (t === undefined) this.problem('generate_session_id for an SSL the driver does not know');
    else {
      this.events.push({ ev: 'gen_id', ssl: `t${t}` });
      this.drawn.push(id);
    }
  }

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

  private conn(h: SslHandle): ConnEntry {
    const c = this.conns.get(handleNumber(h, 't'));
    if (c === undefined) throw new Error(`InProcessDriver: unknown connection handle ${h}`);
    return c;
  }

  /** The handle of a session pointer the library returned (NULL → null). */
  private label(p: Ptr): SessionHandle | null {
    if (p === 0n) return null;
    const n = Number(this.lib.SSL_SESSION_get_ex_data(p, this.hooks.exIndex));
    if (n === 0 || !this.sessions.has(n))
      throw new Error('InProcessDriver: the library returned a session the driver never saw created');
    return `s${n}`;
  }

  /** The test certificate and key, parsed once per driver. */
  private testCert(): { x509: Ptr; pkey: Ptr } {
    if (this.cert !== undefined) return this.cert;
    const { certPem, keyPem } = testCert();
    const read = (pem: string, parse: (b: Ptr) => Ptr): Ptr => {
      const b = this.lib.BIO_new_mem_buf(Buffer.from(pem));
      try {
        const p = parse(b);
        if (p === 0n) throw new Error('InProcessDriver: cannot parse the test certificate or key');
        return p;
      } finally {
        this.lib.BIO_free(b);
      }
    };
    this.cert = {
      x509: read(certPem, (b) => this.lib.PEM_read_bio_X509(b)),
      pkey: read(keyPem, (b) => this.lib.PEM_read_bio_PrivateKey(b)),
    };
    return this.cert;
  }

  /**
   * `SSL_new` with the driver's fixed set-up: TLS 1.2 at most; a server presents the test
   * certificate, sets `SSL_OP_NO_TICKET` (session ids, not tickets) and draws ids through the
   * reporting generator; each end reads from and writes to its own memory BIO.
   */
  private newConn(ch: CtxHandle, role: 'server' | 'client', tls13: boolean): SslHandle {
    const lib = this.lib;
    const p = lib.SSL_new(this.ctx(ch));
    if (p === 0n) throw new Error('InProcessDriver: SSL_new returned NULL');
    const fail = (what: string): never => {
      lib.SSL_free(p);
      throw new Error(`InProcessDriver: ${what} failed`);
    };
    const max = tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    if (lib.SSL_ctrl(p, SSL_CTRL.SET_MAX_PROTO_VERSION, max, 0n) !== 1n) fail('SSL_set_max_proto_version');
    if (role === 'server') {
      lib.SSL_set_accept_state(p);
      lib.SSL_set_options(p, SSL_OP_NO_TICKET);
      const { x509, pkey } = this.testCert();
      if (lib.SSL_use_certificate(p, x509) !== 1n) fail('SSL_use_certificate');
      if (lib.SSL_use_PrivateKey(p, pkey) !== 1n) fail('SSL_use_PrivateKey');
      if (lib.SSL_set_generate_session_id(p, this.hooks.genId) !== 1n) fail('SSL_set_generate_session_id');
    } else {
      lib.SSL_set_connect_state(p);
    }
    const rbio = lib.BIO_new_mem();
    const wbio = lib.BIO_new_mem();
    if (rbio === 0n || wbio === 0n) fail('BIO_new');
    lib.SSL_set_bio(p, rbio, wbio);
    const n = this.nextConn++;
    this.conns.set(n, { ptr: p, ctx: handleNumber(ch, 'c'), rbio, wbio, tls13 });
    this.connByPtr.set(p, n);
    return `t${n}`;
  }

  /** Moves what `from` wrote to what `to` reads; returns the bytes. */
  private pump(from: ConnEntry, to: ConnEntry): Buffer {
    const buf = Buffer.alloc(16384);
    const moved: Buffer[] = [];
    for (;;) {
      const n = this.lib.BIO_read(from.wbio, buf);
      if (n <= 0) return Buffer.concat(moved);
      moved.push(Buffer.from(buf.subarray(0, n)));
      if (this.lib.BIO_write(to.rbio, buf.subarray(0, n)) !== n)
        throw new Error('InProcessDriver: BIO_write failed');
    }
  }

  /**
   * The random legacy session id of a TLS 1.3-capable client's ClientHello (none when it offers
   * its session, whose id it then sends): record header 5 bytes, handshake header 4, version 2,
   * random 32, then the id's length and the id.
   */
  private legacyId(cli: ConnEntry, hello: Buffer): string | undefined {
    if (!cli.tls13 || hello.length < 44 || hello[0] !== 0x16 || hello[5] !== 0x01) return undefined;
    const len = hello[43] ?? 0;
    const id = hello.subarray(44, 44 + len).toString('hex');
    const current = this.lib.SSL_get_session(cli.ptr);
    const own = current === 0n ? '' : Buffer.from(this.lib.SSL_SESSION_get_id(current)).toString('hex');
    return len === 0 || id === own ? undefined : id;
  }

  /**
   * The handshake loop: fresh BIOs, then `SSL_do_handshake` on the client and the server in
   * turn, moving the bytes after each, until both finish or one fails; the peer of a side that
   * failed reads what it wrote (its alert) once more. With `until: 'server-hello'`, stops after
   * the server's first turn. Returns 1 when it got as far as asked without an error, else 0.
   */
  private handshake(cli: ConnEntry, srv: ConnEntry, until: 'done' | 'server-hello'): Result {
    const lib = this.lib;
    for (const c of [cli, srv]) {
      lib.BIO_ctrl(c.rbio, BIO_CTRL.RESET, 0n, 0n);
      lib.BIO_ctrl(c.wbio, BIO_CTRL.RESET, 0n, 0n);
    }
    awayFromSecondBoundary();
    const now = cTime();
    let ok = 1;
    const turn = (c: ConnEntry): 'done' | 'more' | 'failed' => {
      const r = lib.SSL_do_handshake(c.ptr);
      if (r === 1) return 'done';
      const e = lib.SSL_get_error(c.ptr, r);
      return e === SSL_ERROR.WANT_READ || e === SSL_ERROR.WANT_WRITE ? 'more' : 'failed';
    };
    let c = turn(cli);
    const legacy = this.legacyId(cli, this.pump(cli, srv));
    if (legacy !== undefined) this.drawn.push(legacy);
    let s = turn(srv);
    if (c === 'failed' || s === 'failed') ok = 0;
    if (until === 'done') {
      for (let round = 0; ok === 1 && round < 16 && (c !== 'done' || s !== 'done'); round++) {
        this.pump(srv, cli);
        if (c !== 'done') c = turn(cli);
        if (c === 'failed') {
          ok = 0;
          this.pump(cli, srv);
          if (s !== 'done') turn(srv);
          break;
        }
        this.pump(cli, srv);
        if (s !== 'done') s = turn(srv);
        if (s === 'failed') {
          ok = 0;
          this.pump(srv, cli);
          if (c !== 'done') turn(cli);
          break;
        }
      }
      if (s === 'failed' && c !== 'failed' && c !== 'done') {
        // The server failed on its first turn: the client reads the alert.
        this.pump(srv, cli);
        turn(cli);
      }
      if (c !== 'done' || s !== 'done') ok = 0;
    }
    lib.ERR_clear_error();
    const later = cTime();
    return { ret: ret.int(ok), now, ...(later !== now ? { later } : {}), ids: [...this.drawn] };
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
        this.creating = true;
        let p: Ptr;
        try {
          p = lib.SSL_SESSION_new();
        } finally {
          this.creating = false;
        }
        if (p === 0n) throw new Error('InProcessDriver: SSL_SESSION_new returned NULL');
        const n = Number(lib.SSL_SESSION_get_ex_data(p, this.hooks.exIndex));
        const e = this.sessions.get(n);
        if (n === 0 || e === undefined) throw new Error('InProcessDriver: the new session was not labelled');
        e.refs = 1;
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
        // Every context trusts the servers' test certificate, so SSL_VERIFY_PEER succeeds.
        if (lib.X509_STORE_add_cert(lib.SSL_CTX_get_cert_store(p), this.testCert().x509) !== 1n) {
          lib.SSL_CTX_free(p);
          throw new Error('InProcessDriver: X509_STORE_add_cert failed');
        }
        const n = this.nextCtx++;
        this.ctxs.set(n, p);
        this.ctxByPtr.set(p, n);
        return { ret: ret.ctx(`c${n}`) };
      }
      case 'SSL_CTX_free': {
        const p = this.ctx(cmd.ctx);
        const n = handleNumber(cmd.ctx, 'c');
        lib.SSL_CTX_free(p);
        // The mapping stays until the call returns: the flush inside SSL_CTX_free reports through it.
        // While connections hold the context, it lives on for them (and its flush comes later).
        this.ctxs.delete(n);
        if (![...this.conns.values()].some((c) => c.ctx === n)) this.ctxByPtr.delete(p);
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
      case 'SSL_CTX_set_session_id_context': {
        if (!HEX.test(cmd.sid))
          throw new Error(`InProcessDriver: sid_ctx is not hex: ${JSON.stringify(cmd.sid)}`);
        const bytes = Buffer.from(cmd.sid, 'hex');
        const buf = bytes.length > 0 ? bytes : Buffer.alloc(1);
        return { ret: ret.int(lib.SSL_CTX_set_session_id_context(this.ctx(cmd.ctx), buf, bytes.length)) };
      }
      case 'SSL_CTX_set_verify':
        lib.SSL_CTX_set_verify(this.ctx(cmd.ctx), cmd.mode);
        return { ret: ret.void };
      case 'SSL_new':
        return { ret: ret.ssl(this.newConn(cmd.ctx, cmd.role, cmd.max === 'TLSv1.3')) };
      case 'SSL_free': {
        const c = this.conn(cmd.ssl);
        lib.SSL_free(c.ptr);
        this.conns.delete(handleNumber(cmd.ssl, 't'));
        this.connByPtr.delete(c.ptr);
        // A context the application freed went with its last connection.
        if (!this.ctxs.has(c.ctx) && ![...this.conns.values()].some((o) => o.ctx === c.ctx)) {
          for (const [p, n] of this.ctxByPtr) if (n === c.ctx) this.ctxByPtr.delete(p);
        }
        return { ret: ret.void };
      }
      case 'SSL_set_session':
        return { ret: ret.int(lib.SSL_set_session(this.conn(cmd.ssl).ptr, this.sessionOrNull(cmd.s))) };
      case 'SSL_get_session':
        return { ret: ret.session(this.label(lib.SSL_get_session(this.conn(cmd.ssl).ptr))) };
      case 'SSL_get1_session': {
        const h = this.label(lib.SSL_get1_session(this.conn(cmd.ssl).ptr));
        if (h !== null) this.session(h).refs++;
        return { ret: ret.session(h) };
      }
      case 'SSL_session_reused':
        return { ret: ret.int(lib.SSL_session_reused(this.conn(cmd.ssl).ptr)) };
      case 'SSL_shutdown': {
        const r = lib.SSL_shutdown(this.conn(cmd.ssl).ptr);
        lib.ERR_clear_error();
        return { ret: ret.int(r) };
      }
      case 'SSL_clear': {
        const r = lib.SSL_clear(this.conn(cmd.ssl).ptr);
        lib.ERR_clear_error();
        return { ret: ret.int(r) };
      }
      case 'handshake':
        return this.handshake(this.conn(cmd.client), this.conn(cmd.server), cmd.until);
      default: {
        const fn: string = cmd.fn;
        if (!isStatFn(fn)) throw new Error(`InProcessDriver: unknown command ${fn}`);
        return { ret: this.ctrl(cmd.ctx, STAT_CTRL[fn.slice(STAT_PREFIX.length) as Counter]) };
      }
    }
  }
}

/** The number of handle `h` (`s12` → 12), checking its prefix. */
function handleNumber(h: string, prefix: 's' | 'c' | 't'): number {
  const n = h.startsWith(prefix) ? Number(h.slice(1)) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || h !== `${prefix}${n}`) {
    throw new Error(
      `InProcessDriver: malformed ${prefix === 's' ? 'session' : prefix === 'c' ? 'context' : 'connection'} handle ${JSON.stringify(h)}`,
    );
  }
  return n;
}
