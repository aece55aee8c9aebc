/**
 * The connection level: `SSL` objects, TLS 1.2 handshakes with session ids (the server sets
 * `SSL_OP_NO_TICKET`), and how they store, look up, resume and drop sessions. The handshake is
 * one call of the harness (`handshake`), run here in the order the library's state machines
 * run it: the client's ClientHello, the server's lookup and ServerHello, then the side that
 * sends the last Finished message finishes last (the server after a full handshake, the client
 * after a resumption), each updating its cache as it finishes.
 *
 * Sources: OpenSSL 3.0's ssl/statem/statem_clnt.c (`tls_construct_client_hello`,
 * `tls_process_server_hello`), statem_srvr.c (`tls_early_post_process_client_hello`,
 * `tls_construct_server_hello`), statem_lib.c (`tls_finish_handshake`), ssl_sess.c
 * (`ssl_get_new_session`, `lookup_sess_in_cache`, `ssl_get_prev_session`), ssl_lib.c
 * (`ssl_update_cache`, `ssl_clear_bad_session`, `SSL_free`, `SSL_clear`, `SSL_set_session`),
 * s3_msg.c (`ssl3_send_alert`) and rec_layer_s3.c (a received fatal alert). Judged against the
 * system libssl by the lockstep fuzzer.
 *
 * @category model
 */
import { cacheKey, type Conn, idLength } from './state.js';
import { addSession, type Handler, type Tx, Undefined } from './step.js';
import { type Call, type Counter, ret, type SessionHandle, type SslHandle } from './types.js';

/** `SSL_SESS_CACHE_*` bits the connection level reads. */
export const MODE = {
  CLIENT: 0x1n,
  SERVER: 0x2n,
  NO_AUTO_CLEAR: 0x80n,
  NO_INTERNAL_LOOKUP: 0x100n,
  NO_INTERNAL_STORE: 0x200n,
} as const;
/** `SSL_VERIFY_PEER`; the model covers verify modes 0 and this. */
export const SSL_VERIFY_PEER = 0x1n;

const roleBit = (c: Conn): bigint => (c.role === 'server' ? MODE.SERVER : MODE.CLIENT);
const goodCounter = (c: Conn): Counter => (c.role === 'server' ? 'accept_good' : 'connect_good');

/** A fallback for a drawn id the caller did not supply: 32 bytes derived from the handle. */
const fallbackId = (h: SessionHandle): string => h.slice(1).padStart(64, 'f');

/**
 * `ssl_get_new_session`: a new session object for `t` (its handle is the next one), stamped
 * with the clock, the context's timeout (or the method's default when that is 0) and the
 * connection's sid_ctx; a server draws a 32-byte id. It replaces the connection's session,
 * whose reference is dropped (plainly: no bad-session check). §HS-2 §HS-3
 */
const newSession = (
  tx: Tx,
  t: SslHandle,
  call: { readonly ids: readonly string[] },
  drawn: { n: number },
): SessionHandle => {
  const r = tx.rules;
  const c = tx.conn(t);
  const ctx = tx.ctx(c.ctx);
  const h: SessionHandle = `s${++tx.sessionsCreated}`;
  const timeout = ctx.timeout === 0n ? r.conn.defaultTimeout : ctx.timeout;
  const time = tx.clock();
  tx.putSess(h, {
    refs: 1,
    app: 0,
    id: '',
    // A TLS 1.3-capable client stamps its new session TLS 1.3 until the ServerHello (§EXT-5).
    version: c.role === 'client' && c.tls13 ? TLS1_3 : r.conn.version,
    time,
    timeout,
    rank: r.time.rank(time, timeout),
    notResumable: false,
    owner: null,
    link: -1,
    sidCtx: c.sidCtx,
    unfinished: true,
    secret: '',
  });
  tx.events.push({ ev: 'new', s: h });
  tx.by('§HS-2');
  if (c.session !== null) tx.release(c.session);
  if (c.role === 'server') {
    tx.events.push({ ev: 'gen_id', ssl: t });
    tx.putSess(h, { ...tx.sess(h), id: call.ids[drawn.n++] ?? fallbackId(h) });
    tx.by('§HS-3');
  }
  tx.putConn(t, { ...tx.conn(t), session: h });
  return h;
};

/** TLS 1.3's protocol version. */
const TLS1_3 = 0x304;

/** `SSL_SESSION_is_resumable` and a version the client speaks: what a client offers. §HS-1 */
const offerable = (tx: Tx, t: SslHandle, h: SessionHandle): boolean => {
  const s = tx.sess(h);
  if (!tx.rules.conn.offerNeedsResumable) return idLength(s) > 0;
  const resumable = !s.notResumable && idLength(s) > 0;
  if (resumable && s.version === TLS1_3 && tx.conn(t).tls13) {
    throw outside('a TLS 1.3 client offering a TLS 1.3 session (tickets are not modelled yet)');
  }
  return resumable && s.version === tx.rules.conn.version;
};

/**
 * `ssl3_send_alert` with a fatal level, and its receipt by the peer: each side that holds a
 * session removes it from its own context (marking it non-resumable, calling the remove
 * callback, whether cached or not). Both sides end failed. §HS-5
 */
const fatal = (tx: Tx, sender: SslHandle, receiver: SslHandle | null): void => {
  for (const t of receiver === null ? [sender] : [sender, receiver]) {
    const c = tx.conn(t);
    if (c.session !== null) tx.removeSession(c.ctx, c.session, false);
    tx.putConn(t, { ...tx.conn(t), phase: 'failed' });
  }
  tx.by('§HS-5');
};

/** `get_session_cb` behaviours by the callback's name (spec/external.md). */
export const GET_CB = { STORE: 'store', STORE_COPY0: 'store-copy0', STALE: 'stale' } as const;
/** The `new_session_cb` that keeps the session in the external store (returns 1). */
export const NEW_CB_KEEP = 'keep';

/**
 * `get_session_cb(ssl, id, len, &copy)` with `*copy` entering as 1, answered by the external
 * store as the callback's name says: `store` answers what it keeps under the id and leaves
 * `copy`; `store-copy0` hands its own reference over (`*copy = 0`) and forgets the entry;
 * `stale` answers after setting the session's time to 1 (long expired); any other callback,
 * or a kept session whose id has since changed, answers NULL. A non-resumable answer is ignored (its handed-over reference dropped);
 * otherwise `cb_hits` counts, the library holds a reference, and unless NO_INTERNAL_STORE the
 * answer is added to the internal cache (evictions and remove callbacks included).
 * Returns the session the lookup now holds a reference on. §EXT-2 §EXT-3 §EXT-4
 */
const askStore = (tx: Tx, t: SslHandle, cb: string, id: string): SessionHandle | undefined => {
  const r = tx.rules;
  const srv = tx.conn(t);
  const kept = tx.store.get(id);
  tx.by('§EXT-2');
  if (kept === undefined || (cb !== GET_CB.STORE && cb !== GET_CB.STORE_COPY0 && cb !== GET_CB.STALE))
    return undefined;
  // An honest store answers only a session that still has the id asked for.
  if (tx.sess(kept).id !== id) return undefined;
  let copy = true;
  if (cb === GET_CB.STORE_COPY0) {
    tx.store = tx.store.delete(id);
    copy = false;
  } else if (cb === GET_CB.STALE) {
    tx.retime(kept, 1n, tx.sess(kept).timeout);
  }
  if (tx.sess(kept).notResumable && r.conn.getCbRejectsNotResumable) {
    tx.by('§EXT-3');
    if (!copy) tx.release(kept);
    return undefined;
  }
  tx.count(srv.ctx, 'cb_hits');
  if (copy) tx.putSess(kept, { ...tx.sess(kept), refs: tx.sess(kept).refs + 1 });
  tx.by('§EXT-2');
  if ((tx.ctx(srv.ctx).mode & MODE.NO_INTERNAL_STORE) === 0n) {
    addSession(tx, srv.ctx, kept, () => tx.clock());
    tx.by('§EXT-4');
  }
  return kept;
};

type Lookup = { readonly kind: 'hit'; readonly s: SessionHandle } | { readonly kind: 'miss' | 'fatal' };

/**
 * The server's `ssl_get_prev_session` for an offered id: the internal cache (unless
 * NO_INTERNAL_LOOKUP; a miss counts), then `get_session_cb` (the driver's answers NULL), then
 * the checks on a found session in the library's order: the sid_ctx (a mismatch is a silent
 * miss), SSL_VERIFY_PEER with an empty sid_ctx (fatal), expiry (counted, and the session is
 * removed from the cache). §LOOKUP-1 .. §LOOKUP-5
 */
const lookup = (tx: Tx, t: SslHandle, id: string): Lookup => {
  const r = tx.rules;
  const srv = tx.conn(t);
  const ctx = tx.ctx(srv.ctx);
  let found: SessionHandle | undefined;
  tx.by('§LOOKUP-1');
  if ((ctx.mode & MODE.NO_INTERNAL_LOOKUP) === 0n) {
    found = ctx.cache.get(cacheKey({ version: r.conn.version, id }));
    if (found === undefined) tx.count(srv.ctx, 'misses');
    else tx.putSess(found, { ...tx.sess(found), refs: tx.sess(found).refs + 1 });
  }
  if (found === undefined) {
    if (ctx.cbs.get === null) return { kind: 'miss' };
    tx.events.push({ ev: 'get_cb', ssl: t, id });
    found = askStore(tx, t, ctx.cbs.get, id);
    if (found === undefined) return { kind: 'miss' };
  }
  // The lookup holds one reference on `found` from here on.
  const s = tx.sess(found);
  if (s.unfinished) {
    // Observed: OpenSSL 3.0.19 crashes (SIGSEGV) resuming such a session.
    throw new Undefined(`${found}, from a handshake that never finished, was found for resumption`, '§UB-5');
  }
  if (s.sidCtx !== srv.sidCtx) {
    tx.by('§LOOKUP-2');
    if (r.conn.sidCtxMismatchCountsMiss) tx.count(srv.ctx, 'misses');
    tx.release(found);
    return { kind: 'miss' };
  }
  if (srv.verifyPeer && srv.sidCtx === '' && r.conn.verifyPeerEmptySidCtxFatal) {
    tx.by('§LOOKUP-3');
    tx.release(found);
    return { kind: 'fatal' };
  }
  const now = tx.clock();
  if (r.time.expiredAt(now, s.time, s.timeout)) {
    tx.by('§LOOKUP-4');
    tx.count(srv.ctx, 'timeouts');
    if (r.conn.expiredCandidateRemoved) tx.removeSession(srv.ctx, found, false);
    tx.release(found);
    return { kind: 'miss' };
  }
  tx.by('§LOOKUP-5');
  if (srv.session !== null) tx.release(srv.session);
  tx.putConn(t, { ...tx.conn(t), session: found, hit: true });
  tx.count(srv.ctx, 'hits');
  return { kind: 'hit', s: found };
};

/**
 * `ssl_update_cache` at the end of a TLS 1.2 handshake, then the finish's counters. Nothing
 * happens (not even the automatic flush) for an empty id, a session marked non-resumable, or a
 * server that verifies peers with an empty sid_ctx. Otherwise, with the role's bit in the
 * mode and no resumption: the session is added (unless NO_INTERNAL_STORE) and `new_session_cb`
 * called; then, with the role's bit and without NO_AUTO_CLEAR, the cache flushes itself at the
 * clock when the role's good-handshake counter, read before this handshake's increment, has
 * its low byte at 0xff. §STORE-1 §STORE-2 §AUTO-1 §COUNT-1
 */
const finish = (tx: Tx, t: SslHandle): void => {
  const r = tx.rules;
  const c = tx.conn(t);
  const h = c.session;
  if (r.conn.goodCountedBeforeUpdate) tx.count(c.ctx, goodCounter(c));
  if (h !== null && tx.sess(h).unfinished) tx.putSess(h, { ...tx.sess(h), unfinished: false });
  if (h !== null) updateCache(tx, t, h);
  const after = tx.conn(t);
  if (after.role === 'client' && after.hit) tx.count(after.ctx, 'hits');
  if (!r.conn.goodCountedBeforeUpdate) tx.count(after.ctx, goodCounter(after));
  tx.by('§COUNT-1');
  tx.putConn(t, { ...tx.conn(t), phase: 'done' });
};

const updateCache = (tx: Tx, t: SslHandle, h: SessionHandle): void => {
  const r = tx.rules;
  const c = tx.conn(t);
  const s = tx.sess(h);
  if (idLength(s) === 0 || (s.notResumable && r.conn.storeSkipsNotResumable)) {
    tx.by('§STORE-2');
    return;
  }
  if (c.role === 'server' && s.sidCtx === '' && c.verifyPeer) {
    tx.by('§STORE-2');
    return;
  }
  const mode = tx.ctx(c.ctx).mode;
  const bit = roleBit(c);
  if ((mode & bit) !== 0n && (!c.hit || r.conn.storeAfterResumption)) {
    tx.by('§STORE-1');
    if ((mode & MODE.NO_INTERNAL_STORE) === 0n) addSession(tx, c.ctx, h, () => tx.clock());
    const cb = tx.ctx(c.ctx).cbs.new;
    if (cb !== null) {
      tx.events.push({ ev: 'new_cb', ssl: t, s: h });
      if (cb === NEW_CB_KEEP) keep(tx, h);
      tx.by('§EXT-1');
    }
  }
  if ((mode & MODE.NO_AUTO_CLEAR) === 0n && (mode & bit) !== 0n) {
    const count = tx.ctx(c.ctx).stats[goodCounter(c)];
    if ((count & r.conn.autoFlushMask) === r.conn.autoFlushMask) {
      tx.by('§AUTO-1');
      tx.flush(c.ctx, tx.clock());
    }
  }
};

/**
 * The `keep` new-session callback returns 1: the reference the library took for it passes to
 * the external store, under the session's id, replacing (and releasing) what the store kept
 * there. Any other callback returns 0 and the library drops that reference again. §EXT-1
 */
const keep = (tx: Tx, h: SessionHandle): void => {
  const s = tx.sess(h);
  tx.putSess(h, { ...s, refs: s.refs + 1 });
  const old = tx.store.get(s.id);
  tx.store = tx.store.set(s.id, h);
  if (old !== undefined) tx.release(old);
};

/**
 * `ssl_clear_bad_session`: a finished connection that has not sent its shutdown removes its
 * session from its context (`SSL_CTX_remove_session`). Returns whether it did. §CONN-6
 */
const clearBadSession = (tx: Tx, t: SslHandle): boolean => {
  const c = tx.conn(t);
  if (c.session === null || c.sent || c.phase !== 'done' || !tx.rules.conn.badSessionRemoved) return false;
  tx.removeSession(c.ctx, c.session, false);
  tx.by('§CONN-6');
  return true;
};

const outside = (why: string): Undefined => new Undefined(`outside the modelled protocol: ${why}`, '§UB-4');

const handshake: Handler<'handshake'> = (tx, call) => {
  const { client: ct, server: st } = call;
  const cli0 = tx.conn(ct);
  const srv0 = tx.conn(st);
  if (cli0.role !== 'client' || srv0.role !== 'server')
    throw outside('a handshake needs a client and a server');
  if (cli0.phase !== 'before' || srv0.phase !== 'before') {
    throw outside('both ends of a handshake must be fresh (new, or reset by SSL_clear)');
  }
  const drawn = { n: 0 };
  // The ClientHello. §HS-1 §COUNT-1
  tx.count(cli0.ctx, 'connect');
  let offer: SessionHandle | null = null;
  // The id the ClientHello carries: the offered session's, a TLS 1.3-capable client's random
  // legacy id (an input), or none.
  let sent = '';
  if (cli0.session !== null && offerable(tx, ct, cli0.session)) {
    offer = cli0.session;
    sent = tx.sess(offer).id;
  } else {
    newSession(tx, ct, call, drawn);
    if (cli0.tls13) {
      sent = call.ids[drawn.n++] ?? 'cc'.repeat(32);
      tx.by('§EXT-5');
    }
  }
  tx.by('§HS-1');
  tx.putConn(ct, { ...tx.conn(ct), phase: 'partial' });
  // The server reads it, looks the offered id up, and answers. §COUNT-1
  tx.count(srv0.ctx, 'accept');
  tx.putConn(st, { ...tx.conn(st), phase: 'partial' });
  const found = sent === '' ? ({ kind: 'miss' } as const) : lookup(tx, st, sent);
  if (found.kind === 'fatal') {
    fatal(tx, st, call.until === 'done' ? ct : null);
    return ret.int(0);
  }
  if (found.kind === 'miss') {
    const h = newSession(tx, st, call, drawn);
    const srvCtx = tx.ctx(tx.conn(st).ctx);
    if ((srvCtx.mode & MODE.SERVER) === 0n && tx.rules.conn.emptyIdWithoutServerBit) {
      tx.putSess(h, { ...tx.sess(h), id: '' });
      tx.by('§HS-3');
    }
  }
  if (call.until === 'server-hello') return ret.int(1);
  // The client reads the ServerHello. §HS-4
  const serverSession = tx.conn(st).session as SessionHandle;
  const sid = tx.sess(serverSession).id;
  const cli = tx.conn(ct);
  const mine = cli.session as SessionHandle;
  if (found.kind === 'hit' && offer !== null) {
    // The server echoed the offered id: the client resumes, unless the session belongs to
    // another context of its own.
    // The client marks the resumption before it checks the session's context (§CONN-4).
    tx.putConn(ct, { ...cli, hit: true });
    if (tx.sess(offer).sidCtx !== cli.sidCtx) {
      // The client refuses to resume in another context: a fatal alert, read by the server.
      tx.by('§HS-4');
      fatal(tx, ct, st);
      return ret.int(0);
    }
    const secret = tx.sess(offer).secret;
    if (secret === '' || secret !== tx.sess(found.s).secret) {
      // Two objects with one id but different master secrets: the client cannot read the
      // server's Finished, and alerts.
      tx.by('§HS-5');
      fatal(tx, ct, st);
      return ret.int(0);
    }
    // A resumption: the client sends the last Finished, so it finishes first.
    finish(tx, ct);
    finish(tx, st);
    return ret.int(1);
  }
  let own = mine;
  if (idLength(tx.sess(mine)) > 0) {
    if (tx.rules.conn.clientCountsMiss) tx.count(cli.ctx, 'misses');
    own = newSession(tx, ct, call, drawn);
  }
  tx.putSess(own, { ...tx.sess(own), id: sid, secret: serverSession, version: tx.rules.conn.version });
  tx.putSess(serverSession, { ...tx.sess(serverSession), secret: serverSession });
  tx.by('§HS-4');
  // A full handshake: the server sends the last Finished, so it finishes first.
  finish(tx, st);
  finish(tx, ct);
  return ret.int(1);
};

export const connHandlers: {
  readonly [N in Extract<
    Call['fn'],
    | 'handshake'
    | 'SSL_new'
    | 'SSL_free'
    | 'SSL_set_session'
    | 'SSL_get_session'
    | 'SSL_get1_session'
    | 'SSL_session_reused'
    | 'SSL_shutdown'
    | 'SSL_clear'
    | 'SSL_CTX_set_session_id_context'
    | 'SSL_CTX_set_verify'
  >]: Handler<N>;
} = {
  handshake,

  SSL_CTX_set_session_id_context: (tx, { ctx: ch, sid }) => {
    const c = tx.ctx(ch);
    tx.by('§CONN-9');
    if (sid.length / 2 > tx.rules.conn.maxSidCtxLength) return ret.int(0);
    tx.putCtx(ch, { ...c, sidCtx: sid });
    return ret.int(1);
  },

  SSL_CTX_set_verify: (tx, { ctx: ch, mode }) => {
    const c = tx.ctx(ch);
    if (mode !== 0n && mode !== SSL_VERIFY_PEER)
      throw outside('verify modes other than 0 and SSL_VERIFY_PEER');
    tx.putCtx(ch, { ...c, verify: mode });
    tx.by('§CONN-1');
    return ret.void;
  },

  SSL_new: (tx, { ctx: ch, role, max }) => {
    const c = tx.ctx(ch);
    if (max !== undefined && role === 'server')
      throw outside('TLS 1.3 servers (tickets) are not modelled yet');
    const t: SslHandle = `t${++tx.connsCreated}`;
    tx.putConn(t, {
      ctx: ch,
      role,
      session: null,
      phase: 'before',
      hit: false,
      sent: false,
      sidCtx: c.sidCtx,
      verifyPeer: (c.verify & SSL_VERIFY_PEER) !== 0n,
      tls13: max === 'TLSv1.3',
    });
    tx.putCtx(ch, { ...c, conns: c.conns + 1 });
    tx.by('§CONN-1');
    return ret.ssl(t);
  },

  SSL_free: (tx, { ssl: t }) => {
    const c = tx.conn(t);
    if (c.session !== null) {
      clearBadSession(tx, t);
      tx.release(c.session);
    }
    tx.conns = tx.conns.delete(t);
    const ctx = tx.ctx(c.ctx);
    tx.putCtx(c.ctx, { ...ctx, conns: ctx.conns - 1 });
    if (ctx.appFreed && ctx.conns === 1) {
      tx.freeCtx(c.ctx);
      tx.by('§CONN-2');
    }
    tx.by('§CONN-6');
    return ret.void;
  },

  SSL_set_session: (tx, { ssl: t, s }) => {
    tx.conn(t);
    if (s !== null) tx.sess(s);
    clearBadSession(tx, t);
    if (s !== null) {
      const sess = tx.sess(s);
      tx.putSess(s, { ...sess, refs: sess.refs + 1 });
    }
    const old = tx.conn(t).session;
    if (old !== null) tx.release(old);
    tx.putConn(t, { ...tx.conn(t), session: s });
    tx.by('§CONN-5');
    return ret.int(1);
  },

  SSL_get_session: (tx, { ssl: t }) => {
    tx.by('§CONN-3');
    return ret.session(tx.conn(t).session);
  },

  SSL_get1_session: (tx, { ssl: t }) => {
    const h = tx.conn(t).session;
    if (h !== null) {
      const s = tx.sess(h);
      tx.putSess(h, { ...s, refs: s.refs + 1, app: s.app + 1 });
    }
    tx.by('§CONN-3');
    return ret.session(h);
  },

  SSL_session_reused: (tx, { ssl: t }) => {
    tx.by('§CONN-4');
    return ret.int(tx.conn(t).hit);
  },

  SSL_shutdown: (tx, { ssl: t }) => {
    const c = tx.conn(t);
    tx.by('§CONN-7');
    if (c.phase !== 'done') return ret.int(-1);
    if (c.sent) return ret.int(-1);
    tx.putConn(t, { ...c, sent: true });
    return ret.int(0);
  },

  SSL_clear: (tx, { ssl: t }) => {
    const c = tx.conn(t);
    let session = c.session;
    if (clearBadSession(tx, t) && session !== null) {
      tx.release(session);
      session = null;
    }
    tx.putConn(t, { ...tx.conn(t), session, phase: 'before', hit: false, sent: false });
    tx.by('§CONN-8');
    return ret.int(1);
  },
};
