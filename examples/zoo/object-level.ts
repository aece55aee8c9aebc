/**
 * The object-level members of the zoo of faulty caches: each is `examples/mutable-cache.ts`
 * with exactly one rule changed, re-creating a bug that real session caches have had or that a
 * reimplementer plausibly makes. Each names the clause it breaks and, where historical, the bug
 * it re-creates. test/zoo.test.ts runs the default fuzz budget against every member.
 */
import type { Command, Observation } from '../../src/model/types.js';
import { type Ctx, int, key, MutableCache, type Session } from '../mutable-cache.js';

/** §ADD-2: re-adding the identical object returns 1 (as wolfSSL's compatibility layer does). */
export class IdenticalAddReturnsOne extends MutableCache {
  protected override add(c: Ctx, s: Session) {
    const again = c.sessions.get(key(s)) === s;
    const r = super.add(c, s);
    return again ? { ...r, ret: int(1) } : r;
  }
}

/** §REMOVE-3: removing a session that is not cached leaves it resumable. */
export class RemoveAbsentKeepsResumable extends MutableCache {
  protected override remove(c: Ctx, s: Session): boolean {
    const was = s.notResumable;
    const found = super.remove(c, s);
    if (!found) s.notResumable = was;
    return found;
  }
}

/** §EVICT-2: evicts from the wrong end of the list (the latest expiry). */
export class EvictsFromHead extends MutableCache {
  protected override victim(c: Ctx): Session | null {
    return c.head;
  }
}

/** §EVICT-1: capacity off by one — keeps `size` sessions (3.0 keeps `size - 1`). */
export class CapacityOffByOne extends MutableCache {
  protected override full(c: Ctx): boolean {
    return BigInt(c.sessions.size) > c.size;
  }
}

/** §FLUSH-2: expiry compared with `>=`: a session expires at `time + timeout` itself. */
export class ExpiresAtBoundary extends MutableCache {
  protected override expired(s: Session, t: bigint): boolean {
    return !s.ovf && t >= s.calc;
  }
}

/** §ORDER-2: expiry arithmetic overflowing (OpenSSL issue #24046): the sum wraps, no flag. */
export class WrappingExpiry extends MutableCache {
  protected override expired(s: Session, t: bigint): boolean {
    return t > BigInt.asIntN(64, s.time + s.timeout);
  }
}

/** §ADD-4: a reference leaked when a same-id session is replaced (the old one is never freed). */
export class LeaksReplaced extends MutableCache {
  protected override add(c: Ctx, s: Session) {
    const prev = c.sessions.get(key(s));
    if (prev !== undefined && prev !== s) prev.refs++;
    return super.add(c, s);
  }
}

/** §REF-2: a same-id replacement releases the old session twice (freed while still held). */
export class FreesReplacedTwice extends MutableCache {
  protected override add(c: Ctx, s: Session) {
    const prev = c.sessions.get(key(s));
    if (prev !== undefined && prev !== s && prev.refs > 1) prev.refs--;
    return super.add(c, s);
  }
}

/**
 * §REMOVE-5: the remove callback is handed a session already freed (a use after free seen in
 * eviction paths): the cache's reference is dropped before the callback.
 */
export class CallbackAfterFree extends MutableCache {
  protected override remove(c: Ctx, s: Session): boolean {
    if (s.id.length === 0) return false;
    const found = c.sessions.get(key(s));
    if (found) {
      c.sessions.delete(key(s));
      c.unlink(found);
      this.release(found);
    }
    s.notResumable = true;
    this.removeCb(c, s);
    return found !== undefined;
  }
}

/**
 * §EVICT-1: OpenSSL 3.0.0–3.0.5 linked the new session before evicting while count >= size, so
 * a cache of size 1 evicted the very session just added (before PR #18905; seen as an
 * external-cache revival loop in Postfix).
 */
export class EvictsJustAdded extends MutableCache {
  protected override add(c: Ctx, s: Session) {
    const prev = c.sessions.get(key(s));
    if (prev !== undefined) return super.add(c, s);
    const now = this.clock();
    s.refs++;
    c.sessions.set(key(s), s);
    if ((c.mode & 0x400n) !== 0n) {
      s.time = now;
      s.recalc();
    }
    c.link(s);
    if (c.size > 0n) {
      while (this.full(c)) {
        const victim = this.victim(c);
        if (victim === null || !this.evict(c, victim)) break;
        c.cacheFull++;
      }
    }
    return { ret: int(1), now };
  }
}

/**
 * §EVICT-2: a libssl reimplementation that evicts by creation time and never calls the remove
 * callback for evictions.
 */
export class CreationOrderSilent extends MutableCache {
  protected override victim(c: Ctx): Session | null {
    let oldest: Session | null = null;
    for (const s of c.sessions.values()) {
      if (oldest === null || Number(s.handle.slice(1)) < Number(oldest.handle.slice(1))) oldest = s;
    }
    return oldest;
  }
  protected override evict(c: Ctx, victim: Session): boolean {
    if (victim.id.length === 0) return false;
    c.sessions.delete(key(victim));
    c.unlink(victim);
    victim.notResumable = true;
    this.release(victim);
    return true;
  }
}

/** §FLUSH-4: a flush that never calls the remove callback. */
export class FlushWithoutCallback extends MutableCache {
  private flushing = false;
  protected override flush(c: Ctx, t: bigint): void {
    this.flushing = true;
    try {
      super.flush(c, t);
    } finally {
      this.flushing = false;
    }
  }
  protected override removeCb(c: Ctx, s: Session): void {
    if (!this.flushing) super.removeCb(c, s);
  }
}

/** §REMOVE-2: removes only the identical object, not another object with the same id (BoringSSL). */
export class RemoveByObject extends MutableCache {
  protected override remove(c: Ctx, s: Session): boolean {
    const cached = c.sessions.get(key(s));
    if (cached !== undefined && cached !== s) {
      s.notResumable = true;
      this.removeCb(c, s);
      return false;
    }
    return super.remove(c, s);
  }
}

/** §MODE-1: the cache mode is masked to 16 bits instead of kept in 32. */
export class ModeMasked extends MutableCache {
  protected override run(cmd: Command) {
    if (cmd.fn === 'SSL_CTX_set_session_cache_mode') return super.run({ ...cmd, mode: cmd.mode & 0xffffn });
    return super.run(cmd);
  }
}

/** §SESS-4: a negative session timeout is stored (as 1.1.1 did) instead of refused. */
export class NegativeTimeoutStored extends MutableCache {
  protected override run(cmd: Command) {
    if (cmd.fn === 'SSL_SESSION_set_timeout' && cmd.t < 0n) {
      const s = this.sess(cmd.s);
      s.timeout = cmd.t;
      s.recalc();
      s.owner?.link(s);
      return { ret: int(1) };
    }
    return super.run(cmd);
  }
}

/** §ADD-5: `UPDATE_TIME` is ignored when the identical object is added again. */
export class ReaddKeepsTime extends MutableCache {
  protected override add(c: Ctx, s: Session) {
    const again = c.sessions.get(key(s)) === s;
    const time = s.time;
    const r = super.add(c, s);
    if (again && s.time !== time) {
      s.time = time;
      s.recalc();
      c.link(s);
    }
    return r;
  }
}

/** §SESS-3: `SSL_SESSION_set_time` returns 1, as the man page says the setters do. */
export class SetTimeReturnsOne extends MutableCache {
  override exec(cmd: Command): Observation {
    const o = super.exec(cmd);
    return cmd.fn === 'SSL_SESSION_set_time' ? { ...o, outcome: { ...o.outcome, ret: int(1) } } : o;
  }
}

export interface ZooMember {
  readonly name: string;
  readonly clause: `§${string}`;
  readonly make: () => MutableCache;
}

export const OBJECT_LEVEL_ZOO: readonly ZooMember[] = [
  { name: 'identical re-add returns 1', clause: '§ADD-2', make: () => new IdenticalAddReturnsOne() },
  {
    name: 'absent removal keeps resumable',
    clause: '§REMOVE-3',
    make: () => new RemoveAbsentKeepsResumable(),
  },
  { name: 'evicts from the head', clause: '§EVICT-2', make: () => new EvictsFromHead() },
  { name: 'capacity off by one', clause: '§EVICT-1', make: () => new CapacityOffByOne() },
  { name: 'expires at the boundary', clause: '§FLUSH-2', make: () => new ExpiresAtBoundary() },
  { name: 'expiry wraps (#24046)', clause: '§ORDER-2', make: () => new WrappingExpiry() },
  { name: 'replaced reference leaked', clause: '§ADD-4', make: () => new LeaksReplaced() },
  { name: 'replaced session freed twice', clause: '§REF-2', make: () => new FreesReplacedTwice() },
  { name: 'callback after free', clause: '§REMOVE-5', make: () => new CallbackAfterFree() },
  {
    name: '3.0.0-3.0.5 evicts the session just added',
    clause: '§EVICT-1',
    make: () => new EvictsJustAdded(),
  },
  { name: 'creation-order eviction, no callback', clause: '§EVICT-2', make: () => new CreationOrderSilent() },
  { name: 'flush without callback', clause: '§FLUSH-4', make: () => new FlushWithoutCallback() },
  { name: 'removal by object', clause: '§REMOVE-2', make: () => new RemoveByObject() },
  { name: 'mode masked to 16 bits', clause: '§MODE-1', make: () => new ModeMasked() },
  { name: 'negative timeout stored', clause: '§SESS-4', make: () => new NegativeTimeoutStored() },
  { name: 'UPDATE_TIME ignored on re-add', clause: '§ADD-5', make: () => new ReaddKeepsTime() },
  { name: 'set_time returns 1', clause: '§SESS-3', make: () => new SetTimeReturnsOne() },
];
