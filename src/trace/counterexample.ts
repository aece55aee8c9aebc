/**
 * What the oracle writes when it finds a divergence or an implementation failure: the shrunk
 * sequence as a trace (JSON Lines), a C program that replays it against a libssl, and a vitest
 * regression case. All three are plain text built from the sequence; writing them is the CLI's job.
 *
 * @category trace
 */
import type { Command, Outcome } from '../model/types.js';
import { showCall, showOutcome } from '../oracle/judge.js';
import type { LockstepStep, SequenceResult } from '../oracle/lockstep.js';
import { callLine, divergenceNotes, type TraceHeader, type TraceLine, traceLineText } from './format.js';

export type { TraceHeader } from './format.js';

/** The trace line of one lockstep step; a divergent one carries what the model allowed. */
export const stepLine = (s: LockstepStep): TraceLine =>
  s.verdict.kind === 'diverge'
    ? callLine(s.cmd, s.observation, divergenceNotes(s.verdict.allowed, s.verdict.clauses))
    : callLine(s.cmd, s.observation);

/**
 * The sequence as a trace (spec/trace-format.md): a header line, then one line per call, and
 * for an implementation failure a last line with `failure`.
 */
export const traceOf = (header: TraceHeader, result: Exclude<SequenceResult, { kind: 'ok' }>): string => {
  const lines: TraceLine[] = [{ kind: 'header', header }, ...result.steps.map(stepLine)];
  if (result.kind === 'failure') {
    lines.push({
      kind: 'failure',
      line: { call: result.cmd, failure: { kind: result.failure.kind, message: result.failure.message } },
    });
  }
  return `${lines.map(traceLineText).join('\n')}\n`;
};

const cStr = (s: string): string => JSON.stringify(s);
const hexBytes = (hex: string): string => (hex.length === 0 ? '""' : `"${hex.replace(/(..)/g, '\\x$1')}"`);
const sess = (h: string | null): string => (h === null ? 'NULL' : `S[${h.slice(1)}]`);
const ctx = (h: string): string => `C[${h.slice(1)}]`;
const long = (v: bigint): string => (v === -(2n ** 63n) ? '(-9223372036854775807L - 1)' : `${v}L`);

const STATS: Readonly<Record<string, number>> = {
  connect: 21,
  connect_good: 22,
  connect_renegotiate: 23,
  accept: 24,
  accept_good: 25,
  accept_renegotiate: 26,
  hits: 27,
  cb_hits: 28,
  misses: 29,
  timeouts: 30,
  cache_full: 31,
};

/** The C expression for a command, and how to print its result. */
const cCall = (c: Command, n: number): string => {
  const p = (expr: string) => `  printf("call ${n}: %s -> %ld\\n", ${cStr(showCall(c))}, (long)(${expr}));`;
  const v = (stmt: string) => `  ${stmt};\n  printf("call ${n}: %s -> void\\n", ${cStr(showCall(c))});`;
  switch (c.fn) {
    case 'SSL_SESSION_new':
      return `  S[++ns] = SSL_SESSION_new();\n  SSL_SESSION_set_ex_data(S[ns], ex_index, (void *)(long)ns);\n  printf("call ${n}: %s -> s%d\\n", ${cStr(showCall(c))}, ns);`;
    case 'SSL_SESSION_set1_id':
      return p(
        `SSL_SESSION_set1_id(${sess(c.s)}, (const unsigned char *)${hexBytes(c.id)}, ${c.id.length / 2})`,
      );
    case 'SSL_SESSION_set_time':
      return p(`SSL_SESSION_set_time(${sess(c.s)}, ${long(c.t)})`);
    case 'SSL_SESSION_set_timeout':
      return p(`SSL_SESSION_set_timeout(${sess(c.s)}, ${long(c.t)})`);
    case 'SSL_SESSION_get_time':
      return p(`SSL_SESSION_get_time(${sess(c.s)})`);
    case 'SSL_SESSION_get_timeout':
      return p(`SSL_SESSION_get_timeout(${sess(c.s)})`);
    case 'SSL_SESSION_up_ref':
      return p(`SSL_SESSION_up_ref(${sess(c.s)})`);
    case 'SSL_SESSION_free':
      return v(`SSL_SESSION_free(${sess(c.s)})`);
    case 'SSL_SESSION_is_resumable':
      return p(`SSL_SESSION_is_resumable(${sess(c.s)})`);
    case 'SSL_CTX_new':
      return `  C[++nc] = SSL_CTX_new(TLS_method());\n  printf("call ${n}: %s -> c%d\\n", ${cStr(showCall(c))}, nc);`;
    case 'SSL_CTX_free':
      return v(`SSL_CTX_free(${ctx(c.ctx)})`);
    case 'SSL_CTX_add_session':
      return p(`SSL_CTX_add_session(${ctx(c.ctx)}, ${sess(c.s)})`);
    case 'SSL_CTX_remove_session':
      return p(`SSL_CTX_remove_session(${ctx(c.ctx)}, ${sess(c.s)})`);
    case 'SSL_CTX_flush_sessions':
      return v(`SSL_CTX_flush_sessions(${ctx(c.ctx)}, ${long(c.t)})`);
    case 'SSL_CTX_sess_set_cache_size':
      return p(`SSL_CTX_sess_set_cache_size(${ctx(c.ctx)}, ${long(c.size)})`);
    case 'SSL_CTX_sess_get_cache_size':
      return p(`SSL_CTX_sess_get_cache_size(${ctx(c.ctx)})`);
    case 'SSL_CTX_sess_number':
      return p(`SSL_CTX_sess_number(${ctx(c.ctx)})`);
    case 'SSL_CTX_set_session_cache_mode':
      return p(`SSL_CTX_set_session_cache_mode(${ctx(c.ctx)}, ${long(c.mode)})`);
    case 'SSL_CTX_get_session_cache_mode':
      return p(`SSL_CTX_get_session_cache_mode(${ctx(c.ctx)})`);
    case 'SSL_CTX_set_timeout':
      return p(`SSL_CTX_set_timeout(${ctx(c.ctx)}, ${long(c.t)})`);
    case 'SSL_CTX_get_timeout':
      return p(`SSL_CTX_get_timeout(${ctx(c.ctx)})`);
    case 'SSL_CTX_sess_set_new_cb':
      return v(`SSL_CTX_sess_set_new_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : 'new_cb'})`);
    case 'SSL_CTX_sess_set_remove_cb':
      return v(`SSL_CTX_sess_set_remove_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : 'remove_cb'})`);
    case 'SSL_CTX_sess_set_get_cb':
      return v(`SSL_CTX_sess_set_get_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : 'get_cb'})`);
    case 'SSL_CTX_sess_get_new_cb':
      return p(`SSL_CTX_sess_get_new_cb(${ctx(c.ctx)}) != NULL`);
    case 'SSL_CTX_sess_get_remove_cb':
      return p(`SSL_CTX_sess_get_remove_cb(${ctx(c.ctx)}) != NULL`);
    case 'SSL_CTX_sess_get_get_cb':
      return p(`SSL_CTX_sess_get_get_cb(${ctx(c.ctx)}) != NULL`);
    default: {
      const counter = c.fn.slice('SSL_CTX_sess_'.length);
      return p(`SSL_CTX_ctrl(${ctx(c.ctx)}, ${STATS[counter] ?? -1}, 0, NULL)`);
    }
  }
};

/**
 * A standalone C program replaying the sequence against the libssl it is linked with
 * (`cc repro.c -lssl -lcrypto`). The clock the implementation read is pinned by defining
 * `time()` in the program, which the library's own calls resolve to. It prints every call's
 * result and events, and at the divergent call what the model allows.
 */
export const reproC = (result: Exclude<SequenceResult, { kind: 'ok' }>, title: string): string => {
  const body: string[] = [];
  const cmds = result.steps.map((s) => ({
    cmd: s.cmd,
    now: s.observation.now,
    step: s as LockstepStep | undefined,
  }));
  if (result.kind === 'failure') cmds.push({ cmd: result.cmd, now: undefined, step: undefined });
  cmds.forEach(({ cmd, now, step }, i) => {
    const n = i + 1;
    if (now !== undefined) body.push(`  repro_now = ${long(now)};`);
    body.push(cCall(cmd, n));
    if (step?.verdict.kind === 'diverge') {
      const allowed = step.verdict.allowed.map((o: Outcome) => showOutcome(o)).join(' or ');
      body.push(
        `  printf("^ divergent: the model (%s) allows only %s\\n", ${cStr(step.verdict.clauses.join(' '))}, ${cStr(allowed)});`,
        '  return 1;',
      );
    }
  });
  return `/* ${title}
 * Build and run: cc repro.c -lssl -lcrypto && ./a.out
 * Generated by session-oracle; sessions and contexts are numbered in creation order (s1 = S[1]). */
#include <stdio.h>
#include <time.h>
#include <openssl/ssl.h>
#include <openssl/crypto.h>

static SSL_SESSION *S[4096];
static SSL_CTX *C[256];
static int ns = 0, nc = 0, ex_index = -1;
static time_t repro_now = 0;

/* The library reads the clock through time(); this definition pins it to what was observed. */
time_t time(time_t *t) {
  if (t != NULL) *t = repro_now;
  return repro_now;
}

static int ctx_no(SSL_CTX *c) {
  for (int i = 1; i <= nc; i++) if (C[i] == c) return i;
  return 0;
}
static void remove_cb(SSL_CTX *c, SSL_SESSION *s) {
  printf("  remove_cb(c%d, s%ld)\\n", ctx_no(c), (long)SSL_SESSION_get_ex_data(s, ex_index));
}
static int new_cb(SSL *ssl, SSL_SESSION *s) { (void)ssl; (void)s; return 0; }
static SSL_SESSION *get_cb(SSL *ssl, const unsigned char *id, int len, int *copy) {
  (void)ssl; (void)id; (void)len; (void)copy;
  return NULL;
}
static void free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
  (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
  if (ptr != NULL) printf("  free(s%ld)\\n", (long)ptr);
}

int main(void) {
  ex_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0, NULL, NULL, NULL, free_cb);
${body.join('\n')}
  return 0;
}
`;
};

/** A vitest case that replays the sequence against the system libssl and the model. */
export const regressionTest = (result: Exclude<SequenceResult, { kind: 'ok' }>, title: string): string => {
  const cmds = [...result.steps.map((s) => s.cmd), ...(result.kind === 'failure' ? [result.cmd] : [])];
  return `// ${title}
// Copy into test/ to keep this sequence as a regression case.
import { expect, it } from 'vitest';
import { InProcessDriver } from '../src/driver/inprocess.js';
import { modelOf } from '../src/model/model.js';
import { openssl30 } from '../src/model/profile.js';
import { initialState } from '../src/model/state.js';
import type { Command } from '../src/model/types.js';
import { describeDivergence, judge } from '../src/oracle/judge.js';

const cmds = ${JSON.stringify(cmds, (_k, x) => (typeof x === 'bigint' ? `__BIGINT__${x}` : x), 2).replace(/"__BIGINT__(-?\d+)"/g, '$1n')} as Command[];

it(${cStr(title)}, () => {
  const driver = InProcessDriver.open();
  const model = modelOf(openssl30);
  let state = initialState;
  try {
    for (const cmd of cmds) {
      const v = judge(model, state, cmd, driver.exec(cmd));
      if (v.kind === 'diverge') expect.fail(describeDivergence(v));
      if (v.kind === 'undefined') expect.fail(v.reason);
      state = v.state;
    }
  } finally {
    driver.close();
  }
});
`;
};
