/*
 * An example driver for session-oracle, in C: it speaks the line protocol of
 * spec/driver-protocol.md (protocol 1) on stdin/stdout and performs each call on the libssl it is
 * linked with. Build it with examples/build-driver.sh, then
 *
 *     npx session-oracle fuzz --exec examples/build/driver
 *
 * Compiled with -DPLANTED_BUG it reports 1 as the result of every SSL_SESSION_set_time (the
 * library returns its argument, §SESS-3), so that the oracle has something to find.
 *
 * How it observes the library:
 * - Sessions and contexts are named by creation order (s1, s2, …, c1, …), reset by `reset`. The
 *   number of a session is stored in an ex_data slot right after SSL_SESSION_new; the slot's free
 *   function reports a `free` event with that number whenever the library destroys the session,
 *   whoever drops the last reference.
 * - The remove callbacks report a `remove_cb` event with the context (looked up among the
 *   driver's contexts) and the session (its ex_data number).
 * - Callback names are labels: each new name of a kind gets the next function of a small pool
 *   (NSLOTS per kind), so the same name always installs the same pointer and the getters can say
 *   which name is installed.
 * - `now`: for SSL_SESSION_new the new session's time; for SSL_CTX_add_session the session's time
 *   after the call when the mode has SSL_SESS_CACHE_UPDATE_TIME, else time(NULL).
 *
 * Messages are read with a small JSON parser written for this protocol's messages (objects,
 * strings, numbers, true/false/null; \u escapes above 0x7f are replaced by '?'). No library but
 * libssl and libcrypto.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#define PROTOCOL 1

/* ---------------------------------------------------------------- growable text buffer */

typedef struct {
  char *p;
  size_t n, cap;
} buf_t;

static void die(const char *what) {
  fprintf(stderr, "driver: %s\n", what);
  exit(3);
}

static void buf_put(buf_t *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap == 0 ? 256 : b->cap;
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->p, cap);
    if (p == NULL) die("out of memory");
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

static void buf_str(buf_t *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_printf(buf_t *b, const char *fmt, ...) {
  char tmp[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) die("vsnprintf failed");
  if ((size_t)n < sizeof tmp) {
    buf_put(b, tmp, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (big == NULL) die("out of memory");
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  buf_put(b, big, (size_t)n);
  free(big);
}

/* A JSON string literal, with the escapes JSON requires. */
static void buf_json_string(buf_t *b, const char *s) {
  buf_str(b, "\"");
  for (; *s != '\0'; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      char e[2] = {'\\', (char)c};
      buf_put(b, e, 2);
    } else if (c == '\n') {
      buf_str(b, "\\n");
    } else if (c < 0x20) {
      buf_printf(b, "\\u%04x", c);
    } else {
      buf_put(b, (const char *)&c, 1);
    }
  }
  buf_str(b, "\"");
}

/* ---------------------------------------------------------------- a small JSON parser */

typedef enum { J_NULL, J_FALSE, J_TRUE, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct {
  jtype t;
  const char *s; /* J_STR: the unescaped text; J_NUM: the number as written (both NUL-ended) */
  const char *key; /* the member name when the node is an object member */
  int first;       /* J_ARR, J_OBJ: index of the first element, or -1 */
  int next;        /* the next sibling, or -1 */
} jnode;

#define MAX_NODES 256

typedef struct {
  const char *p;
  char *arena; /* unescaped strings go here; never longer than the line */
  size_t an;
  jnode nodes[MAX_NODES];
  int nn;
  const char *err;
} jparser;

static void skip_ws(jparser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r') ps->p++;
}

static int new_node(jparser *ps, jtype t) {
  if (ps->nn >= MAX_NODES) {
    ps->err = "message too deeply nested or too long";
    return -1;
  }
  jnode *n = &ps->nodes[ps->nn];
  n->t = t;
  n->s = NULL;
  n->key = NULL;
  n->first = -1;
  n->next = -1;
  return ps->nn++;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses a string literal at ps->p into the arena; returns its text or NULL. */
static const char *parse_string(jparser *ps) {
  if (*ps->p != '"') {
    ps->err = "expected a string";
    return NULL;
  }
  ps->p++;
  char *out = ps->arena + ps->an;
  size_t k = 0;
  for (;;) {
    char c = *ps->p++;
    if (c == '\0') {
      ps->err = "unterminated string";
      return NULL;
    }
    if (c == '"') break;
    if ((unsigned char)c < 0x20) {
      ps->err = "control character in a string";
      return NULL;
    }
    if (c != '\\') {
      out[k++] = c;
      continue;
    }
    c = *ps->p++;
    switch (c) {
    case '"': out[k++] = '"'; break;
    case '\\': out[k++] = '\\'; break;
    case '/': out[k++] = '/'; break;
    case 'b': out[k++] = '\b'; break;
    case 'f': out[k++] = '\f'; break;
    case 'n': out[k++] = '\n'; break;
    case 'r': out[k++] = '\r'; break;
    case 't': out[k++] = '\t'; break;
    case 'u': {
      int v = 0;
      for (int i = 0; i < 4; i++) {
        int h = hexval(ps->p[i]);
        if (h < 0) {
          ps->err = "bad \\u escape";
          return NULL;
        }
        v = v * 16 + h;
      }
      ps->p += 4;
      out[k++] = v < 0x80 && v != 0 ? (char)v : '?';
      break;
    }
    default:
      ps->err = "bad escape in a string";
      return NULL;
    }
  }
  out[k++] = '\0';
  ps->an += k;
  return out;
}

static int parse_value(jparser *ps, int depth);

static int parse_container(jparser *ps, int depth, int object) {
  int node = new_node(ps, object ? J_OBJ : J_ARR);
  if (node < 0) return -1;
  ps->p++; /* '{' or '[' */
  skip_ws(ps);
  char close = object ? '}' : ']';
  if (*ps->p == close) {
    ps->p++;
    return node;
  }
  int last = -1;
  for (;;) {
    const char *key = NULL;
    skip_ws(ps);
    if (object) {
      key = parse_string(ps);
      if (key == NULL) return -1;
      skip_ws(ps);
      if (*ps->p != ':') {
        ps->err = "expected ':'";
        return -1;
      }
      ps->p++;
    }
    int v = parse_value(ps, depth + 1);
    if (v < 0) return -1;
    ps->nodes[v].key = key;
    if (last < 0) ps->nodes[node].first = v;
    else ps->nodes[last].next = v;
    last = v;
    skip_ws(ps);
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == close) {
      ps->p++;
      return node;
    }
    ps->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
    return -1;
  }
}

static int parse_value(jparser *ps, int depth) {
  if (depth > 16) {
    ps->err = "too deeply nested";
    return -1;
  }
  skip_ws(ps);
  char c = *ps->p;
  if (c == '{') return parse_container(ps, depth, 1);
  if (c == '[') return parse_container(ps, depth, 0);
  if (c == '"') {
    int n = new_node(ps, J_STR);
    if (n < 0) return -1;
    const char *s = parse_string(ps);
    if (s == NULL) return -1;
    ps->nodes[n].s = s;
    return n;
  }
  if (strncmp(ps->p, "true", 4) == 0) {
    ps->p += 4;
    return new_node(ps, J_TRUE);
  }
  if (strncmp(ps->p, "false", 5) == 0) {
    ps->p += 5;
    return new_node(ps, J_FALSE);
  }
  if (strncmp(ps->p, "null", 4) == 0) {
    ps->p += 4;
    return new_node(ps, J_NULL);
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    int n = new_node(ps, J_NUM);
    if (n < 0) return -1;
    const char *start = ps->p;
    while (*ps->p == '-' || *ps->p == '+' || *ps->p == '.' || *ps->p == 'e' || *ps->p == 'E' ||
           (*ps->p >= '0' && *ps->p <= '9'))
      ps->p++;
    size_t len = (size_t)(ps->p - start);
    char *out = ps->arena + ps->an;
    memcpy(out, start, len);
    out[len] = '\0';
    ps->an += len + 1;
    ps->nodes[n].s = out;
    return n;
  }
  ps->err = "unexpected character";
  return -1;
}

/* The member `key` of object node `obj` (the last one, as in JavaScript), or -1. */
static int jget(const jparser *ps, int obj, const char *key) {
  int found = -1;
  if (obj < 0 || ps->nodes[obj].t != J_OBJ) return -1;
  for (int k = ps->nodes[obj].first; k >= 0; k = ps->nodes[k].next)
    if (strcmp(ps->nodes[k].key, key) == 0) found = k;
  return found;
}

/* ---------------------------------------------------------------- the driver's objects */

typedef struct {
  SSL_SESSION *p;
  long refs; /* references the driver holds */
  int live;  /* cleared by the ex_data free function */
} session_t;

typedef struct {
  SSL_CTX *p;
  int live;
} ctx_t;

static session_t *S = NULL; /* S[1..ns] */
static size_t ns = 0, scap = 0;
static ctx_t *C = NULL; /* C[1..nc] */
static size_t nc = 0, ccap = 0;
static int ex_index = -1;

/* Events of the running call; reporting is off during a reset. */
static buf_t events;
static int nevents = 0;
static int reporting = 1;
/* A problem a callback met (reported as an error answer), or NULL. */
static const char *problem = NULL;

static void event_begin(void) {
  if (!reporting) return;
  buf_str(&events, nevents++ == 0 ? "" : ",");
}

static void on_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp) {
  (void)parent;
  (void)ad;
  (void)idx;
  (void)argl;
  (void)argp;
  if (ptr == NULL) return;
  size_t n = (size_t)(uintptr_t)ptr;
  if (n >= 1 && n <= ns) S[n].live = 0;
  if (!reporting) return;
  event_begin();
  buf_printf(&events, "{\"ev\":\"free\",\"s\":\"s%zu\"}", n);
}

static void on_remove(SSL_CTX *ctx, SSL_SESSION *sess) {
  if (!reporting) return;
  size_t c = 0;
  for (size_t i = 1; i <= nc; i++)
    if (C[i].live && C[i].p == ctx) c = i;
  size_t n = (size_t)(uintptr_t)SSL_SESSION_get_ex_data(sess, ex_index);
  if (c == 0) {
    problem = "remove_session_cb for an SSL_CTX the driver did not create";
    return;
  }
  if (n == 0) {
    problem = "remove_session_cb for a session the driver did not create";
    return;
  }
  event_begin();
  buf_printf(&events, "{\"ev\":\"remove_cb\",\"ctx\":\"c%zu\",\"s\":\"s%zu\"}", c, n);
}

/* Callback pools: the k-th name of a kind installs the k-th function of that kind. */
#define NSLOTS 8
enum { CB_NEW, CB_REMOVE, CB_GET };
static char *cb_names[3][NSLOTS];

#define REMOVE_FN(k) \
  static void remove_cb_##k(SSL_CTX *ctx, SSL_SESSION *sess) { on_remove(ctx, sess); }
#define NEW_FN(k)                                     \
  static int new_cb_##k(SSL *ssl, SSL_SESSION *sess) { \
    (void)ssl;                                        \
    (void)sess;                                       \
    return 0;                                         \
  }
#define GET_FN(k)                                                                             \
  static SSL_SESSION *get_cb_##k(SSL *ssl, const unsigned char *id, int len, int *copy) { \
    (void)ssl;                                                                                \
    (void)id;                                                                                 \
    (void)len;                                                                                \
    (void)copy;                                                                               \
    return NULL;                                                                              \
  }
#define ALL_SLOTS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
ALL_SLOTS(REMOVE_FN)
ALL_SLOTS(NEW_FN)
ALL_SLOTS(GET_FN)
typedef void (*remove_fn)(SSL_CTX *, SSL_SESSION *);
typedef int (*new_fn)(SSL *, SSL_SESSION *);
typedef SSL_SESSION *(*get_fn)(SSL *, const unsigned char *, int, int *);
static const remove_fn remove_fns[NSLOTS] = {remove_cb_0, remove_cb_1, remove_cb_2, remove_cb_3,
                                             remove_cb_4, remove_cb_5, remove_cb_6, remove_cb_7};
static const new_fn new_fns[NSLOTS] = {new_cb_0, new_cb_1, new_cb_2, new_cb_3,
                                       new_cb_4, new_cb_5, new_cb_6, new_cb_7};
static const get_fn get_fns[NSLOTS] = {get_cb_0, get_cb_1, get_cb_2, get_cb_3,
                                       get_cb_4, get_cb_5, get_cb_6, get_cb_7};

/* The slot of callback `name` of `kind`, assigned on first use; -1 when the pool is full. */
static int cb_slot(int kind, const char *name) {
  for (int k = 0; k < NSLOTS; k++) {
    if (cb_names[kind][k] == NULL) {
      cb_names[kind][k] = strdup(name);
      if (cb_names[kind][k] == NULL) die("out of memory");
      return k;
    }
    if (strcmp(cb_names[kind][k], name) == 0) return k;
  }
  return -1;
}

/* ---------------------------------------------------------------- answering calls */

/* What one call produced: an error message, or the return value (and the clock). */
typedef struct {
  const char *error;
  char errbuf[160];
  buf_t ret; /* the JSON of "ret" */
  int has_now;
  long now;
} result_t;

static void fail(result_t *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->errbuf, sizeof r->errbuf, fmt, ap);
  va_end(ap);
  r->error = r->errbuf;
}

/* Inside perform(): fail the call and return. */
#define FAIL(...)           \
  do {                      \
    fail(r, __VA_ARGS__);   \
    return;                 \
  } while (0)

static void ret_int(result_t *r, long v) { buf_printf(&r->ret, "{\"t\":\"int\",\"v\":\"%ld\"}", v); }
static void ret_void(result_t *r) { buf_str(&r->ret, "{\"t\":\"void\"}"); }

/* Parses a handle "<prefix><N>" (N >= 1, no leading zero); 0 when malformed. */
static size_t handle_number(const char *h, char prefix) {
  if (h == NULL || h[0] != prefix || h[1] < '1' || h[1] > '9') return 0;
  size_t n = 0;
  for (const char *q = h + 1; *q != '\0'; q++) {
    if (*q < '0' || *q > '9' || n > SIZE_MAX / 10 - 10) return 0;
    n = n * 10 + (size_t)(*q - '0');
  }
  return n;
}

static const char *str_field(const jparser *ps, int call, const char *key, int *is_null) {
  int v = jget(ps, call, key);
  if (is_null != NULL) *is_null = v >= 0 && ps->nodes[v].t == J_NULL;
  return v >= 0 && ps->nodes[v].t == J_STR ? ps->nodes[v].s : NULL;
}

/* The session named by field `key`; NULL (and r->error) when it is missing or not live. */
static session_t *session_arg(const jparser *ps, int call, const char *key, result_t *r, int allow_null,
                              int *was_null) {
  int is_null = 0;
  const char *h = str_field(ps, call, key, &is_null);
  if (was_null != NULL) *was_null = 0;
  if (is_null && allow_null) {
    if (was_null != NULL) *was_null = 1;
    return NULL;
  }
  size_t n = handle_number(h, 's');
  if (n == 0) {
    fail(r, "field \"call.%s\": expected a session handle", key);
    return NULL;
  }
  if (n > ns) {
    fail(r, "unknown session handle %s", h);
    return NULL;
  }
  if (!S[n].live) {
    fail(r, "session %s was freed", h);
    return NULL;
  }
  return &S[n];
}

static ctx_t *ctx_arg(const jparser *ps, int call, result_t *r) {
  const char *h = str_field(ps, call, "ctx", NULL);
  size_t n = handle_number(h, 'c');
  if (n == 0) {
    fail(r, "field \"call.ctx\": expected a context handle");
    return NULL;
  }
  if (n > nc || !C[n].live) {
    fail(r, "unknown context handle %s", h);
    return NULL;
  }
  return &C[n];
}

/* A signed 64-bit decimal string field; 0 and r->error when malformed. */
static long long_arg(const jparser *ps, int call, const char *key, result_t *r) {
  const char *s = str_field(ps, call, key, NULL);
  if (s == NULL || s[0] == '\0' || strcmp(s, "-0") == 0) goto bad;
  const char *d = s[0] == '-' ? s + 1 : s;
  if (*d == '\0' || (d[0] == '0' && d[1] != '\0')) goto bad;
  for (const char *q = d; *q != '\0'; q++)
    if (*q < '0' || *q > '9') goto bad;
  errno = 0;
  long long v = strtoll(s, NULL, 10);
  if (errno == ERANGE) goto bad;
  return (long)v;
bad:
  fail(r, "field \"call.%s\": expected a decimal string (signed 64-bit)", key);
  return 0;
}

static void grow_sessions(void) {
  if (ns + 1 >= scap) {
    size_t cap = scap == 0 ? 64 : scap * 2;
    session_t *p = realloc(S, cap * sizeof *S);
    if (p == NULL) die("out of memory");
    S = p;
    scap = cap;
  }
}

static void grow_ctxs(void) {
  if (nc + 1 >= ccap) {
    size_t cap = ccap == 0 ? 16 : ccap * 2;
    ctx_t *p = realloc(C, cap * sizeof *C);
    if (p == NULL) die("out of memory");
    C = p;
    ccap = cap;
  }
}

static const struct {
  const char *fn;
  int ctrl;
} STATS[] = {
    {"SSL_CTX_sess_connect", SSL_CTRL_SESS_CONNECT},
    {"SSL_CTX_sess_connect_good", SSL_CTRL_SESS_CONNECT_GOOD},
    {"SSL_CTX_sess_connect_renegotiate", SSL_CTRL_SESS_CONNECT_RENEGOTIATE},
    {"SSL_CTX_sess_accept", SSL_CTRL_SESS_ACCEPT},
    {"SSL_CTX_sess_accept_good", SSL_CTRL_SESS_ACCEPT_GOOD},
    {"SSL_CTX_sess_accept_renegotiate", SSL_CTRL_SESS_ACCEPT_RENEGOTIATE},
    {"SSL_CTX_sess_hits", SSL_CTRL_SESS_HIT},
    {"SSL_CTX_sess_cb_hits", SSL_CTRL_SESS_CB_HIT},
    {"SSL_CTX_sess_misses", SSL_CTRL_SESS_MISSES},
    {"SSL_CTX_sess_timeouts", SSL_CTRL_SESS_TIMEOUTS},
    {"SSL_CTX_sess_cache_full", SSL_CTRL_SESS_CACHE_FULL},
};

static void set_callback(SSL_CTX *ctx, int kind, const char *name, result_t *r) {
  int k = -1;
  if (name != NULL) {
    k = cb_slot(kind, name);
    if (k < 0) {
      fail(r, "more than %d callback names", NSLOTS);
      return;
    }
  }
  if (kind == CB_REMOVE) SSL_CTX_sess_set_remove_cb(ctx, k < 0 ? NULL : remove_fns[k]);
  else if (kind == CB_NEW) SSL_CTX_sess_set_new_cb(ctx, k < 0 ? NULL : new_fns[k]);
  else SSL_CTX_sess_set_get_cb(ctx, k < 0 ? NULL : get_fns[k]);
  ret_void(r);
}

static void get_callback(SSL_CTX *ctx, int kind, result_t *r) {
  int k = -1, null = 0;
  if (kind == CB_REMOVE) {
    remove_fn f = SSL_CTX_sess_get_remove_cb(ctx);
    null = f == NULL;
    for (int i = 0; i < NSLOTS; i++)
      if (f == remove_fns[i]) k = i;
  } else if (kind == CB_NEW) {
    new_fn f = SSL_CTX_sess_get_new_cb(ctx);
    null = f == NULL;
    for (int i = 0; i < NSLOTS; i++)
      if (f == new_fns[i]) k = i;
  } else {
    get_fn f = SSL_CTX_sess_get_get_cb(ctx);
    null = f == NULL;
    for (int i = 0; i < NSLOTS; i++)
      if (f == get_fns[i]) k = i;
  }
  if (null) {
    buf_str(&r->ret, "{\"t\":\"callback\",\"v\":null}");
  } else if (k < 0 || cb_names[kind][k] == NULL) {
    fail(r, "the library returned a callback the driver never installed");
  } else {
    buf_str(&r->ret, "{\"t\":\"callback\",\"v\":");
    buf_json_string(&r->ret, cb_names[kind][k]);
    buf_str(&r->ret, "}");
  }
}

/* Performs the call object `call`, filling `r`. */
static void perform(const jparser *ps, int call, result_t *r) {
  const char *fn = str_field(ps, call, "fn", NULL);
  if (fn == NULL) {
    fail(r, "field \"call.fn\": expected a string");
    return;
  }
  session_t *s;
  ctx_t *c;
  int was_null;
  long v;

  if (strcmp(fn, "SSL_SESSION_new") == 0) {
    SSL_SESSION *p = SSL_SESSION_new();
    if (p == NULL) FAIL("SSL_SESSION_new returned NULL");
    grow_sessions();
    size_t n = ++ns;
    S[n].p = p;
    S[n].refs = 1;
    S[n].live = 1;
    if (SSL_SESSION_set_ex_data(p, ex_index, (void *)(uintptr_t)n) != 1)
      FAIL("SSL_SESSION_set_ex_data failed");
    buf_printf(&r->ret, "{\"t\":\"session\",\"v\":\"s%zu\"}", n);
    r->has_now = 1;
    r->now = (long)SSL_SESSION_get_time(p);
  } else if (strcmp(fn, "SSL_SESSION_set1_id") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    const char *hex = str_field(ps, call, "id", NULL);
    size_t len = hex == NULL ? 1 : strlen(hex);
    if (hex == NULL || len % 2 != 0) FAIL("field \"call.id\": expected a hex string");
    unsigned char *bytes = malloc(len / 2 + 1);
    if (bytes == NULL) die("out of memory");
    for (size_t i = 0; i < len / 2; i++) {
      int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
      if (hi < 0 || lo < 0) {
        free(bytes);
        FAIL("field \"call.id\": expected a hex string");
      }
      bytes[i] = (unsigned char)(hi * 16 + lo);
    }
    ret_int(r, SSL_SESSION_set1_id(s->p, bytes, (unsigned int)(len / 2)));
    free(bytes);
  } else if (strcmp(fn, "SSL_SESSION_set_time") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    v = long_arg(ps, call, "t", r);
    if (r->error) return;
    long got = (long)SSL_SESSION_set_time(s->p, v);
#ifdef PLANTED_BUG
    got = 1; /* the planted bug: the library returns its argument (§SESS-3) */
#endif
    ret_int(r, got);
  } else if (strcmp(fn, "SSL_SESSION_set_timeout") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    v = long_arg(ps, call, "t", r);
    if (r->error) return;
    ret_int(r, (long)SSL_SESSION_set_timeout(s->p, v));
  } else if (strcmp(fn, "SSL_SESSION_get_time") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    ret_int(r, (long)SSL_SESSION_get_time(s->p));
  } else if (strcmp(fn, "SSL_SESSION_get_timeout") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    ret_int(r, (long)SSL_SESSION_get_timeout(s->p));
  } else if (strcmp(fn, "SSL_SESSION_up_ref") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    int ok = SSL_SESSION_up_ref(s->p);
    if (ok == 1) s->refs++;
    ret_int(r, ok);
  } else if (strcmp(fn, "SSL_SESSION_is_resumable") == 0) {
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    ret_int(r, SSL_SESSION_is_resumable(s->p));
  } else if (strcmp(fn, "SSL_SESSION_free") == 0) {
    s = session_arg(ps, call, "s", r, 1, &was_null);
    if (r->error) return;
    if (was_null) {
      SSL_SESSION_free(NULL);
    } else {
      s->refs--;
      SSL_SESSION_free(s->p);
    }
    ret_void(r);
  } else if (strcmp(fn, "SSL_CTX_new") == 0) {
    SSL_CTX *p = SSL_CTX_new(TLS_method());
    if (p == NULL) FAIL("SSL_CTX_new returned NULL");
    grow_ctxs();
    size_t n = ++nc;
    C[n].p = p;
    C[n].live = 1;
    buf_printf(&r->ret, "{\"t\":\"ctx\",\"v\":\"c%zu\"}", n);
  } else if (strcmp(fn, "SSL_CTX_free") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    SSL_CTX_free(c->p); /* the flush inside reports through the context, still live here */
    c->live = 0;
    ret_void(r);
  } else if (strcmp(fn, "SSL_CTX_add_session") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    if ((s = session_arg(ps, call, "s", r, 0, NULL)) == NULL) return;
    long mode = SSL_CTX_get_session_cache_mode(c->p);
    ret_int(r, SSL_CTX_add_session(c->p, s->p));
    r->has_now = 1;
    r->now = (mode & SSL_SESS_CACHE_UPDATE_TIME) != 0 && s->live ? (long)SSL_SESSION_get_time(s->p)
                                                                 : (long)time(NULL);
  } else if (strcmp(fn, "SSL_CTX_remove_session") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    s = session_arg(ps, call, "s", r, 1, &was_null);
    if (r->error) return;
    ret_int(r, SSL_CTX_remove_session(c->p, was_null ? NULL : s->p));
  } else if (strcmp(fn, "SSL_CTX_flush_sessions") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    v = long_arg(ps, call, "t", r);
    if (r->error) return;
    SSL_CTX_flush_sessions(c->p, v);
    ret_void(r);
  } else if (strcmp(fn, "SSL_CTX_sess_set_cache_size") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    v = long_arg(ps, call, "size", r);
    if (r->error) return;
    ret_int(r, SSL_CTX_sess_set_cache_size(c->p, v));
  } else if (strcmp(fn, "SSL_CTX_sess_get_cache_size") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    ret_int(r, SSL_CTX_sess_get_cache_size(c->p));
  } else if (strcmp(fn, "SSL_CTX_sess_number") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    ret_int(r, SSL_CTX_sess_number(c->p));
  } else if (strcmp(fn, "SSL_CTX_set_session_cache_mode") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    v = long_arg(ps, call, "mode", r);
    if (r->error) return;
    ret_int(r, SSL_CTX_set_session_cache_mode(c->p, v));
  } else if (strcmp(fn, "SSL_CTX_get_session_cache_mode") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    ret_int(r, SSL_CTX_get_session_cache_mode(c->p));
  } else if (strcmp(fn, "SSL_CTX_set_timeout") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    v = long_arg(ps, call, "t", r);
    if (r->error) return;
    ret_int(r, SSL_CTX_set_timeout(c->p, v));
  } else if (strcmp(fn, "SSL_CTX_get_timeout") == 0) {
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    ret_int(r, SSL_CTX_get_timeout(c->p));
  } else if (strncmp(fn, "SSL_CTX_sess_set_", 17) == 0 || strncmp(fn, "SSL_CTX_sess_get_", 17) == 0) {
    const char *what = fn + 17;
    int kind = strcmp(what, "new_cb") == 0      ? CB_NEW
               : strcmp(what, "remove_cb") == 0 ? CB_REMOVE
               : strcmp(what, "get_cb") == 0    ? CB_GET
                                                : -1;
    if (kind < 0) FAIL("unknown function %s", fn);
    if ((c = ctx_arg(ps, call, r)) == NULL) return;
    if (fn[13] == 'g') {
      get_callback(c->p, kind, r);
      return;
    }
    int is_null = 0;
    const char *name = str_field(ps, call, "cb", &is_null);
    if (name == NULL && !is_null) FAIL("field \"call.cb\": expected a string or null");
    set_callback(c->p, kind, name, r);
  } else {
    for (size_t i = 0; i < sizeof STATS / sizeof STATS[0]; i++) {
      if (strcmp(fn, STATS[i].fn) != 0) continue;
      if ((c = ctx_arg(ps, call, r)) == NULL) return;
      ret_int(r, SSL_CTX_ctrl(c->p, STATS[i].ctrl, 0, NULL));
      return;
    }
    fail(r, "unknown function %s", fn);
  }
}

/* Frees every context, then every session reference the driver holds; numbering restarts. */
static void reset_all(void) {
  reporting = 0;
  for (size_t i = 1; i <= nc; i++) {
    if (C[i].live) SSL_CTX_free(C[i].p);
    C[i].live = 0;
  }
  for (size_t n = 1; n <= ns; n++) {
    while (S[n].live && S[n].refs > 0) {
      S[n].refs--;
      SSL_SESSION_free(S[n].p);
    }
  }
  ns = 0;
  nc = 0;
  reporting = 1;
}

/* ---------------------------------------------------------------- the main loop */

static void send_line(buf_t *out) {
  buf_str(out, "\n");
  if (fwrite(out->p, 1, out->n, stdout) != out->n || fflush(stdout) != 0) {
    reset_all();
    exit(0); /* the oracle went away */
  }
  out->n = 0;
}

/* A message id: a positive integer written as a JSON number. */
static long long message_id(const jparser *ps, int msg) {
  int v = jget(ps, msg, "id");
  if (v < 0 || ps->nodes[v].t != J_NUM) return -1;
  const char *s = ps->nodes[v].s;
  if (s[0] < '1' || s[0] > '9' || strlen(s) > 15) return -1;
  for (const char *q = s; *q != '\0'; q++)
    if (*q < '0' || *q > '9') return -1;
  return strtoll(s, NULL, 10);
}

int main(void) {
  ex_index = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_SESSION, 0, NULL, NULL, NULL, on_free);
  const char *version = OpenSSL_version(OPENSSL_VERSION);
  int greeted = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t got;
  buf_t out = {0};
  jparser *ps = malloc(sizeof *ps);
  if (ps == NULL) die("out of memory");
  char *arena = NULL;
  size_t arena_cap = 0;

  while ((got = getline(&line, &cap, stdin)) > 0) {
    while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
    size_t blank = strspn(line, " \t");
    if (line[blank] == '\0') continue;
    if ((size_t)got + 1 > arena_cap) {
      arena_cap = (size_t)got + 1;
      arena = realloc(arena, arena_cap);
      if (arena == NULL) die("out of memory");
    }
    ps->p = line;
    ps->arena = arena;
    ps->an = 0;
    ps->nn = 0;
    ps->err = NULL;
    int msg = parse_value(ps, 0);
    if (msg >= 0) {
      skip_ws(ps);
      if (*ps->p != '\0') ps->err = "trailing characters";
    }
    if (msg < 0 || ps->err != NULL || ps->nodes[msg].t != J_OBJ) {
      fprintf(stderr, "driver: not a JSON object (%s): %.80s\n", ps->err ? ps->err : "not an object", line);
      reset_all();
      return 2;
    }
    if (!greeted) {
      int h = jget(ps, msg, "hello");
      if (h < 0 || ps->nodes[h].t != J_NUM || strcmp(ps->nodes[h].s, "1") != 0) {
        buf_printf(&out, "{\"hello\":%d,\"error\":\"unsupported protocol version (this driver speaks %d)\"}",
                   PROTOCOL, PROTOCOL);
        send_line(&out);
        return 2;
      }
      greeted = 1;
      buf_printf(&out, "{\"hello\":%d,\"implementation\":", PROTOCOL);
#ifdef PLANTED_BUG
      char name[256];
      snprintf(name, sizeof name, "%s (examples/driver.c with PLANTED_BUG)", version);
      buf_json_string(&out, name);
#else
      buf_json_string(&out, version);
#endif
      if (strncmp(version, "OpenSSL 3.0.", 12) == 0) buf_str(&out, ",\"profile\":\"openssl-3.0\"");
      buf_str(&out, "}");
      send_line(&out);
      continue;
    }
    long long id = message_id(ps, msg);
    if (id < 0) {
      fprintf(stderr, "driver: message without a positive integer \"id\": %.80s\n", line);
      reset_all();
      return 2;
    }
    int reset = jget(ps, msg, "reset");
    if (reset >= 0) {
      reset_all();
      buf_printf(&out, "{\"id\":%lld,\"reset\":true}", id);
      send_line(&out);
      continue;
    }
    int call = jget(ps, msg, "call");
    if (call < 0 || ps->nodes[call].t != J_OBJ) {
      buf_printf(&out, "{\"id\":%lld,\"error\":\"field \\\"call\\\": expected a call object\"}", id);
      send_line(&out);
      continue;
    }
    result_t r = {0};
    events.n = 0;
    nevents = 0;
    problem = NULL;
    perform(ps, call, &r);
    if (r.error == NULL && problem != NULL) r.error = problem;
    if (r.error != NULL) {
      buf_printf(&out, "{\"id\":%lld,\"error\":", id);
      buf_json_string(&out, r.error);
      buf_str(&out, "}");
    } else {
      buf_printf(&out, "{\"id\":%lld,\"ret\":%s,\"events\":[%s]", id, r.ret.p, events.n ? events.p : "");
      if (r.has_now) buf_printf(&out, ",\"now\":\"%ld\"", r.now);
      buf_str(&out, "}");
    }
    free(r.ret.p);
    send_line(&out);
  }
  reset_all();
  return 0;
}
