/**
 * The clause ids defined in spec/, with their titles, for reports. The meta-test keeps this
 * list equal to the spec's headings (spec/ is the definition; this is an index of it).
 *
 * @category spec
 */
import type { ClauseId } from './types.js';

export const CLAUSES: Readonly<Record<ClauseId, string>> = {
  '§SESS-1': 'a new session: one caller reference, the clock, a 304 s placeholder timeout, no id',
  '§SESS-2': 'SSL_SESSION_set1_id accepts at most 32 bytes',
  '§SESS-3': 'SSL_SESSION_set_time stores the time and returns it',
  '§SESS-4': 'SSL_SESSION_set_timeout refuses a negative timeout',
  '§SESS-5': 'the time setters re-sort a cached session',
  '§SESS-6': 'the getters return the stored time and timeout',
  '§SESS-7': 'resumable means not marked and a non-empty id',
  '§REF-1': 'SSL_SESSION_up_ref adds a reference the caller holds',
  '§REF-2': 'the object is destroyed exactly when its last reference goes',
  '§REF-3': 'the caller releases only the references it holds',
  '§CTX-1': 'a new context: mode SERVER, size 20480, timeout 7200, zero counters, no callbacks',
  '§CTX-2': 'SSL_CTX_free flushes the whole cache first',
  '§CTX-3': 'SSL_CTX_set_timeout stores any value and returns the previous one',
  '§SIZE-1': 'the cache size setter returns the previous size and refuses a negative one',
  '§SIZE-2': 'SSL_CTX_sess_number counts every hash entry',
  '§MODE-1': 'the cache mode keeps 32 bits, and the previous one is returned',
  '§CB-1': 'each callback setter stores its function and its getter returns it',
  '§STAT-1': 'object-level calls move only cache_full',
  '§ADD-1': 'adding a new key returns 1 and the cache takes one reference',
  '§ADD-2': 're-adding the identical object returns 0',
  '§ADD-3': 're-adding the identical object re-links it',
  '§ADD-4': 'a different object with the same key replaces the cached one silently',
  '§ADD-5': 'SSL_SESS_CACHE_UPDATE_TIME stamps the time on every add',
  '§ADD-6': 'the key is the id; the zero-length id is a key like any other',
  '§EVICT-1': 'a cache of size n > 0 keeps at most max(1, n − 1) sessions',
  '§EVICT-2': 'eviction takes the tail, reports it, then releases it',
  '§EVICT-3': 'eviction stops at a zero-length-id tail',
  '§EVICT-4': 'only an add of a new key evicts, and then down to capacity at once',
  '§ORDER-1': 'the list runs by expiry; a newly linked session goes after its equals',
  '§ORDER-2': 'an overflowing expiry sorts last and never expires',
  '§REMOVE-1': 'NULL or a zero-length id: returns 0, does nothing',
  '§REMOVE-2': 'removal is by key, whichever object is cached',
  '§REMOVE-3': 'the argument is marked non-resumable, found or not',
  '§REMOVE-4': 'the remove callback gets the argument, found or not',
  '§REMOVE-5': 'the removed entry is released after the callback',
  '§FLUSH-1': 'time 0 removes every session',
  '§FLUSH-2': 'at time t ≠ 0, exactly the sessions with t > time + timeout go',
  '§FLUSH-3': 'the flush walks from the tail and stops at the first live session',
  '§FLUSH-4': 'each flushed session is marked and reported, then all are released',
  '§CONN-1': 'SSL_new copies the session id context and verify mode, and holds the context',
  '§CONN-2': 'SSL_CTX_free with live connections waits for the last SSL_free',
  '§CONN-3': 'SSL_get_session lends the session; SSL_get1_session adds a reference',
  '§CONN-4': 'SSL_session_reused is 1 exactly after a resumption',
  '§CONN-5': 'SSL_set_session drops the old session, references the new one, returns 1',
  '§CONN-6': 'a finished connection that did not send its shutdown loses its session from the cache',
  '§CONN-7': 'SSL_shutdown: -1 in a handshake, 0 the first time after one, then -1',
  '§CONN-8': 'SSL_clear keeps a good session for the next handshake and resets the connection',
  '§CONN-9': 'a session id context has at most 32 bytes',
  '§HS-1': 'a client offers its session only when it is resumable and of its version',
  '§HS-2': 'a handshake session: the clock, the context timeout or 7200 s, the connection sid_ctx',
  '§HS-3': 'the server draws a 32-byte id, and sends none when its cache mode lacks SERVER',
  '§HS-4': 'the client takes the server id; an offered id not resumed is a miss and a new session',
  '§HS-5': "a fatal alert removes the sender's and the reader's sessions",
  '§HS-6': 'a clock reading that may fall on either side of a second gives each outcome',
  '§LOOKUP-1': 'the server looks the offered id up in its cache, counting misses, then asks get_session_cb',
  '§LOOKUP-2': 'a session of another session id context is a silent miss',
  '§LOOKUP-3': 'SSL_VERIFY_PEER with an empty session id context makes a found session fatal',
  '§LOOKUP-4': 'an expired session counts a timeout and leaves the cache',
  '§LOOKUP-5': 'a resumption counts a hit and uses the cached object',
  '§STORE-1': 'a full handshake caches the session and calls new_session_cb under the role bit',
  '§STORE-2': 'an empty id, a non-resumable session or an unverifiable server context store nothing',
  '§AUTO-1': 'every 256th good handshake flushes the cache, unless NO_AUTO_CLEAR',
  '§COUNT-1': 'connect and accept count each start, connect_good and accept_good each finish',
  '§UB-1': 'a call on a freed session or context is undefined',
  '§UB-2': 'adding a session that another context caches is undefined',
  '§UB-3': 'changing the id of a cached session is undefined',
  '§UB-4': 'connection sequences outside the modelled protocol have no meaning here',
  '§UB-5': 'resuming a session whose handshake never finished is undefined',
};

/** Clauses of the connection level (spec/connections.md): only handshakes exercise them. */
export const isConnectionClause = (id: ClauseId): boolean => /^§(CONN|HS|LOOKUP|STORE|AUTO|COUNT)-/.test(id);

/** Clauses about calls the model calls undefined: never sent to an implementation. */
export const isUndefinedClause = (id: ClauseId): boolean => id.startsWith('§UB-') || id === '§REF-3';
