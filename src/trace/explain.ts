/**
 * What `session-oracle explain` prints for each call of a trace: the call, the outcome, the
 * clauses that decided it (with their titles), and the model's state after it — each context's
 * cache in list order, tail to head, with reference counts, times and timeouts.
 *
 * @category trace
 */
import { CLAUSES } from '../model/clauses.js';
import type { Sess, State } from '../model/state.js';
import type { ClauseId, CtxHandle, SessionHandle } from '../model/types.js';
import { showCall, showOutcome } from '../oracle/judge.js';
import type { JudgedStep } from './check.js';

const byNumber = <H extends string>(hs: Iterable<H>): H[] =>
  [...hs].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));

/** `§ADD-1  adding a new key returns 1 and the cache takes one reference`. */
export const clauseLine = (c: ClauseId): string => {
  const title = CLAUSES[c];
  return title === undefined ? c : `${c}  ${title}`;
};

const sessionRow = (h: SessionHandle, s: Sess): string =>
  `${h}  id ${s.id === '' ? '(empty)' : s.id}, refs ${s.refs} (application ${s.app}), time ${s.time}, timeout ${s.timeout}` +
  (s.notResumable ? ', not resumable' : '');

/** The model's state: every context's cache (tail → head), then the sessions no cache holds. */
export const describeState = (state: State): string[] => {
  const out: string[] = [];
  for (const ch of byNumber<CtxHandle>(state.ctxs.keys())) {
    const c = state.ctxs.get(ch);
    if (c === undefined) continue;
    const cbs = (['new', 'remove', 'get'] as const)
      .filter((k) => c.cbs[k] !== null)
      .map((k) => `, ${k}_cb ${c.cbs[k]}`)
      .join('');
    const list = c.order.valuesArray();
    const extra = c.cache.size === list.length ? '' : ` (${c.cache.size} hash entries)`;
    out.push(
      `${ch}: size ${c.size}, mode 0x${c.mode.toString(16)}, timeout ${c.timeout}${cbs}; ` +
        (list.length === 0 ? `cache empty${extra}` : `${list.length} cached${extra}, tail → head:`),
    );
    for (const h of list) {
      const s = state.sessions.get(h);
      out.push(s === undefined ? `  ${h}  (freed)` : `  ${sessionRow(h, s)}`);
    }
  }
  const loose = byNumber<SessionHandle>(state.sessions.keys()).filter(
    (h) => state.sessions.get(h)?.owner === null,
  );
  if (loose.length > 0) {
    out.push('not cached:');
    for (const h of loose) out.push(`  ${sessionRow(h, state.sessions.get(h) as Sess)}`);
  }
  if (out.length === 0) out.push('no live objects');
  return out;
};

/** The explanation of one judged call, as lines (the first unindented). */
export const explainStep = (s: JudgedStep): string[] => {
  const v = s.verdict;
  const out = [`line ${s.line}: ${showCall(v.call)}`];
  if (v.kind === 'agree') out.push(`  returned ${showOutcome(s.observed.outcome)}`);
  else {
    out.push(
      `  returned ${showOutcome(s.observed.outcome)}, the model allows only ${v.allowed.map(showOutcome).join(' or ')}`,
      `  DIVERGENCE: the model goes on with ${showOutcome(v.allowed[0] as (typeof v.allowed)[number])}`,
    );
  }
  out.push('  because:');
  for (const c of v.clauses) out.push(`    ${clauseLine(c)}`);
  out.push('  then:');
  for (const l of describeState(s.state)) out.push(`    ${l}`);
  return out;
};
