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
   * head. (§ORDER-1, §ORDER-2)
   */
  readonly rank: (time: bigint, timeout: bigint) => bigint;
  /** Whether the session's expiry is flagged as overflowed: it never expires. (§ORDER-2) */
  readonly flagged: (time: bigint, timeout: bigint) => boolean;
  /** Whether a flush at `t` (≠ 0) removes a session with this time and timeout. (§FLUSH-2) */
  readonly expiredAt: (t: bigint, time: bigint, timeout: bigint) => boolean;
}

/**
 * Rules of the connection level (TLS 1.2 with session ids), each naming its clause. The
 * variants of the properties flip them one at a time.
 */
export interface ConnRules {
  /** Protocol version of every handshake session (TLS 1.2): part of the cache key. */
  readonly version: number;
  /** Timeout of a handshake session when the context's is 0: the method's default. (§HS-2) */
  readonly defaultTimeout: bigint;
  /** A client offers a session only if it is resumable and of a version it speaks. (§HS-1) */
  readonly offerNeedsResumable: boolean;
  /** A server whose context lacks the SERVER bit answers (and keeps) an empty id. (§HS-3) */
  readonly emptyIdWithoutServerBit: boolean;
  /** A client whose offered id was not resumed counts a miss. (§HS-4) */
  readonly clientCountsMiss: boolean;
  /** A sid_ctx mismatch also counts a miss. (§LOOKUP-2) */
  readonly sidCtxMismatchCountsMiss: boolean;
  /** A found session with VERIFY_PEER and an empty sid_ctx is a fatal error. (§LOOKUP-3) */
  readonly verifyPeerEmptySidCtxFatal: boolean;
  /** An expired candidate from the cache is removed from it. (§LOOKUP-4) */
  readonly expiredCandidateRemoved: boolean;
  /** `ssl_update_cache` also stores after a resumption. (§STORE-1) */
  readonly storeAfterResumption: boolean;
  /** `ssl_update_cache` skips a session marked non-resumable. (§STORE-2) */
  readonly storeSkipsNotResumable: boolean;
  /** The automatic flush's counter test: the low byte is 0xff (mask and value). (§AUTO-1) */
  readonly autoFlushMask: bigint;
  /** The good-handshake counter is incremented before the automatic flush reads it. (§AUTO-1) */
  readonly goodCountedBeforeUpdate: boolean;
  /** `SSL_free`/`SSL_clear`/`SSL_set_session` remove a finished, not shut down session. (§CONN-6) */
  readonly badSessionRemoved: boolean;
  /** `SSL_CTX_free` with live connections waits for the last one. (§CONN-2) */
  readonly ctxHeldByConnections: boolean;
  /** Longest session id context. (§CONN-9) */
  readonly maxSidCtxLength: number;
  /** A non-resumable session answered by `get_session_cb` is ignored (3.0.14+). (§EXT-3) */
  readonly getCbRejectsNotResumable: boolean;
}

export interface Rules {
  /** The connection level. */
  readonly conn: ConnRules;
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
  /** How a flush walks: the list from the tail, stopping at the first unexpired session; every
   * hash entry in map order; or 1.1.1's hash table in its doall order. (§FLUSH-3) */
  readonly flushWalk: 'tail-until-unexpired' | 'every-entry' | 'lhash';
  /** The model keeps OpenSSL 1.1.1's hash-table layout (`lhash.ts`), for walks in its order. */
  readonly keepsLhash: boolean;
  /** `SSL_CTX_flush_sessions(ctx, 0)` removes every session. (§FLUSH-1) */
  readonly flushZeroMeansAll: boolean;
  /** When a flush drops the cache's references: after the walk, or at each removal. (§FLUSH-4) */
  readonly flushFrees: 'after-walk' | 'in-walk';
  /** Return value of re-adding the identical object. (§ADD-2) */
  readonly identicalAddResult: bigint;
  /** Replacing a same-key object reports the old one to the remove callback. (§ADD-4) */
  readonly replaceCallsRemoveCb: boolean;
  /** `SSL_CTX_add_session` refuses a zero-length id (returns 0, caches nothing). (§ADD-6) */
  readonly addRejectsEmptyId: boolean;
  /** Size-based eviction reports each victim to the remove callback. (§EVICT-2) */
  readonly evictionCallsRemoveCb: boolean;
  /** Size-based eviction also removes a zero-length-id tail. (§EVICT-3) */
  readonly evictEmptyIdTail: boolean;
  /** How many entries one add may evict. (§EVICT-4) */
  readonly evictionLoop: 'until-fits' | 'one-per-add';
  /** Among equal ranks, where a newly linked session goes. (§ORDER-1) */
  readonly tieBreak: 'newest-at-head' | 'newest-at-tail';
  /** `SSL_CTX_remove_session` ignores a zero-length id. (§REMOVE-1) */
  readonly removeIgnoresEmptyId: boolean;
  /** What `SSL_CTX_remove_session` matches: any cached object with the key, or the object. (§REMOVE-2) */
  readonly removeMatches: 'key' | 'object';
  /** Which sessions `SSL_CTX_remove_session` marks non-resumable. (§REMOVE-3) */
  readonly removeMarks: 'argument-always' | 'argument-when-found' | 'none';
  /** Which session the remove callback receives, and when. (§REMOVE-4) */
  readonly removeCallback: 'argument-always' | 'removed-when-found';
  /** `SSL_CTX_sess_set_cache_size` refuses a negative size. (§SIZE-1) */
  readonly cacheSizeRejectsNegative: boolean;
  /** Mask applied to a stored cache mode: 3.0 keeps it in a 32-bit unsigned field. (§MODE-1) */
  readonly modeMask: bigint;
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
 * OpenSSL 3.0.19's `ssl_session_calculate_timeout`, as observed: with `d = LONG_MAX - time`
 * (64-bit, wrapping), the session is flagged `timeout_ovf` when `timeout > d`, and its
 * `calc_timeout` is then `timeout - d` (wrapping) instead of `time + timeout`. A flagged session
 * never expires and sorts after every unflagged one; flagged sessions sort among themselves by
 * their `calc_timeout`. Since `d` wraps negative for every negative time, a session with a
 * negative time is always flagged. Flagged ranks are lifted above 2^64 to sort last.
 */
const OVF_RANK_BASE = 2n ** 66n;
const calc30 = (time: bigint, timeout: bigint): { ovf: boolean; calc: bigint } => {
  // A negative timeout is not clamped (it reaches a session only through a negative context
  // timeout): observed, a session with timeout -1 has expired within its own second.
  const d = wrap64(LONG_MAX - time);
  return timeout > d ? { ovf: true, calc: wrap64(timeout - d) } : { ovf: false, calc: time + timeout };
};

export const openssl30TimeRules: TimeRules = {
  flagged: (time, timeout) => calc30(time, timeout).ovf,
  rank: (time, timeout) => {
    const { ovf, calc } = calc30(time, timeout);
    return ovf ? OVF_RANK_BASE + calc : calc;
  },
  expiredAt: (t, time, timeout) => {
    const { ovf, calc } = calc30(time, timeout);
    return !ovf && t > calc;
  },
};

/** OpenSSL 3.0.x after the fixes listed in the reference (3.0.6+ eviction, 3.0.14+ hardening). */
export const openssl30: Profile = {
  name: 'openssl-3.0',
  describes: 'OpenSSL 3.0.x (3.0.14 and later; judged against the system libssl)',
  rules: {
    conn: {
      version: 0x303,
      defaultTimeout: 7200n,
      offerNeedsResumable: true,
      emptyIdWithoutServerBit: true,
      clientCountsMiss: true,
      sidCtxMismatchCountsMiss: false,
      verifyPeerEmptySidCtxFatal: true,
      expiredCandidateRemoved: true,
      storeAfterResumption: false,
      storeSkipsNotResumable: true,
      autoFlushMask: 0xffn,
      goodCountedBeforeUpdate: false,
      badSessionRemoved: true,
      ctxHeldByConnections: true,
      maxSidCtxLength: 32,
      getCbRejectsNotResumable: true,
    },
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
    keepsLhash: false,
    flushZeroMeansAll: true,
    flushFrees: 'after-walk',
    identicalAddResult: 0n,
    replaceCallsRemoveCb: false,
    addRejectsEmptyId: false,
    evictionCallsRemoveCb: true,
    evictEmptyIdTail: false,
    evictionLoop: 'until-fits',
    tieBreak: 'newest-at-head',
    removeIgnoresEmptyId: true,
    removeMatches: 'key',
    removeMarks: 'argument-always',
    removeCallback: 'argument-always',
    cacheSizeRejectsNegative: true,
    modeMask: 0xffffffffn,
  },
};

/**
 * OpenSSL 1.1.1 keeps no expiry order: its list is in insertion order (every rank is equal, so
 * the link sequence decides, newest at the head), and a flush compares `t > time + timeout` in
 * plain (wrapping) `long` arithmetic, with no overflow flag and no clamping of negative
 * timeouts. Source: 1.1.1's `timeout_cb` in ssl/ssl_sess.c.
 */
export const openssl111TimeRules: TimeRules = {
  flagged: () => false,
  rank: () => 0n,
  expiredAt: (t, time, timeout) => t > wrap64(time + timeout),
};

/** OpenSSL 1.1.1 (read from its sources; no 1.1.1 library is available to judge it). */
export const openssl111: Profile = {
  name: 'openssl-1.1.1',
  describes: 'OpenSSL 1.1.1 (from its ssl/ssl_sess.c, ssl/ssl_lib.c and crypto/lhash/lhash.c)',
  rules: {
    ...openssl30.rules,
    // 1.1.1 resumes a non-resumable session answered by get_session_cb (no CVE-2024-2511 check).
    conn: { ...openssl30.rules.conn, getCbRejectsNotResumable: false },
    setTimeoutRejectsNegative: false,
    settersRelink: false,
    updateTimeBit: 0n,
    readdRelinks: false,
    eviction: 'after-link-while-count-gt-size',
    time: openssl111TimeRules,
    flushWalk: 'lhash',
    keepsLhash: true,
    flushFrees: 'in-walk',
  },
};

export const PROFILES: readonly Profile[] = [openssl30, openssl111];

export const profileByName = (name: string): Profile | undefined => PROFILES.find((p) => p.name === name);
