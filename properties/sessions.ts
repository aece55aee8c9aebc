/** Properties for spec/sessions.md: the `SSL_SESSION` object and its references. */
import { liveSessions, pick } from '../src/gen/commands.js';
import type { ClauseProperty } from './harness.js';
import { expectedFor, frees, idLen, listOrder, newestAmongEquals, sess, show, unchanged } from './views.js';

export const properties: ClauseProperty[] = [
  {
    kind: 'step',
    title: '§SESS-1 SSL_SESSION_new: one caller reference, time = now, the placeholder timeout, no id',
    applies: (c) => c.call.fn === 'SSL_SESSION_new',
    check: ({ call, outcome, before, after, model }) => {
      if (call.fn !== 'SSL_SESSION_new' || outcome.ret.t !== 'session' || outcome.ret.v === null)
        return `returned ${show(outcome.ret)}`;
      const h = outcome.ret.v;
      if (before.sessions.has(h)) return `${h} already existed`;
      const s = sess(after, h);
      const e = expectedFor(model.name);
      if (s.refs !== 1 || s.app !== 1) return `refs ${s.refs}, app ${s.app}`;
      if (s.time !== call.now) return `time ${s.time}, clock ${call.now}`;
      if (s.timeout !== e.newSessionTimeout) return `timeout ${s.timeout}`;
      if (s.id !== '' || s.notResumable || s.owner !== null) return `fresh session ${show(s)}`;
      return outcome.events.length === 0 ? undefined : `events ${show(outcome.events)}`;
    },
  },
  {
    kind: 'step',
    title: '§SESS-2 SSL_SESSION_set1_id stores ids up to 32 bytes and refuses longer ones',
    minShare: 0.5,
    applies: (c) => c.call.fn === 'SSL_SESSION_set1_id',
    check: ({ call, outcome, before, after, model }) => {
      if (call.fn !== 'SSL_SESSION_set1_id') return 'wrong call';
      const tooLong = call.id.length / 2 > expectedFor(model.name).maxIdLength;
      const want = tooLong ? before.sessions.get(call.s)?.id : call.id;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== (tooLong ? 0n : 1n))
        return `returned ${show(outcome.ret)}`;
      return sess(after, call.s).id === want ? undefined : `id ${sess(after, call.s).id}, expected ${want}`;
    },
  },
  {
    kind: 'step',
    title: '§SESS-3 SSL_SESSION_set_time stores the time and returns it',
    applies: (c) => c.call.fn === 'SSL_SESSION_set_time',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_SESSION_set_time') return 'wrong call';
      if (outcome.ret.t !== 'int' || outcome.ret.v !== call.t) return `returned ${show(outcome.ret)}`;
      const s = sess(after, call.s);
      if (s.time !== call.t) return `time ${s.time}`;
      return s.timeout === sess(before, call.s).timeout ? undefined : 'timeout changed';
    },
  },
  {
    kind: 'step',
    title:
      '§SESS-4 SSL_SESSION_set_timeout refuses a negative timeout with 0 (3.0; 1.1.1 stores it) and stores any other',
    applies: (c) => c.call.fn === 'SSL_SESSION_set_timeout',
    check: ({ call, outcome, before, after, model }) => {
      if (call.fn !== 'SSL_SESSION_set_timeout') return 'wrong call';
      const neg = call.t < 0n && expectedFor(model.name).setTimeoutRefusesNegative;
      if (outcome.ret.t !== 'int' || outcome.ret.v !== (neg ? 0n : 1n))
        return `returned ${show(outcome.ret)}`;
      const want = neg ? sess(before, call.s).timeout : call.t;
      return sess(after, call.s).timeout === want ? undefined : `timeout ${sess(after, call.s).timeout}`;
    },
  },
  {
    kind: 'step',
    title:
      '§SESS-5 the time setters move a cached session to its new expiry position (3.0; 1.1.1 leaves the list)',
    minShare: 0.1,
    applies: ({ call, before, outcome }) =>
      (call.fn === 'SSL_SESSION_set_time' || call.fn === 'SSL_SESSION_set_timeout') &&
      before.sessions.get(call.s)?.owner != null &&
      !(call.fn === 'SSL_SESSION_set_timeout' && outcome.ret.t === 'int' && outcome.ret.v === 0n),
    check: ({ call, before, after, model }) => {
      if (call.fn !== 'SSL_SESSION_set_time' && call.fn !== 'SSL_SESSION_set_timeout') return 'wrong call';
      const owner = sess(before, call.s).owner;
      if (owner === null) return 'not cached';
      const e = expectedFor(model.name);
      if (!e.settersResort) {
        const [b, a] = [listOrder(before, owner), listOrder(after, owner)];
        return show(a) === show(b) ? undefined : `the list moved: ${b.join(' ')} → ${a.join(' ')}`;
      }
      return newestAmongEquals(after, owner, call.s, e);
    },
  },
  {
    kind: 'step',
    title: '§SESS-6 SSL_SESSION_get_time and get_timeout return the stored values',
    applies: (c) => c.call.fn === 'SSL_SESSION_get_time' || c.call.fn === 'SSL_SESSION_get_timeout',
    check: ({ call, outcome, before }) => {
      if (call.fn !== 'SSL_SESSION_get_time' && call.fn !== 'SSL_SESSION_get_timeout') return 'wrong call';
      const s = sess(before, call.s);
      const want = call.fn === 'SSL_SESSION_get_time' ? s.time : s.timeout;
      return outcome.ret.t === 'int' && outcome.ret.v === want ? undefined : `returned ${show(outcome.ret)}`;
    },
  },
  {
    kind: 'step',
    title: '§SESS-7 SSL_SESSION_is_resumable: not marked non-resumable and a non-empty id',
    applies: (c) => c.call.fn === 'SSL_SESSION_is_resumable',
    check: ({ call, outcome, before }) => {
      if (call.fn !== 'SSL_SESSION_is_resumable') return 'wrong call';
      const s = sess(before, call.s);
      const want = !s.notResumable && idLen(s) > 0 ? 1n : 0n;
      return outcome.ret.t === 'int' && outcome.ret.v === want ? undefined : `returned ${show(outcome.ret)}`;
    },
  },
  {
    kind: 'step',
    title: '§REF-1 SSL_SESSION_up_ref returns 1 and adds a reference the caller holds',
    minShare: 0.1,
    applies: (c) => c.call.fn === 'SSL_SESSION_up_ref',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_SESSION_up_ref') return 'wrong call';
      if (outcome.ret.t !== 'int' || outcome.ret.v !== 1n) return `returned ${show(outcome.ret)}`;
      const [b, a] = [sess(before, call.s), sess(after, call.s)];
      return a.refs === b.refs + 1 && a.app === b.app + 1 ? undefined : `refs ${b.refs}→${a.refs}`;
    },
  },
  {
    kind: 'step',
    title:
      '§REF-2 SSL_SESSION_free destroys the object exactly when its last reference goes; NULL is a no-op',
    minShare: 0.5,
    applies: (c) => c.call.fn === 'SSL_SESSION_free',
    check: ({ call, outcome, before, after }) => {
      if (call.fn !== 'SSL_SESSION_free') return 'wrong call';
      if (call.s === null)
        return outcome.events.length === 0 && unchanged(before, after) ? undefined : 'NULL changed something';
      const b = sess(before, call.s);
      if (b.refs === 1) {
        if (after.sessions.has(call.s)) return 'still live after its last reference';
        return show(frees(outcome.events)) === show([call.s]) ? undefined : `events ${show(outcome.events)}`;
      }
      if (outcome.events.length > 0) return `events ${show(outcome.events)}`;
      return sess(after, call.s).refs === b.refs - 1 ? undefined : 'reference count not decremented';
    },
  },
  {
    kind: 'probe',
    title: '§REF-3 releasing a reference the application does not hold is undefined',
    minShare: 0.1,
    probe: (st, k) => {
      const borrowed = liveSessions(st).filter((h) => st.sessions.get(h)?.app === 0);
      const h = pick(borrowed, k);
      return h && [{ fn: 'SSL_SESSION_free', s: h }];
    },
    check: (_st, _call, r) => (r.kind === 'undefined' ? undefined : 'accepted as defined'),
  },
];
