/**
 * The profiles' time rules at their edges (§ORDER-2, §FLUSH-2), where generated sequences
 * rarely land: the exact overflow boundary of OpenSSL 3.0's `time + timeout`, and the negative
 * timeout 3.0 counts as 0 (a 3.0 session only gets one from sources other than
 * `SSL_SESSION_set_timeout`, which refuses it, so the object-level properties never see it).
 */
import { describe, expect, it } from 'vitest';
import { LONG_MAX, LONG_MIN } from '../src/model/int64.js';
import { openssl30TimeRules as r30, openssl111TimeRules as r111 } from '../src/model/profile.js';

describe('§ORDER-2 OpenSSL 3.0: time + timeout overflows only past LONG_MAX', () => {
  it('a sum of exactly LONG_MAX is not flagged, ranks at LONG_MAX and never expires', () => {
    for (const time of [0n, 1_700_000_000n, LONG_MAX - 304n, LONG_MAX]) {
      const timeout = LONG_MAX - time;
      expect(r30.flagged(time, timeout), `time ${time}`).toBe(false);
      expect(r30.rank(time, timeout)).toBe(LONG_MAX);
      expect(r30.expiredAt(LONG_MAX, time, timeout)).toBe(false);
    }
  });

  it('one second more is flagged: it ranks after every unflagged sum and never expires', () => {
    for (const time of [1n, 1_700_000_000n, LONG_MAX]) {
      const timeout = LONG_MAX - time + 1n;
      expect(r30.flagged(time, timeout), `time ${time}`).toBe(true);
      expect(r30.rank(time, timeout) > LONG_MAX).toBe(true);
      expect(r30.expiredAt(LONG_MAX, time, timeout)).toBe(false);
    }
  });

  it('flagged sums rank among themselves by the wrapped sum, a negative one first', () => {
    // A negative time is always flagged (LONG_MAX - time wraps); its wrapped sum can be negative.
    expect(r30.flagged(-1n, 0n)).toBe(true);
    const negative = r30.rank(LONG_MIN, LONG_MAX); // d = -1, timeout - d wraps to LONG_MIN
    const justOver = r30.rank(1n, LONG_MAX); // d = LONG_MAX - 1, timeout - d = 1
    expect(r30.flagged(1n, LONG_MAX)).toBe(true);
    expect(negative < justOver).toBe(true);
    expect(negative > r30.rank(0n, LONG_MAX)).toBe(true);
  });
});

describe('§FLUSH-2 / §LOOKUP-4: a negative timeout is added as it is (observed on 3.0.19: timeout -1 has expired within its own second); 1.1.1 too', () => {
  it('3.0: expiry at time + timeout, not clamped', () => {
    const time = 1_700_000_000n;
    expect(r30.rank(time, -5n)).toBe(time - 5n);
    expect(r30.expiredAt(time - 5n, time, -5n)).toBe(false);
    expect(r30.expiredAt(time - 4n, time, -5n)).toBe(true);
    expect(r30.expiredAt(time, time, -1n)).toBe(true);
    expect(r30.flagged(LONG_MAX, -5n)).toBe(false);
  });

  it('1.1.1: expiry at time + timeout, wrapping, never flagged', () => {
    const time = 1_700_000_000n;
    expect(r111.expiredAt(time - 4n, time, -5n)).toBe(true);
    expect(r111.expiredAt(time - 5n, time, -5n)).toBe(false);
    expect(r111.expiredAt(0n, LONG_MAX, 1n)).toBe(true);
    for (const [time, timeout] of [
      [0n, 0n],
      [LONG_MAX, LONG_MAX],
      [-1n, 5n],
    ] as const) {
      expect(r111.flagged(time, timeout)).toBe(false);
    }
  });
});
