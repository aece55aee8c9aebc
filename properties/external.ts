/**
 * Properties for spec/external.md: the external store behind `new_session_cb` and
 * `get_session_cb`, restated from the spec. Reference counts are checked by accounting: after a
 * handshake, every reference on a session is held by someone the spec names — the application,
 * a connection whose session it is, a context's cache, or the external store.
 */
import type { State } from '../src/model/state.js';
import type { CallOf, CtxHandle, Event, SessionHandle, SslHandle } from '../src/model/types.js';
import type { ClauseProperty, StepCase } from './harness.js';
import { isCachedIn, show } from './views.js';

const level = 'handshake' as const;
const NO_INTERNAL_LOOKUP = 0x100n;
const NO_INTERNAL_STORE = 0x200n;
/** The get_session_cb names that answer from the store, and how (spec/external.md's table). */
const ANSWERING: readonly string[] = ['store', 'store-copy0', 'stale'];

type Handshake = CallOf<'handshake'>;
type HsCase = StepCase & { call: Handshake };
const isHs = (c: StepCase): c is HsCase => c.call.fn === 'handshake';

/** References someone named by the spec holds on `h` in `st`. */
const accounted = (st: State, h: SessionHandle): number => {
  const s = st.sessions.get(h);
  if (s === undefined) return 0;
  let n = s.app;
  for (const c of st.conns.values()) if (c.session === h) n++;
  for (const c of st.ctxs.values()) for (const x of c.cache.values()) if (x === h) n++;
  for (const x of st.store.values()) if (x === h) n++;
  return n;
};
/** Sessions whose references are not all accounted for after the step. */
const unaccounted = (st: State, hs: Iterable<SessionHandle>): string | undefined => {
  for (const h of hs) {
    const s = st.sessions.get(h);
    if (s !== undefined && s.refs !== accounted(st, h))
      return `${h} has ${s.refs} references, ${accounted(st, h)} held`;
  }
  return undefined;
};

const serverCtx = (c: HsCase): CtxHandle | undefined => c.before.conns.get(c.call.server)?.ctx;
const getCbEvent = (events: readonly Event[]): Extract<Event, { ev: 'get_cb' }> | undefined =>
  events.find((e): e is Extract<Event, { ev: 'get_cb' }> => e.ev === 'get_cb');

/** What the store answered in this handshake: the session kept under the asked id, with that id. */
const answer = (c: HsCase): { readonly s: SessionHandle; readonly cb: string } | undefined => {
  const ev = getCbEvent(c.outcome.events);
  const ch = serverCtx(c);
  if (ev === undefined || ch === undefined) return undefined;
  const cb = c.before.ctxs.get(ch)?.cbs.get ?? null;
  if (cb === null || !ANSWERING.includes(cb)) return undefined;
  const s = c.before.store.get(ev.id);
  if (s === undefined || c.before.sessions.get(s)?.id !== ev.id) return undefined;
  return { s, cb };
};
const resumable = (st: State, h: SessionHandle): boolean => st.sessions.get(h)?.notResumable === false;
/** A handshake in which the store answered a session already marked non-resumable. */
const nonResumableAnswer = (c: StepCase): boolean => {
  if (!isHs(c)) return false;
  const a = answer(c);
  return a !== undefined && !resumable(c.before, a.s);
};
const stat = (st: State, ch: CtxHandle, k: 'cb_hits' | 'misses'): bigint => st.ctxs.get(ch)?.stats[k] ?? 0n;

/** The `new_session_cb` calls of a step, with the callback's name. */
const newCbs = (
  c: HsCase,
): { readonly ssl: SslHandle; readonly s: SessionHandle; readonly cb: string | null }[] =>
  c.outcome.events.flatMap((e) => {
    if (e.ev !== 'new_cb') return [];
    const ch = c.before.conns.get(e.ssl)?.ctx;
    return [{ ssl: e.ssl, s: e.s, cb: ch === undefined ? null : (c.before.ctxs.get(ch)?.cbs.new ?? null) }];
  });

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    level,
    title:
      '§EXT-1 new_session_cb: keep stores the session under its id and holds a reference; any other name holds none',
    minShare: 0.2,
    applies: (c) => isHs(c) && newCbs(c).length > 0,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      // The last session kept under an id is what the store has (one context in mode BOTH
      // keeps the server's and then the client's session under the same id).
      const last = new Map<string, SessionHandle>();
      for (const { s, cb } of newCbs(c)) {
        const id = c.after.sessions.get(s)?.id;
        if (cb === 'keep' && id !== undefined) last.set(id, s);
      }
      for (const [id, s] of last) if (c.after.store.get(id) !== s) return `keep did not store ${s}`;
      return unaccounted(
        c.after,
        newCbs(c).map((x) => x.s),
      );
    },
  },
  {
    kind: 'step',
    level,
    title:
      '§EXT-2 an accepted answer of get_session_cb counts cb_hits; copy 1 leaves the store its reference, copy 0 hands it over',
    minShare: 0.05,
    applies: (c) => {
      if (!isHs(c)) return false;
      const a = answer(c);
      return a !== undefined && resumable(c.before, a.s);
    },
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const a = answer(c);
      const ch = serverCtx(c);
      const ev = getCbEvent(c.outcome.events);
      if (a === undefined || ch === undefined || ev === undefined) return 'no answer';
      if (stat(c.after, ch, 'cb_hits') !== stat(c.before, ch, 'cb_hits') + 1n)
        return 'cb_hits not counted once';
      const stillKept = c.after.store.get(ev.id) === a.s;
      if (a.cb === 'store-copy0' && stillKept) return 'the store still keeps what it handed over';
      if (a.cb !== 'store-copy0' && !stillKept) return 'the store lost its entry';
      return unaccounted(c.after, [a.s]);
    },
  },
  {
    kind: 'step',
    level,
    title: '§EXT-3 a non-resumable answer is ignored: no cb_hits, not used, a handed-over reference dropped',
    profiles: ['openssl-3.0'],
    minShare: 0.02,
    applies: nonResumableAnswer,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const a = answer(c);
      const ch = serverCtx(c);
      if (a === undefined || ch === undefined) return 'no answer';
      if (stat(c.after, ch, 'cb_hits') !== stat(c.before, ch, 'cb_hits')) return 'cb_hits counted';
      if (c.after.conns.get(c.call.server)?.session === a.s) return `the server uses ${a.s}`;
      return unaccounted(c.after, [a.s]);
    },
  },
  {
    kind: 'step',
    level,
    title: '§EXT-3 (1.1.1) a non-resumable answer is accepted like any other: cb_hits counts',
    profiles: ['openssl-1.1.1'],
    minShare: 0.02,
    applies: nonResumableAnswer,
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const ch = serverCtx(c);
      if (ch === undefined) return 'no server context';
      return stat(c.after, ch, 'cb_hits') === stat(c.before, ch, 'cb_hits') + 1n
        ? undefined
        : 'cb_hits not counted';
    },
  },
  {
    kind: 'step',
    level,
    title:
      '§EXT-4 an answer the server resumes with is in its internal cache afterwards unless NO_INTERNAL_STORE, and never newly under it',
    minShare: 0.03,
    applies: (c) => {
      if (!isHs(c)) return false;
      const a = answer(c);
      return (
        a !== undefined && c.after.conns.get(c.call.server)?.session === a.s && c.outcome.ret.t === 'int'
      );
    },
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const a = answer(c);
      const ch = serverCtx(c);
      if (a === undefined || ch === undefined) return 'no answer';
      const mode = c.before.ctxs.get(ch)?.mode ?? 0n;
      const cached = isCachedIn(c.after, ch, a.s);
      if ((mode & NO_INTERNAL_STORE) === 0n) return cached ? undefined : `${a.s} not in ${ch}'s cache`;
      return cached && !isCachedIn(c.before, ch, a.s) ? `${a.s} was added to ${ch}'s cache` : undefined;
    },
  },
  {
    kind: 'step',
    level,
    title:
      '§EXT-5 a TLS 1.3-capable client offering nothing sends a random legacy id: the server counts a miss and asks get_session_cb with it',
    minShare: 0.05,
    applies: (c) => {
      if (!isHs(c)) return false;
      const cli = c.before.conns.get(c.call.client);
      const ch = serverCtx(c);
      if (cli === undefined || !cli.tls13 || ch === undefined) return false;
      const s = cli.session === null ? undefined : c.before.sessions.get(cli.session);
      const offers = s !== undefined && !s.notResumable && s.id !== '' && s.version === 0x303;
      return !offers && ((c.before.ctxs.get(ch)?.mode ?? 0n) & NO_INTERNAL_LOOKUP) === 0n;
    },
    check: (c) => {
      if (!isHs(c)) return 'wrong call';
      const ch = serverCtx(c);
      if (ch === undefined) return 'no server context';
      const legacy = c.call.ids[0] ?? 'cc'.repeat(32);
      const clientCtx = c.before.conns.get(c.call.client)?.ctx;
      // The client's own context counts nothing for it (its session had no id); if it is the
      // server's context too, only the server's miss shows.
      if (stat(c.after, ch, 'misses') !== stat(c.before, ch, 'misses') + 1n) {
        return `misses ${show(stat(c.before, ch, 'misses'))} → ${show(stat(c.after, ch, 'misses'))}${clientCtx === ch ? ' (shared context)' : ''}`;
      }
      const asked = getCbEvent(c.outcome.events);
      const hasCb = (c.before.ctxs.get(ch)?.cbs.get ?? null) !== null;
      if (hasCb && asked?.id !== legacy) return `get_session_cb asked ${show(asked?.id)}, not the legacy id`;
      if (!hasCb && asked !== undefined) return 'get_session_cb asked without one installed';
      return undefined;
    },
  },
];
