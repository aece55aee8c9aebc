/**
 * Profiles: one implementation and version each, as data. The step's handlers consult the
 * profile's rules at the few places where implementations differ; adding a profile means
 * adding a record here, not editing the handlers. Each rule names the clause it decides.
 *
 * @category profile
 */
import { LONG_MAX, wrap64 } from './int64.js';
import type { ClauseId } from './types.js';

/** How the list position of a session is derived, and when it has expired. */
export interface TimeRules {
  /**
   * Rank of a session with this time and timeout; the list keeps ascending rank from tail to
   * head. Returns also the timeout as the library stores it. (§ORDER-1, §ORDER-2)
   */
  readonly rank: (time: bigint, timeout: bigint) => bigint;
  /** Whether a flush at `t` (≠ 0) removes a session with this time and timeout. (§FLUSH-2) */
  readonly expiredAt: (t: bigint, time: bigint, timeout: bigint) => boolean;
}

export interface Rules {
  /** `SSL_SESSION_new`'s placeholder timeout. (§SESS-1) */
  readonly newSessionTimeout: bigint;
  /** Longest id `SSL_SESSION_set1_id` accepts. (§SESS-2) */
  readonly maxIdLength: number;
  /** `SSL_SESSION_set_time` returns its argument, or 1. (§SESS-3) */
  readonly setTimeReturns: 'argument' | 'one';
  /** `SSL_SESSION_set_timeout` refuses a negative value with 0. (§SESS-4) */
  readonly setTimeoutRejectsNegative: boolean;
  /** The time/timeout setters re-link a cached session at its new position. (§SESS-5) */
  readonly settersRelink: boolean;
  /** `SSL_CTX_new` defaults. (§CTX-1) */
  readonly ctxDefaults: { readonly mode: bigint; readonly size: bigint; readonly timeout: bigint };
  /** The `SSL_SESS_CACHE_UPDATE_TIME` bit, or 0n where the profile has none. (§ADD-5) */
  readonly updateTimeBit: bigint;
  /** Re-adding the cached object re-links it (a new tie-break position). (§ADD-3) */
  readonly readdRelinks: boolean;
  /** When eviction runs relative to linking the new entry, and its loop bound. (§EVICT-1) */
  readonly eviction: 'before-link-while-count-ge-size' | 'after-link-while-count-gt-size';
  /** Time arithmetic and ordering. */
  readonly time: TimeRules;
  /** A flush walks the list from the tail and stops at the first unexpired session. (§FLUSH-3) */
  readonly flushWalk: 'tail-until-unexpired' | 'every-entry';
}

export interface Profile {
  readonly name: string;
  /** Human description, for reports. */
  readonly describes: string;
  readonly rules: Rules;
  /** Clauses whose rule is specific to this profile (for reports). */
  readonly notes?: readonly ClauseId[];
}

/**
 * OpenSSL 3.0 expiry: `calc_timeout = time + timeout`; when the sum overflows a `time_t` the
 * session is flagged `timeout_ovf`, never expires and sorts after every other session.
 * Overflowed sessions are ranked above 2^64 by their wrapped sum.
 */
const OVF_RANK_BASE = 2n ** 66n;
const overflows = (time: bigint, timeout: bigint): boolean => time > 0n && timeout > LONG_MAX - time;

export const openssl30TimeRules: TimeRules = {
  rank: (time, timeout) => {
    const t = timeout < 0n ? 0n : timeout;
    return overflows(time, t) ? OVF_RANK_BASE + wrap64(time + t) : time + t;
  },
  expiredAt: (t, time, timeout) => {
    const to = timeout < 0n ? 0n : timeout;
    return !overflows(time, to) && t > time + to;
  },
};

/** OpenSSL 3.0.x after the fixes listed in the reference (3.0.6+ eviction, 3.0.14+ hardening). */
export const openssl30: Profile = {
  name: 'openssl-3.0',
  describes: 'OpenSSL 3.0.x (3.0.14 and later; judged against the system libssl)',
  rules: {
    newSessionTimeout: 304n,
    maxIdLength: 32,
    setTimeReturns: 'argument',
    setTimeoutRejectsNegative: true,
    settersRelink: true,
    ctxDefaults: { mode: 2n, size: 20480n, timeout: 7200n },
    updateTimeBit: 0x400n,
    readdRelinks: true,
    eviction: 'before-link-while-count-ge-size',
    time: openssl30TimeRules,
    flushWalk: 'tail-until-unexpired',
  },
};

export const PROFILES: readonly Profile[] = [openssl30];

export const profileByName = (name: string): Profile | undefined => PROFILES.find((p) => p.name === name);
