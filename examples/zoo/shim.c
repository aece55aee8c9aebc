/*
 * Zoo shims: a shared library with libssl's ABI that forwards every call to the real
 * libssl.so.3 and changes exactly one behaviour, chosen at build time (-DMEMBER_...). It is
 * judged with `session-oracle fuzz --lib <dir>/libssl.so.3`: functions it does not define are
 * found in the real libssl it depends on; the ones it defines reach the real ones through
 * dlsym on the real library's handle. Built by examples/zoo/build-shims.sh.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/ssl.h>

static void *real(const char *name) {
  static void *lib = NULL;
  if (lib == NULL) lib = dlopen(REAL_LIBSSL, RTLD_NOW | RTLD_NOLOAD);
  if (lib == NULL) lib = dlopen(REAL_LIBSSL, RTLD_NOW);
  void *f = lib == NULL ? NULL : dlsym(lib, name);
  if (f == NULL) {
    fprintf(stderr, "zoo shim: cannot reach %s in %s\n", name, REAL_LIBSSL);
    abort();
  }
  return f;
}

#if defined(MEMBER_READD_RETURNS_ONE)
/* §ADD-2: re-adding the identical object reports success (1) instead of 0. */
int SSL_CTX_add_session(SSL_CTX *ctx, SSL_SESSION *s) {
  int (*f)(SSL_CTX *, SSL_SESSION *) = real("SSL_CTX_add_session");
  (void)f(ctx, s);
  return 1;
}
#elif defined(MEMBER_FLUSH_AT_BOUNDARY)
/* §FLUSH-2: a session counts as expired at time + timeout itself (the flush time is moved on). */
void SSL_CTX_flush_sessions(SSL_CTX *ctx, long t) {
  void (*f)(SSL_CTX *, long) = real("SSL_CTX_flush_sessions");
  f(ctx, t == 0 ? 0 : t + 1);
}
#elif defined(MEMBER_CACHE_SIZE_PLUS_ONE)
/* §EVICT-1: capacity off by one — the cache is given one more slot than asked (and reports it). */
long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg) {
  long (*f)(SSL_CTX *, int, long, void *) = real("SSL_CTX_ctrl");
  if (cmd == SSL_CTRL_SET_SESS_CACHE_SIZE && larg > 0) return f(ctx, cmd, larg + 1, parg);
  return f(ctx, cmd, larg, parg);
}
#elif defined(MEMBER_MODE_MASKED)
/* §MODE-1: only the documented mode bits are kept. */
long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg) {
  long (*f)(SSL_CTX *, int, long, void *) = real("SSL_CTX_ctrl");
  if (cmd == SSL_CTRL_SET_SESS_CACHE_MODE) return f(ctx, cmd, larg & 0x7ff, parg);
  return f(ctx, cmd, larg, parg);
}
#elif defined(MEMBER_REMOVE_ONLY_CACHED)
/*
 * §REMOVE-3/§REMOVE-4: an early return when the cache is empty, so removing a session from an
 * empty cache neither marks it non-resumable nor calls the remove callback.
 */
int SSL_CTX_remove_session(SSL_CTX *ctx, SSL_SESSION *s) {
  int (*f)(SSL_CTX *, SSL_SESSION *) = real("SSL_CTX_remove_session");
  if (SSL_CTX_ctrl(ctx, SSL_CTRL_SESS_NUMBER, 0, NULL) == 0) return 0;
  return f(ctx, s);
}
#elif defined(MEMBER_SET_TIME_RETURNS_ONE)
/* §SESS-3: SSL_SESSION_set_time returns 1, as the man page says. */
long SSL_SESSION_set_time(SSL_SESSION *s, long t) {
  long (*f)(SSL_SESSION *, long) = real("SSL_SESSION_set_time");
  (void)f(s, t);
  return 1;
}
#else
#error "choose a member with -DMEMBER_..."
#endif
