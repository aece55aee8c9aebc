/** Properties for spec/undefined.md: calls the model refuses to give a meaning. */
import { liveCtxs, liveSessions, pick } from '../src/gen/commands.js';
import type { SessionHandle } from '../src/model/types.js';
import type { ClauseProperty } from './harness.js';

const isUndefined = (_st: unknown, _call: unknown, r: { kind: string }) =>
  r.kind === 'undefined' ? undefined : 'accepted as defined';

const freedSessions = (created: number, live: (h: SessionHandle) => boolean): SessionHandle[] => {
  const out: SessionHandle[] = [];
  for (let n = 1; n <= created; n++) if (!live(`s${n}`)) out.push(`s${n}`);
  return out;
};

const cached = (st: Parameters<typeof liveSessions>[0]): SessionHandle[] =>
  liveSessions(st).filter((h) => st.sessions.get(h)?.owner != null);

export const properties: ClauseProperty[] = [
  {
    kind: 'probe',
    title: '§UB-1 a call on a freed session or context is undefined',
    minShare: 0.2,
    probe: (st, k) => {
      const gone = freedSessions(st.sessionsCreated, (h) => st.sessions.has(h));
      const h = pick(gone, k);
      if (h === undefined) return undefined;
      const fns = [
        'SSL_SESSION_get_time',
        'SSL_SESSION_up_ref',
        'SSL_SESSION_free',
        'SSL_SESSION_is_resumable',
      ] as const;
      const ctx = liveCtxs(st)[0];
      if (k % 5 === 4 && ctx !== undefined) return [{ fn: 'SSL_CTX_add_session', ctx, s: h, now: 0n }];
      return [{ fn: fns[k % fns.length] ?? 'SSL_SESSION_free', s: h }];
    },
    check: isUndefined,
  },
  {
    kind: 'probe',
    title: '§UB-2 adding a session that is cached in another SSL_CTX is undefined',
    minShare: 0.2,
    probe: (st, k) => {
      const h = pick(cached(st), k);
      if (h === undefined) return undefined;
      const other = `c${st.ctxsCreated + 1}` as const;
      return [{ fn: 'SSL_CTX_new' }, { fn: 'SSL_CTX_add_session', ctx: other, s: h, now: 0n }];
    },
    check: isUndefined,
  },
  {
    kind: 'probe',
    title: '§UB-3 changing the id of a cached session is undefined',
    minShare: 0.2,
    probe: (st, k) => {
      const h = pick(cached(st), k);
      return h && [{ fn: 'SSL_SESSION_set1_id', s: h, id: k % 2 === 0 ? '0a' : '' }];
    },
    check: isUndefined,
  },
];
