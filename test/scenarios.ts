/**
 * One or more short scenarios per clause, run against the system libssl and the model side by
 * side (test/libssl-scenarios.test.ts). Handles are predictable: sessions and contexts are
 * numbered in creation order. Times are set explicitly where the outcome depends on them.
 */
import { LONG_MAX } from '../src/model/int64.js';
import type { ClauseId, Command, CtxHandle, Role, SessionHandle, SslHandle } from '../src/model/types.js';

export interface Scenario {
  readonly name: string;
  /** Clauses the scenario demonstrates; each must decide at least one of its calls. */
  readonly clauses: readonly ClauseId[];
  readonly cmds: readonly Command[];
  /** For undefined-behaviour clauses: the last command is undefined and is not sent. */
  readonly endsUndefined?: boolean;
}

const T = 1_700_000_000n;
const s = (n: number): SessionHandle => `s${n}`;

/** Creates session `n` with an id and, optionally, a time and timeout. */
const mk = (n: number, id: string, time?: bigint, timeout?: bigint): Command[] => [
  { fn: 'SSL_SESSION_new' },
  { fn: 'SSL_SESSION_set1_id', s: s(n), id },
  ...(time === undefined ? [] : [{ fn: 'SSL_SESSION_set_time', s: s(n), t: time } as const]),
  ...(timeout === undefined ? [] : [{ fn: 'SSL_SESSION_set_timeout', s: s(n), t: timeout } as const]),
];
const ctx = (size?: bigint, cb = true): Command[] => [
  { fn: 'SSL_CTX_new' },
  ...(cb ? [{ fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' } as const] : []),
  ...(size === undefined ? [] : [{ fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size } as const]),
];
const add = (n: number, c = 'c1' as const): Command => ({ fn: 'SSL_CTX_add_session', ctx: c, s: s(n) });
const free = (n: number): Command => ({ fn: 'SSL_SESSION_free', s: s(n) });
const number: Command = { fn: 'SSL_CTX_sess_number', ctx: 'c1' };
const flush = (t: bigint): Command => ({ fn: 'SSL_CTX_flush_sessions', ctx: 'c1', t });

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'a new session and its getters',
    clauses: ['§SESS-1', '§SESS-6', '§SESS-7', '§REF-2'],
    cmds: [
      { fn: 'SSL_SESSION_new' },
      { fn: 'SSL_SESSION_get_timeout', s: s(1) },
      { fn: 'SSL_SESSION_get_time', s: s(1) },
      { fn: 'SSL_SESSION_is_resumable', s: s(1) },
      { fn: 'SSL_SESSION_set1_id', s: s(1), id: '01' },
      { fn: 'SSL_SESSION_is_resumable', s: s(1) },
      { fn: 'SSL_SESSION_free', s: null },
      free(1),
    ],
  },
  {
    name: 'ids of 0, 32 and 33 bytes',
    clauses: ['§SESS-2'],
    cmds: [
      { fn: 'SSL_SESSION_new' },
      { fn: 'SSL_SESSION_set1_id', s: s(1), id: 'ab'.repeat(32) },
      { fn: 'SSL_SESSION_set1_id', s: s(1), id: 'cd'.repeat(33) },
      { fn: 'SSL_SESSION_is_resumable', s: s(1) },
      { fn: 'SSL_SESSION_set1_id', s: s(1), id: '' },
      { fn: 'SSL_SESSION_is_resumable', s: s(1) },
      free(1),
    ],
  },
  {
    name: 'set_time returns its argument, 0 and extremes included',
    clauses: ['§SESS-3', '§SESS-6'],
    cmds: [
      { fn: 'SSL_SESSION_new' },
      { fn: 'SSL_SESSION_set_time', s: s(1), t: 0n },
      { fn: 'SSL_SESSION_set_time', s: s(1), t: -7n },
      { fn: 'SSL_SESSION_set_time', s: s(1), t: LONG_MAX },
      { fn: 'SSL_SESSION_get_time', s: s(1) },
      { fn: 'SSL_SESSION_get_timeout', s: s(1) },
      free(1),
    ],
  },
  {
    name: 'set_timeout refuses negative values',
    clauses: ['§SESS-4', '§SESS-6'],
    cmds: [
      { fn: 'SSL_SESSION_new' },
      { fn: 'SSL_SESSION_set_timeout', s: s(1), t: -1n },
      { fn: 'SSL_SESSION_get_timeout', s: s(1) },
      { fn: 'SSL_SESSION_set_timeout', s: s(1), t: 0n },
      { fn: 'SSL_SESSION_set_timeout', s: s(1), t: LONG_MAX },
      { fn: 'SSL_SESSION_get_timeout', s: s(1) },
      free(1),
    ],
  },
  {
    name: 'a setter moves a cached session to the tail, where the flush finds it',
    clauses: ['§SESS-5', '§FLUSH-2', '§FLUSH-3'],
    cmds: [
      ...ctx(),
      ...mk(1, '01', T, 100n),
      ...mk(2, '02', T, 100n),
      ...mk(3, '03', T, 100n),
      add(1),
      add(2),
      add(3),
      { fn: 'SSL_SESSION_set_time', s: s(3), t: T - 50n },
      flush(T + 51n),
      { fn: 'SSL_SESSION_set_timeout', s: s(2), t: 10n },
      flush(T + 11n),
      number,
      flush(0n),
    ],
  },
  {
    name: 'up_ref adds a reference the caller must free',
    clauses: ['§REF-1', '§REF-2'],
    cmds: [{ fn: 'SSL_SESSION_new' }, { fn: 'SSL_SESSION_up_ref', s: s(1) }, free(1), free(1)],
  },
  {
    name: 'freeing the cache-held reference is undefined and not sent',
    clauses: ['§REF-3'],
    endsUndefined: true,
    cmds: [...ctx(), ...mk(1, '01'), add(1), free(1), free(1)],
  },
  {
    name: 'context defaults',
    clauses: ['§CTX-1', '§SIZE-1', '§MODE-1', '§CTX-3', '§CB-1', '§STAT-1', '§SIZE-2'],
    cmds: [
      { fn: 'SSL_CTX_new' },
      { fn: 'SSL_CTX_sess_get_cache_size', ctx: 'c1' },
      { fn: 'SSL_CTX_get_session_cache_mode', ctx: 'c1' },
      { fn: 'SSL_CTX_get_timeout', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_get_new_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_get_remove_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_get_get_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_hits', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_accept', ctx: 'c1' },
      number,
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'SSL_CTX_free reports and releases every cached session, tail first',
    clauses: ['§CTX-2'],
    cmds: [
      ...ctx(),
      ...mk(1, '01', T, 300n),
      ...mk(2, '02', T, 100n),
      ...mk(3, '03', T, 200n),
      add(1),
      add(2),
      add(3),
      free(1),
      free(2),
      { fn: 'SSL_CTX_free', ctx: 'c1' },
      { fn: 'SSL_SESSION_is_resumable', s: s(3) },
      free(3),
    ],
  },
  {
    name: 'the context timeout is stored as given',
    clauses: ['§CTX-3'],
    cmds: [
      { fn: 'SSL_CTX_new' },
      { fn: 'SSL_CTX_set_timeout', ctx: 'c1', t: -5n },
      { fn: 'SSL_CTX_set_timeout', ctx: 'c1', t: 0n },
      { fn: 'SSL_CTX_get_timeout', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'cache size: previous value, negative refused, no eviction on shrink',
    clauses: ['§SIZE-1', '§EVICT-4', '§SIZE-2', '§STAT-1'],
    cmds: [
      ...ctx(0n),
      ...[1, 2, 3, 4, 5, 6].flatMap((n) => [...mk(n, `0${n}`), add(n), free(n)]),
      { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: -1n },
      { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 3n },
      number,
      ...mk(7, '07'),
      add(7),
      number,
      { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_get_cache_size', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
      free(7),
    ],
  },
  {
    name: 'the mode keeps 32 bits',
    clauses: ['§MODE-1'],
    cmds: [
      { fn: 'SSL_CTX_new' },
      { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x401n },
      { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0xffffffffn },
      { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: -1n },
      { fn: 'SSL_CTX_get_session_cache_mode', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'callbacks set, replaced and cleared',
    clauses: ['§CB-1'],
    cmds: [
      { fn: 'SSL_CTX_new' },
      { fn: 'SSL_CTX_sess_set_new_cb', ctx: 'c1', cb: 'cb' },
      { fn: 'SSL_CTX_sess_set_get_cb', ctx: 'c1', cb: 'cb2' },
      { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' },
      { fn: 'SSL_CTX_sess_get_new_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_get_get_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: null },
      { fn: 'SSL_CTX_sess_get_remove_cb', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'add a new key, then re-add the identical object',
    clauses: ['§ADD-1', '§ADD-2', '§ADD-3', '§FLUSH-1', '§FLUSH-4'],
    cmds: [
      ...ctx(),
      ...mk(1, '01', T, 100n),
      ...mk(2, '02', T, 100n),
      ...mk(3, '03', T, 100n),
      add(1),
      add(2),
      add(3),
      add(1),
      number,
      free(2),
      flush(0n),
      free(1),
      free(3),
    ],
  },
  {
    name: 'a same-id object replaces the cached one silently',
    clauses: ['§ADD-4', '§REF-2'],
    cmds: [
      ...ctx(2n),
      ...mk(1, '01'),
      ...mk(2, '02'),
      add(2),
      free(2),
      add(1),
      free(1),
      ...mk(3, '01'),
      add(3),
      number,
      { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
      free(3),
    ],
  },
  {
    name: 'UPDATE_TIME stamps the clock on add and re-add',
    clauses: ['§ADD-5'],
    cmds: [
      ...ctx(),
      { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x402n },
      ...mk(1, '01', 5n),
      add(1),
      { fn: 'SSL_SESSION_set_time', s: s(1), t: 7n },
      add(1),
      { fn: 'SSL_SESSION_get_time', s: s(1) },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
      free(1),
    ],
  },
  {
    name: 'zero-length ids: accepted, replaced, not removable, blocking eviction',
    clauses: ['§ADD-6', '§REMOVE-1', '§EVICT-3', '§FLUSH-1'],
    cmds: [
      ...ctx(2n),
      ...mk(1, '', T - 1000n),
      add(1),
      ...mk(2, '', T - 1000n),
      add(2),
      { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(2) },
      { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: null },
      ...[3, 4, 5].flatMap((n) => [...mk(n, `0${n}`), add(n), free(n)]),
      number,
      { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
      flush(0n),
      free(1),
      free(2),
    ],
  },
  {
    name: 'capacity is one less than the size',
    clauses: ['§EVICT-1', '§EVICT-2', '§ORDER-1'],
    cmds: [
      ...ctx(3n),
      ...[1, 2, 3, 4].flatMap((n) => [...mk(n, `0${n}`, T, 100n), add(n), free(n), number]),
      { fn: 'SSL_CTX_sess_cache_full', ctx: 'c1' },
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'eviction takes the earliest expiry, even when the new session expires earliest',
    clauses: ['§EVICT-2', '§ORDER-1'],
    cmds: [
      ...ctx(3n),
      ...mk(1, '01', T, 300n),
      ...mk(2, '02', T, 100n),
      add(1),
      add(2),
      ...mk(3, '03', T, 50n),
      add(3),
      free(1),
      free(2),
      free(3),
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'overflowing expiries sort last and never expire',
    clauses: ['§ORDER-2', '§FLUSH-2'],
    cmds: [
      ...ctx(),
      ...mk(1, '01', LONG_MAX - 5n, 10n),
      ...mk(2, '02', T, LONG_MAX),
      ...mk(3, '03', -100n, 10n),
      ...mk(4, '04', T, 100n),
      add(1),
      add(2),
      add(3),
      add(4),
      flush(LONG_MAX),
      number,
      flush(-1n),
      flush(0n),
      free(1),
      free(2),
      free(3),
      free(4),
    ],
  },
  {
    name: 'remove by key, marking the argument, calling back with it',
    clauses: ['§REMOVE-2', '§REMOVE-3', '§REMOVE-4', '§REMOVE-5'],
    cmds: [
      ...ctx(),
      ...mk(1, '01'),
      ...mk(2, '01'),
      ...mk(3, '03'),
      add(1),
      free(1),
      { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(2) },
      { fn: 'SSL_SESSION_is_resumable', s: s(2) },
      { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(3) },
      { fn: 'SSL_SESSION_is_resumable', s: s(3) },
      add(3),
      { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(3) },
      number,
      free(2),
      free(3),
      { fn: 'SSL_CTX_free', ctx: 'c1' },
    ],
  },
  {
    name: 'flush boundary: valid at time + timeout, gone one second later',
    clauses: ['§FLUSH-2', '§FLUSH-3', '§FLUSH-4'],
    cmds: [
      ...ctx(),
      ...mk(1, '01', T - 10n, 10n),
      ...mk(2, '02', T - 10n, 10n),
      ...mk(3, '03', T, 10n),
      add(1),
      add(2),
      add(3),
      free(1),
      free(2),
      flush(T),
      number,
      flush(T + 1n),
      number,
      { fn: 'SSL_CTX_free', ctx: 'c1' },
      free(3),
    ],
  },
  {
    name: 'a freed session is not used again',
    clauses: ['§UB-1'],
    endsUndefined: true,
    cmds: [{ fn: 'SSL_SESSION_new' }, free(1), { fn: 'SSL_SESSION_get_time', s: s(1) }],
  },
  {
    name: 'a session cached in one context is not added to another',
    clauses: ['§UB-2'],
    endsUndefined: true,
    cmds: [...ctx(), { fn: 'SSL_CTX_new' }, ...mk(1, '01'), add(1), add(1, 'c2' as 'c1')],
  },
  {
    name: 'a cached session keeps its id',
    clauses: ['§UB-3'],
    endsUndefined: true,
    cmds: [...ctx(), ...mk(1, '01'), add(1), { fn: 'SSL_SESSION_set1_id', s: s(1), id: '02' }],
  },
  ...connectionScenarios(),
];

/** The connection level (spec/connections.md). */
function connectionScenarios(): Scenario[] {
  const t = (n: number): SslHandle => `t${n}`;
  const c = (n: number): CtxHandle => `c${n}`;
  const ssl = (ctxNo: number, role: Role): Command => ({ fn: 'SSL_new', ctx: c(ctxNo), role });
  const hs = (cl: number, sv: number, until: 'done' | 'server-hello' = 'done'): Command => ({
    fn: 'handshake',
    client: t(cl),
    server: t(sv),
    until,
  });
  const on = (
    fn:
      | 'SSL_free'
      | 'SSL_shutdown'
      | 'SSL_clear'
      | 'SSL_get_session'
      | 'SSL_get1_session'
      | 'SSL_session_reused',
    n: number,
  ): Command => ({ fn, ssl: t(n) });
  const stats = (ctxNo: number): Command[] =>
    (
      [
        'accept',
        'accept_good',
        'connect',
        'connect_good',
        'hits',
        'misses',
        'timeouts',
        'cache_full',
      ] as const
    ).map((k) => ({ fn: `SSL_CTX_sess_${k}`, ctx: c(ctxNo) }) as Command);
  /** c1 serves (remove and new callbacks), c2 connects (mode CLIENT, remove callback). */
  const two: Command[] = [
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' },
    { fn: 'SSL_CTX_sess_set_new_cb', ctx: 'c1', cb: 'cb' },
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c2', cb: 'cb' },
  ];
  /** A full handshake between client t1 (c2) and server t2 (c1): sessions s1 (client), s2 (server). */
  const first: Command[] = [...two, ssl(2, 'client'), ssl(1, 'server'), hs(1, 2)];
  return [
    {
      name: 'a full handshake, then a resumption of the client session',
      clauses: [
        '§CONN-1',
        '§CONN-3',
        '§CONN-4',
        '§CONN-5',
        '§HS-1',
        '§HS-2',
        '§HS-3',
        '§HS-4',
        '§LOOKUP-1',
        '§LOOKUP-5',
        '§STORE-1',
        '§COUNT-1',
      ],
      cmds: [
        ...first,
        on('SSL_get_session', 2),
        on('SSL_get1_session', 1),
        on('SSL_session_reused', 1),
        { fn: 'SSL_SESSION_get_timeout', s: s(2) },
        { fn: 'SSL_SESSION_is_resumable', s: s(1) },
        on('SSL_shutdown', 1),
        on('SSL_shutdown', 2),
        on('SSL_free', 1),
        on('SSL_free', 2),
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(3), s: s(1) },
        hs(3, 4),
        on('SSL_session_reused', 3),
        on('SSL_session_reused', 4),
        on('SSL_get_session', 4),
        ...stats(1),
        ...stats(2),
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
        free(1),
      ],
    },
    {
      name: 'a client mode context caches its sessions; the server sends no id without SERVER',
      clauses: ['§HS-3', '§STORE-1', '§STORE-2'],
      cmds: [
        ...two,
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c2', mode: 1n },
        ssl(2, 'client'),
        ssl(1, 'server'),
        hs(1, 2),
        { fn: 'SSL_CTX_sess_number', ctx: 'c2' },
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0n },
        ssl(2, 'client'),
        ssl(1, 'server'),
        hs(3, 4),
        on('SSL_get_session', 3),
        { fn: 'SSL_SESSION_is_resumable', s: s(3) },
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
        { fn: 'SSL_CTX_sess_number', ctx: 'c2' },
      ],
    },
    {
      name: 'an unclean free removes the session, a clean shutdown keeps it',
      clauses: ['§CONN-6', '§CONN-7'],
      cmds: [
        ...two,
        ssl(2, 'client'),
        on('SSL_shutdown', 1),
        ssl(1, 'server'),
        hs(1, 2),
        on('SSL_free', 1),
        on('SSL_shutdown', 2),
        on('SSL_shutdown', 2),
        on('SSL_free', 2),
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
        ssl(2, 'client'),
        ssl(1, 'server'),
        hs(3, 4, 'server-hello'),
        on('SSL_shutdown', 3),
        on('SSL_free', 4),
        on('SSL_free', 3),
      ],
    },
    {
      name: 'SSL_clear keeps a good session for the next handshake, drops a bad one',
      clauses: ['§CONN-6', '§CONN-8', '§HS-1'],
      cmds: [
        ...first,
        on('SSL_shutdown', 1),
        on('SSL_clear', 1),
        on('SSL_get_session', 1),
        on('SSL_clear', 2),
        on('SSL_get_session', 2),
        ssl(1, 'server'),
        hs(1, 3),
        on('SSL_session_reused', 1),
      ],
    },
    {
      name: 'SSL_set_session on a finished connection removes its old session',
      clauses: ['§CONN-5', '§CONN-6'],
      cmds: [
        ...first,
        on('SSL_get1_session', 2),
        { fn: 'SSL_set_session', ssl: t(2), s: null },
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
        { fn: 'SSL_SESSION_is_resumable', s: s(2) },
        { fn: 'SSL_set_session', ssl: t(1), s: s(2) },
        { fn: 'SSL_set_session', ssl: t(1), s: null },
        free(2),
      ],
    },
    {
      name: 'SSL_CTX_free while connections live: the last SSL_free flushes',
      clauses: ['§CONN-2', '§CTX-2'],
      cmds: [
        ...first,
        on('SSL_shutdown', 2),
        { fn: 'SSL_CTX_free', ctx: 'c1' },
        on('SSL_free', 1),
        on('SSL_free', 2),
      ],
    },
    {
      name: 'session id contexts: too long, a silent miss on a mismatch',
      clauses: ['§CONN-9', '§CONN-1', '§LOOKUP-2', '§HS-4'],
      cmds: [
        ...two,
        { fn: 'SSL_CTX_set_session_id_context', ctx: 'c1', sid: 'ab'.repeat(33) },
        { fn: 'SSL_CTX_set_session_id_context', ctx: 'c1', sid: '01' },
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_CTX_set_session_id_context', ctx: 'c1', sid: '02' },
        hs(1, 2),
        on('SSL_get1_session', 1),
        on('SSL_shutdown', 1),
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(3), s: s(1) },
        hs(3, 4),
        on('SSL_session_reused', 4),
        ...stats(1),
        ...stats(2),
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
      ],
    },
    {
      name: 'SSL_VERIFY_PEER with an empty session id context: nothing stored, a found session is fatal',
      clauses: ['§LOOKUP-3', '§HS-5', '§STORE-2'],
      cmds: [
        ...first,
        on('SSL_get1_session', 1),
        { fn: 'SSL_CTX_set_verify', ctx: 'c1', mode: 1n },
        ssl(2, 'client'),
        ssl(1, 'server'),
        hs(3, 4),
        { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(5), s: s(1) },
        hs(5, 6),
        on('SSL_shutdown', 5),
        { fn: 'SSL_SESSION_is_resumable', s: s(1) },
        { fn: 'SSL_SESSION_is_resumable', s: s(2) },
        ...stats(1),
      ],
    },
    {
      name: 'an expired session: a timeout, out of the cache, a full handshake',
      clauses: ['§LOOKUP-4', '§HS-4'],
      cmds: [
        ...first,
        on('SSL_get1_session', 1),
        { fn: 'SSL_SESSION_set_time', s: s(2), t: T },
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(3), s: s(1) },
        hs(3, 4),
        ...stats(1),
        ...stats(2),
      ],
    },
    {
      name: 'NO_INTERNAL_LOOKUP: no cache lookup, no miss, get_session_cb asked',
      clauses: ['§LOOKUP-1'],
      cmds: [
        ...first,
        on('SSL_get1_session', 1),
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x102n },
        { fn: 'SSL_CTX_sess_set_get_cb', ctx: 'c1', cb: 'cb' },
        ssl(2, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(3), s: s(1) },
        hs(3, 4),
        ...stats(1),
      ],
    },
    {
      name: 'the 256th good handshake flushes the expired sessions, resumptions included',
      clauses: ['§AUTO-1', '§FLUSH-2'],
      cmds: [
        ...two,
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c2', mode: 1n },
        ...mk(1, 'ee'.repeat(32), T),
        add(1),
        free(1),
        ssl(2, 'client'),
        ssl(1, 'server'),
        hs(1, 2),
        ...Array.from({ length: 255 }, (): Command[] => [
          on('SSL_shutdown', 1),
          on('SSL_shutdown', 2),
          on('SSL_clear', 1),
          on('SSL_clear', 2),
          hs(1, 2),
        ]).flat(),
        ...stats(1),
        ...stats(2),
      ],
    },
    ...externalScenarios(),
    {
      name: 'resuming a session from a handshake stopped at the ServerHello is undefined',
      clauses: ['§UB-5'],
      endsUndefined: true,
      cmds: [
        ...two,
        ssl(1, 'client'),
        ssl(1, 'server'),
        hs(1, 2, 'server-hello'),
        add(2),
        ssl(1, 'client'),
        ssl(1, 'server'),
        { fn: 'SSL_set_session', ssl: t(3), s: s(2) },
        hs(3, 4),
      ],
    },
    {
      name: 'a second handshake on a finished pair is outside the model',
      clauses: ['§UB-4'],
      endsUndefined: true,
      cmds: [...first, hs(1, 2)],
    },
  ];
}

/** The external cache (spec/external.md): c1 serves with the store's callbacks, c2 connects. */
function externalScenarios(): Scenario[] {
  const t = (n: number): SslHandle => `t${n}`;
  const setup = (getCb: string, mode: bigint): Command[] => [
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_CTX_sess_set_remove_cb', ctx: 'c1', cb: 'cb' },
    { fn: 'SSL_CTX_sess_set_new_cb', ctx: 'c1', cb: 'keep' },
    { fn: 'SSL_CTX_sess_set_get_cb', ctx: 'c1', cb: getCb },
    { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode },
    { fn: 'SSL_CTX_new' },
    { fn: 'SSL_new', ctx: 'c2', role: 'client' },
    { fn: 'SSL_new', ctx: 'c1', role: 'server' },
    { fn: 'handshake', client: t(1), server: t(2), until: 'done' },
    { fn: 'SSL_get1_session', ssl: t(1) },
    { fn: 'SSL_shutdown', ssl: t(1) },
    { fn: 'SSL_shutdown', ssl: t(2) },
    { fn: 'SSL_free', ssl: t(1) },
    { fn: 'SSL_free', ssl: t(2) },
  ];
  const resume: Command[] = [
    { fn: 'SSL_new', ctx: 'c2', role: 'client' },
    { fn: 'SSL_new', ctx: 'c1', role: 'server' },
    { fn: 'SSL_set_session', ssl: t(3), s: s(1) },
    { fn: 'handshake', client: t(3), server: t(4), until: 'done' },
    { fn: 'SSL_session_reused', ssl: t(4) },
    ...(['cb_hits', 'misses', 'hits', 'timeouts', 'cache_full'] as const).map(
      (k) => ({ fn: `SSL_CTX_sess_${k}`, ctx: 'c1' }) as Command,
    ),
    { fn: 'SSL_CTX_sess_number', ctx: 'c1' },
    { fn: 'SSL_free', ssl: t(4) },
    { fn: 'SSL_free', ssl: t(3) },
  ];
  return [
    {
      name: 'an external store only: new_session_cb keeps, get_session_cb answers, copy left at 1',
      clauses: ['§EXT-1', '§EXT-2'],
      cmds: [...setup('store', 0x202n), ...resume, free(1)],
    },
    {
      name: 'get_session_cb hands its reference over (copy 0); NO_INTERNAL_LOOKUP asks it at once',
      clauses: ['§EXT-2'],
      cmds: [...setup('store-copy0', 0x302n), ...resume, free(1)],
    },
    {
      name: 'a stale answer counts a timeout and leaves the internal cache it just entered',
      clauses: ['§EXT-2', '§EXT-4', '§LOOKUP-4'],
      cmds: [
        ...setup('stale', 0x202n),
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0x2n },
        ...resume,
      ],
    },
    {
      name: 'a non-resumable answer is ignored, its handed-over reference dropped',
      clauses: ['§EXT-3'],
      cmds: [
        ...setup('store-copy0', 0x202n),
        { fn: 'SSL_CTX_remove_session', ctx: 'c1', s: s(2) },
        ...resume,
      ],
    },
    {
      name: 'a TLS 1.3-capable client sends a random legacy id: the server misses and asks the store',
      clauses: ['§EXT-5', '§LOOKUP-1'],
      cmds: [
        ...setup('store', 0x202n).slice(0, 6),
        { fn: 'SSL_new', ctx: 'c2', role: 'client', max: 'TLSv1.3' },
        { fn: 'SSL_new', ctx: 'c1', role: 'server' },
        { fn: 'handshake', client: t(1), server: t(2), until: 'done' },
        { fn: 'SSL_session_reused', ssl: t(1) },
        { fn: 'SSL_CTX_sess_misses', ctx: 'c1' },
        { fn: 'SSL_CTX_sess_misses', ctx: 'c2' },
      ],
    },
    {
      name: 'mode OFF asks the store, and copies its answer into the full internal cache (an eviction)',
      clauses: ['§EXT-4', '§EVICT-2'],
      cmds: [
        ...setup('store', 0x202n),
        { fn: 'SSL_CTX_sess_set_cache_size', ctx: 'c1', size: 2n },
        ...mk(3, '33', T + 100n),
        add(3),
        { fn: 'SSL_CTX_set_session_cache_mode', ctx: 'c1', mode: 0n },
        ...resume,
        free(1),
      ],
    },
  ];
}
