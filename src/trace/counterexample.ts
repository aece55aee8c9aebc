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
const conn = (h: string): string => `T[${h.slice(1)}]`;
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

/** The C get callbacks of the external store's behaviours (spec/external.md). */
const GET_CBS: Readonly<Record<string, string>> = {
  store: 'get_cb_store',
  'store-copy0': 'get_cb_store_copy0',
  stale: 'get_cb_stale',
};

/** The C expression for a command, and how to print its result. */
const cCall = (c: Command, n: number): string => {
  const p = (expr: string) => `  printf("call ${n}: %s -> %ld\\n", ${cStr(showCall(c))}, (long)(${expr}));`;
  const v = (stmt: string) => `  ${stmt};\n  printf("call ${n}: %s -> void\\n", ${cStr(showCall(c))});`;
  switch (c.fn) {
    case 'SSL_SESSION_new':
      return `  creating = 1;\n  SSL_SESSION_new();\n  creating = 0;\n  printf("call ${n}: %s -> s%d\\n", ${cStr(showCall(c))}, ns);`;
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
      return `  C[++nc] = SSL_CTX_new(TLS_method());\n  X509_STORE_add_cert(SSL_CTX_get_cert_store(C[nc]), cert);\n  printf("call ${n}: %s -> c%d\\n", ${cStr(showCall(c))}, nc);`;
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
      return v(
        `SSL_CTX_sess_set_new_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : c.cb === 'keep' ? 'new_cb_keep' : 'new_cb'})`,
      );
    case 'SSL_CTX_sess_set_remove_cb':
      return v(`SSL_CTX_sess_set_remove_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : 'remove_cb'})`);
    case 'SSL_CTX_sess_set_get_cb':
      return v(
        `SSL_CTX_sess_set_get_cb(${ctx(c.ctx)}, ${c.cb === null ? 'NULL' : (GET_CBS[c.cb] ?? 'get_cb')})`,
      );
    case 'SSL_CTX_sess_get_new_cb':
      return p(`SSL_CTX_sess_get_new_cb(${ctx(c.ctx)}) != NULL`);
    case 'SSL_CTX_sess_get_remove_cb':
      return p(`SSL_CTX_sess_get_remove_cb(${ctx(c.ctx)}) != NULL`);
    case 'SSL_CTX_sess_get_get_cb':
      return p(`SSL_CTX_sess_get_get_cb(${ctx(c.ctx)}) != NULL`);
    case 'SSL_CTX_set_session_id_context':
      return p(
        `SSL_CTX_set_session_id_context(${ctx(c.ctx)}, (const unsigned char *)${hexBytes(c.sid)}, ${c.sid.length / 2})`,
      );
    case 'SSL_CTX_set_verify':
      return v(`SSL_CTX_set_verify(${ctx(c.ctx)}, ${c.mode}, NULL)`);
    case 'SSL_new':
      return `  new_ssl(C[${c.ctx.slice(1)}], ${c.role === 'server' ? 1 : 0}, ${c.max === 'TLSv1.3' ? 'TLS1_3_VERSION' : 'TLS1_2_VERSION'});\n  printf("call ${n}: %s -> t%d\\n", ${cStr(showCall(c))}, nt);`;
    case 'SSL_free':
      return v(`SSL_free(${conn(c.ssl)})`);
    case 'SSL_set_session':
      return p(`SSL_set_session(${conn(c.ssl)}, ${sess(c.s)})`);
    case 'SSL_get_session':
      return `  printf("call ${n}: %s -> %s\\n", ${cStr(showCall(c))}, sname(SSL_get_session(${conn(c.ssl)})));`;
    case 'SSL_get1_session':
      return `  printf("call ${n}: %s -> %s\\n", ${cStr(showCall(c))}, sname(SSL_get1_session(${conn(c.ssl)})));`;
    case 'SSL_session_reused':
      return p(`SSL_session_reused(${conn(c.ssl)})`);
    case 'SSL_shutdown':
      return p(`SSL_shutdown(${conn(c.ssl)})`);
    case 'SSL_clear':
      return p(`SSL_clear(${conn(c.ssl)})`);
    case 'handshake':
      return p(`handshake(${conn(c.client)}, ${conn(c.server)}, ${c.until === 'done' ? 1 : 0})`);
    default: {
      const counter = c.fn.slice('SSL_CTX_sess_'.length);
      return p(`SSL_CTX_ctrl(${ctx(c.ctx)}, ${STATS[counter] ?? -1}, 0, NULL)`);
    }
  }
};

/** The C support code for connections: the test certificate, SSL_new's set-up, the handshake loop. */
const C_CONNECTIONS = `static SSL *T[4096];
static BIO *RB[4096], *WB[4096];
static int nt = 0;
static X509 *cert;
static EVP_PKEY *pkey;
/* The ids the server drew in the recorded run, replayed in order by the id generator. */
static const char *const *repro_ids = NULL;
static int repro_id_next = 0;

static int ssl_no(const SSL *s) {
  for (int i = 1; i <= nt; i++) if (T[i] == s) return i;
  return 0;
}
static const char *sname(SSL_SESSION *s) {
  static char buf[32];
  if (s == NULL) return "NULL";
  snprintf(buf, sizeof buf, "s%ld", (long)SSL_SESSION_get_ex_data(s, ex_index));
  return buf;
}
static int gen_id(SSL *ssl, unsigned char *id, unsigned int *len) {
  const char *hex = repro_ids != NULL && repro_ids[repro_id_next] != NULL ? repro_ids[repro_id_next++] : "";
  unsigned int n = 0;
  for (; n < *len && hex[2 * n] != 0; n++) sscanf(hex + 2 * n, "%2hhx", &id[n]);
  for (unsigned int i = n; i < *len; i++) id[i] = (unsigned char)(0xa0 + i);
  printf("  gen_id(t%d)\\n", ssl_no(ssl));
  return 1;
}
/* An ECDSA P-256 self-signed certificate, valid 1970-2100 whatever time() says. */
static void make_cert(void) {
  pkey = EVP_EC_gen("P-256");
  cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  ASN1_TIME_set(X509_getm_notBefore(cert), 0);
  ASN1_TIME_set(X509_getm_notAfter(cert), 4102444800L);
  X509_NAME *name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"repro", -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_set_pubkey(cert, pkey);
  X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints, "critical,CA:TRUE");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(cert, pkey, EVP_sha256());
}
/* The driver's SSL_new: TLS 1.2 at most; a server presents the certificate, uses session ids
 * (SSL_OP_NO_TICKET) and draws them through gen_id; memory BIOs on both ends. */
static void new_ssl(SSL_CTX *c, int server, int max) {
  SSL *s = SSL_new(c);
  SSL_set_max_proto_version(s, max);
  if (server) {
    SSL_set_accept_state(s);
    SSL_set_options(s, SSL_OP_NO_TICKET);
    SSL_use_certificate(s, cert);
    SSL_use_PrivateKey(s, pkey);
    SSL_set_generate_session_id(s, gen_id);
  } else {
    SSL_set_connect_state(s);
  }
  T[++nt] = s;
  RB[nt] = BIO_new(BIO_s_mem());
  WB[nt] = BIO_new(BIO_s_mem());
  SSL_set_bio(s, RB[nt], WB[nt]);
}
static void pump(int from, int to) {
  char buf[16384];
  int n;
  while ((n = BIO_read(WB[from], buf, sizeof buf)) > 0) BIO_write(RB[to], buf, n);
}
/* 1 done, 0 wants more, -1 failed */
static int turn(SSL *s) {
  int r = SSL_do_handshake(s);
  if (r == 1) return 1;
  int e = SSL_get_error(s, r);
  return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}
/* The driver's handshake loop (src/driver/inprocess.ts). */
static int handshake(SSL *cs, SSL *ss, int to_the_end) {
  int ci = ssl_no(cs), si = ssl_no(ss), ok = 1;
  BIO_reset(RB[ci]); BIO_reset(WB[ci]); BIO_reset(RB[si]); BIO_reset(WB[si]);
  int c = turn(cs);
  pump(ci, si);
  int s = turn(ss);
  if (c < 0 || s < 0) ok = 0;
  if (to_the_end) {
    for (int round = 0; ok && round < 16 && (c != 1 || s != 1); round++) {
      pump(si, ci);
      if (c != 1) c = turn(cs);
      if (c < 0) { ok = 0; pump(ci, si); if (s != 1) turn(ss); break; }
      pump(ci, si);
      if (s != 1) s = turn(ss);
      if (s < 0) { ok = 0; pump(si, ci); if (c != 1) turn(cs); break; }
    }
    if (s < 0 && c != -1 && c != 1) { pump(si, ci); turn(cs); }
    if (c != 1 || s != 1) ok = 0;
  }
  ERR_clear_error();
  return ok;
}
`;

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
    const ids = step?.observation.ids;
    if (cmd.fn === 'handshake') {
      body.push(
        `  repro_ids = (const char *const[]){${[...(ids ?? []).map((x) => cStr(x)), 'NULL'].join(', ')}};`,
        '  repro_id_next = 0;',
      );
    }
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
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

static SSL_SESSION *S[65536];
static SSL_CTX *C[256];
static int ns = 0, nc = 0, ex_index = -1, creating = 0;
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
${C_CONNECTIONS}
static int new_cb(SSL *ssl, SSL_SESSION *s) {
  printf("  new_cb(t%d, s%ld)\\n", ssl_no(ssl), (long)SSL_SESSION_get_ex_data(s, ex_index));
  return 0;
}
static SSL_SESSION *get_cb(SSL *ssl, const unsigned char *id, int len, int *copy) {
  (void)copy;
  printf("  get_cb(t%d, \\"", ssl_no(ssl));
  for (int i = 0; i < len; i++) printf("%02x", id[i]);
  printf("\\")\\n");
  return NULL;
}
/* The external store (spec/external.md): session id -> one reference. */
static struct { unsigned char id[32]; unsigned int len; SSL_SESSION *s; } store[4096];
static int nstore = 0;
static int store_find(const unsigned char *id, unsigned int len) {
  for (int i = 0; i < nstore; i++) if (store[i].s != NULL && store[i].len == len && memcmp(store[i].id, id, len) == 0) return i;
  return -1;
}
static int new_cb_keep(SSL *ssl, SSL_SESSION *s) {
  new_cb(ssl, s);
  unsigned int len;
  const unsigned char *id = SSL_SESSION_get_id(s, &len);
  int i = store_find(id, len);
  SSL_SESSION *old = i >= 0 ? store[i].s : NULL;
  if (i < 0) i = nstore++;
  memcpy(store[i].id, id, len);
  store[i].len = len;
  store[i].s = s;
  SSL_SESSION_free(old);
  return 1;
}
/* 0: copy left at 1; 1: hand the store's reference over; 2: answer a long-expired session. */
static SSL_SESSION *store_answer(SSL *ssl, const unsigned char *id, int len, int *copy, int how) {
  get_cb(ssl, id, len, copy);
  int i = store_find(id, (unsigned int)len);
  if (i < 0) return NULL;
  unsigned int now_len;
  const unsigned char *now_id = SSL_SESSION_get_id(store[i].s, &now_len);
  if (now_len != (unsigned int)len || memcmp(now_id, id, now_len) != 0) return NULL;
  SSL_SESSION *s = store[i].s;
  if (how == 1) { store[i].s = NULL; *copy = 0; }
  if (how == 2) SSL_SESSION_set_time(s, 1);
  return s;
}
static SSL_SESSION *get_cb_store(SSL *ssl, const unsigned char *id, int len, int *copy) { return store_answer(ssl, id, len, copy, 0); }
static SSL_SESSION *get_cb_store_copy0(SSL *ssl, const unsigned char *id, int len, int *copy) { return store_answer(ssl, id, len, copy, 1); }
static SSL_SESSION *get_cb_stale(SSL *ssl, const unsigned char *id, int len, int *copy) { return store_answer(ssl, id, len, copy, 2); }
/* Sessions are numbered as they are created, by the library or by the program. */
static void new_ex(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
  (void)ptr; (void)argl; (void)argp;
  S[++ns] = parent;
  CRYPTO_set_ex_data(ad, idx, (void *)(long)ns);
  if (!creating) printf("  new(s%d)\\n", ns);
}
static int dup_ex(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl, void *argp) {
  (void)from; (void)argl; (void)argp;
  *from_d = CRYPTO_get_ex_data(to, idx);
  return 1;
}
static void free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
  (void)parent; (void)ad; (void)idx; (void)argl; (void)argp;
  if (ptr != NULL) printf("  free(s%ld)\\n", (long)ptr);
}

int main(void) {
  ex_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0, NULL, new_ex, dup_ex, free_cb);
  make_cert();
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
