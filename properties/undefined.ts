/** Properties for spec/undefined.md: calls the model refuses to give a meaning. */
import { liveCtxs, liveSessions, pick } from '../src/gen/commands.js';
import type { State } from '../src/model/state.js';
import type { Call, ClauseId, CtxHandle, SessionHandle } from '../src/model/types.js';
import type { ClauseProperty, ProbeProperty } from './harness.js';

/**
 * The verdict must be `undefined`, name the clause that makes it so, and say which object the
 * call misused (the reason is what `check` and `explain` show).
 */
const isUndefined =
  (clause: ClauseId, culprit: (st: State, call: Call) => string): ProbeProperty['check'] =>
  (st, call, r) => {
    if (r.kind !== 'undefined') return 'accepted as defined';
    if (!r.clauses.includes(clause)) return `undefined by ${r.clauses.join(' ')}, not ${clause}`;
    const h = culprit(st, call);
    return r.reason.includes(h) ? undefined : `the reason "${r.reason}" does not name ${h}`;
  };
const theSession = (_st: State, call: Call): string => ('s' in call && call.s !== null ? call.s : '?');
/** The freed object the call names: its context, or else its session. */
const theFreed = (st: State, call: Call): string =>
  'ctx' in call && !st.ctxs.has(call.ctx) ? call.ctx : theSession(st, call);

const freed = <H extends string>(prefix: 's' | 'c', created: number, live: (h: H) => boolean): H[] => {
  const out: H[] = [];
  for (let n = 1; n <= created; n++) if (!live(`${prefix}${n}` as H)) out.push(`${prefix}${n}` as H);
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
      const goneSessions = freed<SessionHandle>('s', st.sessionsCreated, (h) => st.sessions.has(h));
      const goneCtxs = freed<CtxHandle>('c', st.ctxsCreated, (h) => st.ctxs.has(h));
      const ctx = liveCtxs(st)[0];
      const s = liveSessions(st)[0];
      const c = pick(goneCtxs, k);
      if (c !== undefined && (k % 3 === 0 || goneSessions.length === 0)) {
        const onCtx: Call[] = [
          { fn: 'SSL_CTX_sess_number', ctx: c },
          { fn: 'SSL_CTX_flush_sessions', ctx: c, t: 0n },
          { fn: 'SSL_CTX_set_timeout', ctx: c, t: 1n },
          { fn: 'SSL_CTX_free', ctx: c },
        ];
        if (s !== undefined) onCtx.push({ fn: 'SSL_CTX_add_session', ctx: c, s, now: 0n });
        return [onCtx[(k >> 2) % onCtx.length] as Call];
      }
      const h = pick(goneSessions, k);
      if (h === undefined) return undefined;
      const fns = [
        'SSL_SESSION_get_time',
        'SSL_SESSION_up_ref',
        'SSL_SESSION_free',
        'SSL_SESSION_is_resumable',
      ] as const;
      if (k % 5 === 4 && ctx !== undefined) return [{ fn: 'SSL_CTX_add_session', ctx, s: h, now: 0n }];
      return [{ fn: fns[k % fns.length] ?? 'SSL_SESSION_free', s: h }];
    },
    check: isUndefined('§UB-1', theFreed),
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
    check: isUndefined('§UB-2', theSession),
  },
  {
    kind: 'probe',
    title: '§UB-3 changing the id of a cached session is undefined',
    minShare: 0.2,
    probe: (st, k) => {
      const h = pick(cached(st), k);
      return h && [{ fn: 'SSL_SESSION_set1_id', s: h, id: k % 2 === 0 ? '0a' : '' }];
    },
    check: isUndefined('§UB-3', theSession),
  },
];
