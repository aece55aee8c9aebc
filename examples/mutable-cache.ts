/**
 * A plain, mutable implementation of the object-level session-cache API with the semantics of
 * OpenSSL 3.0 (profile `openssl-3.0`), written the way a C or TypeScript reimplementation would
 * be: objects with fields, a hash map, a doubly linked list kept sorted by expiry, reference
 * counts, callbacks. It passes the judge (`session-oracle fuzz` in-process, see
 * test/mutable-cache.test.ts); copy it as a starting point for an implementation of your own.
 *
 * It speaks the oracle's in-process interface: `exec(command)` returns the observed outcome —
 * the return value, the ordered events, and the clock it read.
 */
import type { Command, CtxHandle, Event, Observation, Ret, SessionHandle } from '../src/model/types.js';

const LONG_MAX = 2n ** 63n - 1n;
const wrap = (v: bigint) => BigInt.asIntN(64, v);

export class Session {
  refs = 1;
  id = '';
  timeout = 304n;
  calc = 0n;
  ovf = false;
  notResumable = false;
  owner: Ctx | null = null;
  prev: Session | null = null;
  next: Session | null = null;
  constructor(
    readonly handle: SessionHandle,
    public time: bigint,
  ) {
    this.recalc();
  }
  /** OpenSSL 3.0.19: a timeout beyond LONG_MAX - time flags the session as overflowed. */
  recalc(): void {
    if (this.timeout < 0n) this.timeout = 0n;
    const d = wrap(LONG_MAX - this.time);
    this.ovf = this.timeout > d;
    this.calc = this.ovf ? wrap(this.timeout - d) : this.time + this.timeout;
  }
}

/** -1, 0, 1 as a expires before, with, after b. */
const cmp = (a: Session, b: Session): number => {
  if (a.ovf !== b.ovf) return a.ovf ? 1 : -1;
  return a.calc < b.calc ? -1 : a.calc > b.calc ? 1 : 0;
};

export class Ctx {
  readonly sessions = new Map<string, Session>();
  head: Session | null = null;
  tail: Session | null = null;
  size = 20480n;
  mode = 2n;
  timeout = 7200n;
  cacheFull = 0n;
  cbs: { new: string | null; remove: string | null; get: string | null } = {
    new: null,
    remove: null,
    get: null,
  };
  constructor(readonly handle: CtxHandle) {}

  unlink(s: Session): void {
    if (s.owner !== this) return;
    if (s.prev) s.prev.next = s.next;
    else this.head = s.next;
    if (s.next) s.next.prev = s.prev;
    else this.tail = s.prev;
    s.prev = s.next = null;
    s.owner = null;
  }

  /** Links by expiry, latest at the head; a session goes before (head side of) its equals. */
  link(s: Session): void {
    this.unlink(s);
    s.owner = this;
    if (this.head === null || this.tail === null) {
      this.head = this.tail = s;
      return;
    }
    if (cmp(s, this.head) >= 0) {
      s.next = this.head;
      this.head.prev = s;
      this.head = s;
      return;
    }
    if (cmp(s, this.tail) < 0) {
      s.prev = this.tail;
      this.tail.next = s;
      this.tail = s;
      return;
    }
    let at = this.head.next;
    while (at !== null && cmp(s, at) < 0) at = at.next;
    // `at` is the first session (from the head) expiring no later than s: insert before it.
    const before = at as Session;
    s.next = before;
    s.prev = before.prev;
    if (before.prev) before.prev.next = s;
    before.prev = s;
  }
}

export const key = (s: Session) => s.id;

export class MutableCache {
  protected readonly sessions = new Map<SessionHandle, Session>();
  protected readonly ctxs = new Map<CtxHandle, Ctx>();
  protected created = 0;
  protected ctxCreated = 0;
  protected events: Event[] = [];

  /** `clock()` is what the implementation reads as the current time, in seconds. */
  constructor(protected readonly clock: () => bigint = () => BigInt(Math.floor(Date.now() / 1000))) {}

  exec(cmd: Command): Observation {
    this.events = [];
    const r = this.run(cmd);
    return { outcome: { ret: r.ret, events: this.events }, ...(r.now === undefined ? {} : { now: r.now }) };
  }

  protected sess(h: SessionHandle): Session {
    const s = this.sessions.get(h);
    if (!s) throw new Error(`unknown session ${h}`);
    return s;
  }
  protected ctx(h: CtxHandle): Ctx {
    const c = this.ctxs.get(h);
    if (!c) throw new Error(`unknown context ${h}`);
    return c;
  }

  protected release(s: Session): void {
    if (--s.refs > 0) return;
    this.sessions.delete(s.handle);
    this.events.push({ ev: 'free', s: s.handle });
  }

  protected removeCb(c: Ctx, s: Session): void {
    if (c.cbs.remove !== null) this.events.push({ ev: 'remove_cb', ctx: c.handle, s: s.handle });
  }

  /** remove_session_lock: by key; marks and reports the argument; releases what it removed. */
  protected remove(c: Ctx, s: Session): boolean {
    if (s.id.length === 0) return false;
    const found = c.sessions.get(key(s));
    if (found) {
      c.sessions.delete(key(s));
      c.unlink(found);
    }
    s.notResumable = true;
    this.removeCb(c, s);
    if (found) this.release(found);
    return found !== undefined;
  }

  /** Whether a flush at `t` (not 0) removes `s`: strictly after its expiry, never if flagged. */
  protected expired(s: Session, t: bigint): boolean {
    return !s.ovf && t > s.calc;
  }

  /** The session eviction takes next: the tail (earliest expiry). */
  protected victim(c: Ctx): Session | null {
    return c.tail;
  }

  /** One eviction; false when the victim cannot be removed (an empty id), which ends the loop. */
  protected evict(c: Ctx, victim: Session): boolean {
    return this.remove(c, victim);
  }

  /** Whether the cache must evict before linking a new entry (it already counts it). */
  protected full(c: Ctx): boolean {
    return BigInt(c.sessions.size) >= c.size;
  }

  protected flush(c: Ctx, t: bigint): void {
    const removed: Session[] = [];
    while (c.tail !== null) {
      const s = c.tail;
      if (t !== 0n && !this.expired(s, t)) break;
      c.sessions.delete(key(s));
      c.unlink(s);
      s.notResumable = true;
      this.removeCb(c, s);
      removed.push(s);
    }
    for (const s of removed) this.release(s);
  }

  protected add(c: Ctx, s: Session): { ret: Ret; now: bigint } {
    const now = this.clock();
    s.refs++;
    const prev = c.sessions.get(key(s));
    c.sessions.set(key(s), s);
    if (prev !== undefined && prev !== s) {
      c.unlink(prev);
      this.release(prev);
    }
    if ((c.mode & 0x400n) !== 0n) {
      s.time = now;
      s.recalc();
    }
    if (prev === s) {
      c.link(s);
      s.refs--;
      return { ret: int(0), now };
    }
    if (c.size > 0n) {
      while (this.full(c)) {
        const victim = this.victim(c);
        if (victim === null || !this.evict(c, victim)) break;
        c.cacheFull++;
      }
    }
    c.link(s);
    return { ret: int(1), now };
  }

  protected run(cmd: Command): { ret: Ret; now?: bigint } {
    switch (cmd.fn) {
      case 'SSL_SESSION_new': {
        const now = this.clock();
        const h: SessionHandle = `s${++this.created}`;
        this.sessions.set(h, new Session(h, now));
        return { ret: { t: 'session', v: h }, now };
      }
      case 'SSL_SESSION_set1_id': {
        if (cmd.id.length / 2 > 32) return { ret: int(0) };
        this.sess(cmd.s).id = cmd.id;
        return { ret: int(1) };
      }
      case 'SSL_SESSION_set_time': {
        const s = this.sess(cmd.s);
        s.time = cmd.t;
        s.recalc();
        s.owner?.link(s);
        return { ret: int(cmd.t) };
      }
      case 'SSL_SESSION_set_timeout': {
        if (cmd.t < 0n) return { ret: int(0) };
        const s = this.sess(cmd.s);
        s.timeout = cmd.t;
        s.recalc();
        s.owner?.link(s);
        return { ret: int(1) };
      }
      case 'SSL_SESSION_get_time':
        return { ret: int(this.sess(cmd.s).time) };
      case 'SSL_SESSION_get_timeout':
        return { ret: int(this.sess(cmd.s).timeout) };
      case 'SSL_SESSION_up_ref':
        this.sess(cmd.s).refs++;
        return { ret: int(1) };
      case 'SSL_SESSION_free':
        if (cmd.s !== null) this.release(this.sess(cmd.s));
        return { ret: { t: 'void' } };
      case 'SSL_SESSION_is_resumable': {
        const s = this.sess(cmd.s);
        return { ret: int(!s.notResumable && s.id.length > 0 ? 1n : 0n) };
      }
      case 'SSL_CTX_new': {
        const h: CtxHandle = `c${++this.ctxCreated}`;
        this.ctxs.set(h, new Ctx(h));
        return { ret: { t: 'ctx', v: h } };
      }
      case 'SSL_CTX_free': {
        this.flush(this.ctx(cmd.ctx), 0n);
        this.ctxs.delete(cmd.ctx);
        return { ret: { t: 'void' } };
      }
      case 'SSL_CTX_add_session':
        return this.add(this.ctx(cmd.ctx), this.sess(cmd.s));
      case 'SSL_CTX_remove_session':
        return { ret: int(cmd.s === null ? 0n : this.remove(this.ctx(cmd.ctx), this.sess(cmd.s)) ? 1n : 0n) };
      case 'SSL_CTX_flush_sessions':
        this.flush(this.ctx(cmd.ctx), cmd.t);
        return { ret: { t: 'void' } };
      case 'SSL_CTX_sess_set_cache_size': {
        if (cmd.size < 0n) return { ret: int(0) };
        const c = this.ctx(cmd.ctx);
        const prev = c.size;
        c.size = cmd.size;
        return { ret: int(prev) };
      }
      case 'SSL_CTX_sess_get_cache_size':
        return { ret: int(this.ctx(cmd.ctx).size) };
      case 'SSL_CTX_sess_number':
        return { ret: int(BigInt(this.ctx(cmd.ctx).sessions.size)) };
      case 'SSL_CTX_set_session_cache_mode': {
        const c = this.ctx(cmd.ctx);
        const prev = c.mode;
        c.mode = BigInt.asUintN(32, cmd.mode);
        return { ret: int(prev) };
      }
      case 'SSL_CTX_get_session_cache_mode':
        return { ret: int(this.ctx(cmd.ctx).mode) };
      case 'SSL_CTX_set_timeout': {
        const c = this.ctx(cmd.ctx);
        const prev = c.timeout;
        c.timeout = cmd.t;
        return { ret: int(prev) };
      }
      case 'SSL_CTX_get_timeout':
        return { ret: int(this.ctx(cmd.ctx).timeout) };
      case 'SSL_CTX_sess_set_new_cb':
        this.ctx(cmd.ctx).cbs.new = cmd.cb;
        return { ret: { t: 'void' } };
      case 'SSL_CTX_sess_set_remove_cb':
        this.ctx(cmd.ctx).cbs.remove = cmd.cb;
        return { ret: { t: 'void' } };
      case 'SSL_CTX_sess_set_get_cb':
        this.ctx(cmd.ctx).cbs.get = cmd.cb;
        return { ret: { t: 'void' } };
      case 'SSL_CTX_sess_get_new_cb':
        return { ret: { t: 'callback', v: this.ctx(cmd.ctx).cbs.new } };
      case 'SSL_CTX_sess_get_remove_cb':
        return { ret: { t: 'callback', v: this.ctx(cmd.ctx).cbs.remove } };
      case 'SSL_CTX_sess_get_get_cb':
        return { ret: { t: 'callback', v: this.ctx(cmd.ctx).cbs.get } };
      case 'SSL_CTX_sess_cache_full':
        return { ret: int(this.ctx(cmd.ctx).cacheFull) };
      case 'SSL_CTX_set_session_id_context':
      case 'SSL_CTX_set_verify':
      case 'SSL_new':
      case 'SSL_free':
      case 'SSL_set_session':
      case 'SSL_get_session':
      case 'SSL_get1_session':
      case 'SSL_session_reused':
      case 'SSL_shutdown':
      case 'SSL_clear':
      case 'handshake':
        throw new Error(`${cmd.fn}: this cache has no connections (run it with --level object)`);
      default:
        // The other counters move only in handshakes, which this cache does not have.
        this.ctx(cmd.ctx);
        return { ret: int(0n) };
    }
  }
}

export const int = (v: bigint | number): Ret => ({ t: 'int', v: BigInt(v) });
