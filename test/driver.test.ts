/**
 * Tests of the in-process driver and its koffi binding against the system libssl (OpenSSL 3.0).
 * They assert what the real library does, as the driver observes it.
 */

import { describe, expect, it } from 'vitest';
import { InProcessDriver } from '../src/driver/inprocess.js';
import { DEFAULT_LIBCRYPTO, DEFAULT_LIBSSL, LibraryError, loadLibssl } from '../src/ffi/libssl.js';
import type { Command, Event, Observation, Ret } from '../src/model/types.js';

const LONG_MAX = (1n << 63n) - 1n;
const LONG_MIN = -(1n << 63n);

/** Runs `body` with a fresh driver on the system library, closing it afterwards. */
function withDriver<T>(body: (d: InProcessDriver) => T): T {
  const d = InProcessDriver.open();
  try {
    return body(d);
  } finally {
    d.close();
  }
}

const retOf = (o: Observation): Ret => o.outcome.ret;
const eventsOf = (o: Observation): readonly Event[] => o.outcome.events;

/** Executes commands in order and returns the last observation. */
const run = (d: InProcessDriver, ...cmds: Command[]): Observation => {
  let last: Observation | undefined;
  for (const c of cmds) last = d.exec(c);
  if (last === undefined) throw new Error('no command');
  return last;
};

describe('loading', () => {
  it('reports an OpenSSL 3.0 version string', () => {
    withDriver((d) => expect(d.version.startsWith('OpenSSL 3.0')).toBe(true));
    expect(loadLibssl().version).toMatch(/^OpenSSL 3\.0\.\d+/);
  });

  it('finds libcrypto next to a libssl given alone', () => {
    const lib = loadLibssl({ libssl: DEFAULT_LIBSSL });
    expect(lib.libcryptoPath).toBe(DEFAULT_LIBCRYPTO);
  });

  it('throws a one-line LibraryError for a path that does not exist', () => {
    const path = '/nonexistent/dir/libssl.so.3';
    let err: unknown;
    try {
      loadLibssl({ libssl: path, libcrypto: DEFAULT_LIBCRYPTO });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LibraryError);
    const msg = (err as LibraryError).message;
    expect(msg).not.toContain('\n');
    expect(msg).toContain(path);
    // Only libssl given: its libcrypto sibling does not exist either.
    expect(() => loadLibssl({ libssl: path })).toThrow(LibraryError);
  });

  it('throws LibraryError for a library that is not OpenSSL', () => {
    const libz = '/lib/x86_64-linux-gnu/libz.so.1';
    const libm = '/lib/x86_64-linux-gnu/libm.so.6';
    expect(() => loadLibssl({ libssl: libz, libcrypto: DEFAULT_LIBCRYPTO })).toThrow(LibraryError);
    expect(() => loadLibssl({ libssl: libz, libcrypto: DEFAULT_LIBCRYPTO })).toThrow(/SSL_CTX_new/);
    expect(() => loadLibssl({ libssl: DEFAULT_LIBSSL, libcrypto: libm })).toThrow(/OpenSSL_version/);
    expect(() => loadLibssl({ libssl: libz })).toThrow(LibraryError);
    // The real library still works afterwards.
    withDriver((d) => expect(retOf(d.exec({ fn: 'SSL_CTX_new' }))).toEqual({ t: 'ctx', v: 'c1' }));
  });
});

describe('handles and events', () => {
  it('numbers sessions and contexts in creation order, separately', () => {
    withDriver((d) => {
      expect(retOf(d.exec({ fn: 'SSL_SESSION_new' }))).toEqual({ t: 'session', v: 's1' });
      expect(retOf(d.exec({ fn: 'SSL_CTX_new' }))).toEqual({ t: 'ctx', v: 'c1' });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_new' }))).toEqual({ t: 'session', v: 's2' });
      expect(retOf(d.exec({ fn: 'SSL_CTX_new' }))).toEqual({ t: 'ctx', v: 'c2' });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_new' }))).toEqual({ t: 'session', v: 's3' });
    });
    // A new driver starts again from 1.
    withDriver((d) => expect(retOf(d.exec({ fn: 'SSL_SESSION_new' }))).toEqual({ t: 'session', v: 's1' }));
  });

  it('reports the new session time as the clock of SSL_SESSION_new', () => {
    withDriver((d) => {
      const before = BigInt(Math.floor(Date.now() / 1000));
      const o = d.exec({ fn: 'SSL_SESSION_new' });
      const after = BigInt(Math.floor(Date.now() / 1000));
      expect(o.now).toBeDefined();
      expect(o.now).toBeGreaterThanOrEqual(before);
      expect(o.now).toBeLessThanOrEqual(after);
      expect(retOf(d.exec({ fn: 'SSL_SESSION_get_time', s: 's1' }))).toEqual({ t: 'int', v: o.now });
    });
  });

  it('reports free only when the last reference goes', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_SESSION_new' });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_up_ref', s: 's1' }))).toEqual({ t: 'int', v: 1n });
      const first = d.exec({ fn: 'SSL_SESSION_free', s: 's1' });
      expect(first.outcome).toEqual({ ret: { t: 'void' }, events: [] });
      const last = d.exec({ fn: 'SSL_SESSION_free', s: 's1' });
      expect(last.outcome).toEqual({ ret: { t: 'void' }, events: [{ ev: 'free', s: 's1' }] });
      // The handle is gone: using it is a driver error, not a crash.
      expect(() => d.exec({ fn: 'SSL_SESSION_get_time', s: 's1' })).toThrow(/unknown session handle s1/);
    });
  });

  it('accepts NULL for SSL_SESSION_free and SSL_CTX_remove_session', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_CTX_new' });
      expect(d.exec({ fn: 'SSL_SESSION_free', s: null }).outcome).toEqual({ ret: { t: 'void' }, events: [] });
      expect(retOf(d.exec({ fn: 'SSL_CTX_remove_session', ctx: 'c1', s: null }))).toEqual({
        t: 'int',
        v: 0n,
      });
    });
  });

  it('SSL_CTX_remove_session of a cached session: remove_cb, then free when the cache held the last reference', () => {
    withDriver((d) => {
      run(
        d,
        { fn: 'SSL_CTX_new' },
        { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'rm' },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's1', id: '0a0b' },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's2', id: '0c0d' },
      );
      expect(retOf(d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's1' }))).toEqual({ t: 'int', v: 1n });
      expect(retOf(d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's2' }))).toEqual({ t: 'int', v: 1n });
      expect(retOf(d.exec({ fn: 'SSL_CTX_sess_number', ctx: 'c1' }))).toEqual({ t: 'int', v: 2n });

      // The caller still holds s1: the callback runs, nothing is freed.
      const held = d.exec({ fn: 'SSL_CTX_remove_session', ctx: 'c1', s: 's1' });
      expect(held.outcome).toEqual({
        ret: { t: 'int', v: 1n },
        events: [{ ev: 'remove_cb', ctx: 'c1', s: 's1' }],
      });
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's1' }))).toEqual([{ ev: 'free', s: 's1' }]);

      // The cache holds the last reference to s2: the callback runs first, then the free.
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's2' }))).toEqual([]);
      const last = d.exec({ fn: 'SSL_CTX_remove_session', ctx: 'c1', s: 's2' });
      expect(last.outcome).toEqual({
        ret: { t: 'int', v: 1n },
        events: [
          { ev: 'remove_cb', ctx: 'c1', s: 's2' },
          { ev: 'free', s: 's2' },
        ],
      });
      expect(retOf(d.exec({ fn: 'SSL_CTX_sess_number', ctx: 'c1' }))).toEqual({ t: 'int', v: 0n });
    });
  });

  it('reports evictions, flushes and SSL_CTX_free in the order the library makes them', () => {
    withDriver((d) => {
      run(
        d,
        { fn: 'SSL_CTX_new' },
        { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'rm' },
        { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 1n },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's1', id: '01' },
        { fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's1' },
        { fn: 'SSL_SESSION_free', s: 's1' },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's2', id: '02' },
      );
      // The cache is full: adding s2 evicts s1, whose last reference was the cache's.
      const add = d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's2' });
      expect(eventsOf(add)).toEqual([
        { ev: 'remove_cb', ctx: 'c1', s: 's1' },
        { ev: 'free', s: 's1' },
      ]);
      expect(retOf(d.exec({ fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' }))).toEqual({ t: 'int', v: 1n });
      // A flush far in the future times s2 out; the caller still holds it.
      expect(eventsOf(d.exec({ fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t: LONG_MAX }))).toEqual([
        { ev: 'remove_cb', ctx: 'c1', s: 's2' },
      ]);
      d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's2' });
      expect(eventsOf(d.exec({ fn: 'SSL_CTX_free', ctx: 'c1' }))).toEqual([
        { ev: 'remove_cb', ctx: 'c1', s: 's2' },
      ]);
      expect(() => d.exec({ fn: 'SSL_CTX_sess_number', ctx: 'c1' })).toThrow(/unknown context handle c1/);
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's2' }))).toEqual([{ ev: 'free', s: 's2' }]);
    });
  });

  it('ignores the destruction of a session the driver never labelled', () => {
    withDriver((d) => {
      const lib = loadLibssl();
      d.exec({ fn: 'SSL_SESSION_new' });
      // Another user of the same library frees its own session: the free function sees NULL.
      lib.SSL_SESSION_free(lib.SSL_SESSION_new());
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's1' }))).toEqual([{ ev: 'free', s: 's1' }]);
    });
  });

  it('gives a fresh handle to a session at a reused address', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_SESSION_new' });
      const a1 = d.addressOf('s1');
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's1' }))).toEqual([{ ev: 'free', s: 's1' }]);
      expect(retOf(d.exec({ fn: 'SSL_SESSION_new' }))).toEqual({ t: 'session', v: 's2' });
      // glibc hands the same chunk back for an allocation of the same size.
      expect(d.addressOf('s2')).toBe(a1);
      expect(eventsOf(d.exec({ fn: 'SSL_SESSION_free', s: 's2' }))).toEqual([{ ev: 'free', s: 's2' }]);
    });
  });
});

describe('callbacks', () => {
  it('getters return the names that installed the callbacks', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_CTX_new' });
      d.exec({ fn: 'SSL_CTX_new' });
      for (const kind of ['new', 'remove', 'get'] as const) {
        const set = `SSL_CTX_sess_set_${kind}_cb` as const;
        const get = `SSL_CTX_sess_get_${kind}_cb` as const;
        expect(retOf(d.exec({ fn: get, ctx: 'c1' }))).toEqual({ t: 'callback', v: null });
        expect(retOf(d.exec({ fn: set, ctx: 'c1', cb: 'alpha' }))).toEqual({ t: 'void' });
        d.exec({ fn: set, ctx: 'c2', cb: 'beta' });
        expect(retOf(d.exec({ fn: get, ctx: 'c1' }))).toEqual({ t: 'callback', v: 'alpha' });
        expect(retOf(d.exec({ fn: get, ctx: 'c2' }))).toEqual({ t: 'callback', v: 'beta' });
        d.exec({ fn: set, ctx: 'c1', cb: null });
        expect(retOf(d.exec({ fn: get, ctx: 'c1' }))).toEqual({ t: 'callback', v: null });
      }
    });
  });

  it('records nothing for a context without a remove callback', () => {
    withDriver((d) => {
      run(
        d,
        { fn: 'SSL_CTX_new' },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's1', id: '01' },
      );
      d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's1' });
      d.exec({ fn: 'SSL_SESSION_free', s: 's1' });
      expect(eventsOf(d.exec({ fn: 'SSL_CTX_remove_session', ctx: 'c1', s: 's1' }))).toEqual([
        { ev: 'free', s: 's1' },
      ]);
    });
  });
});

describe('values', () => {
  it('round-trips LONG_MAX and LONG_MIN through set_time / get_time', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_SESSION_new' });
      for (const t of [LONG_MAX, LONG_MIN, (1n << 53n) + 1n, -(1n << 53n) - 1n, 0n, -1n]) {
        d.exec({ fn: 'SSL_SESSION_set_time', s: 's1', t });
        expect(retOf(d.exec({ fn: 'SSL_SESSION_get_time', s: 's1' }))).toEqual({ t: 'int', v: t });
      }
      d.exec({ fn: 'SSL_SESSION_set_timeout', s: 's1', t: LONG_MAX });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_get_timeout', s: 's1' }))).toEqual({ t: 'int', v: LONG_MAX });
      d.exec({ fn: 'SSL_CTX_new' });
      d.exec({ fn: 'SSL_CTX_set_timeout', ctx: 'c1', t: LONG_MIN });
      expect(retOf(d.exec({ fn: 'SSL_CTX_get_timeout', ctx: 'c1' }))).toEqual({ t: 'int', v: LONG_MIN });
    });
  });

  it('passes session ids of any length, including the over-long', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_SESSION_new' });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_set1_id', s: 's1', id: 'ab'.repeat(32) }))).toEqual({
        t: 'int',
        v: 1n,
      });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_set1_id', s: 's1', id: 'ab'.repeat(33) }))).toEqual({
        t: 'int',
        v: 0n,
      });
      expect(retOf(d.exec({ fn: 'SSL_SESSION_set1_id', s: 's1', id: '' }))).toEqual({ t: 'int', v: 1n });
      expect(() => d.exec({ fn: 'SSL_SESSION_set1_id', s: 's1', id: 'xyz' })).toThrow(/not hex/);
    });
  });

  it('maps the cache macros and statistics to SSL_CTX_ctrl', () => {
    withDriver((d) => {
      d.exec({ fn: 'SSL_CTX_new' });
      expect(retOf(d.exec({ fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 7n }))).toEqual({
        t: 'int',
        v: 20480n,
      });
      expect(retOf(d.exec({ fn: 'SSL_CTX_sess_get_cache_size', ctx: 'c1' }))).toEqual({ t: 'int', v: 7n });
      expect(retOf(d.exec({ fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x403n }))).toEqual({
        t: 'int',
        v: 2n,
      });
      expect(retOf(d.exec({ fn: 'SSL_CTX_get_session_cache_mode', ctx: 'c1' }))).toEqual({
        t: 'int',
        v: 0x403n,
      });
      for (const c of ['connect', 'accept_good', 'hits', 'misses', 'timeouts', 'cache_full'] as const) {
        expect(retOf(d.exec({ fn: `SSL_CTX_sess_${c}`, ctx: 'c1' }))).toEqual({ t: 'int', v: 0n });
      }
    });
  });

  it('reports the stamped time as the clock of SSL_CTX_add_session under UPDATE_TIME', () => {
    withDriver((d) => {
      run(
        d,
        { fn: 'SSL_CTX_new' },
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x402n },
        { fn: 'SSL_SESSION_new' },
        { fn: 'SSL_SESSION_set1_id', s: 's1', id: '01' },
        { fn: 'SSL_SESSION_set_time', s: 's1', t: 5n },
      );
      const o = d.exec({ fn: 'SSL_CTX_add_session', ctx: 'c1', s: 's1' });
      expect(o.now).toBeDefined();
      expect(o.now).toBeGreaterThan(5n);
      expect(retOf(d.exec({ fn: 'SSL_SESSION_get_time', s: 's1' }))).toEqual({ t: 'int', v: o.now });
    });
  });
});
