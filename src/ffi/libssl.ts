/**
 * Raw koffi binding to a shared library with the OpenSSL ABI (libcrypto + libssl).
 *
 * `loadLibssl` opens libcrypto first, then libssl, by absolute path and with `deep: true`
 * (RTLD_DEEPBIND): the `node` binary exports its own copy of OpenSSL's symbols, and without deep
 * binding the loaded library's internal calls would resolve to node's copy.
 *
 * Every C function is resolved lazily, on its first use, so a library of another OpenSSL version
 * that lacks some symbol can still serve the calls it does have; a missing symbol throws a
 * {@link LibraryError}. Pointers are `bigint` (`0n` is NULL). C `long` values cross as `bigint`
 * in both directions (koffi's `long` is 8 bytes on LP64 and converts exactly: results that fit
 * a double come back as numbers and are widened here, so LONG_MIN..LONG_MAX round-trip).
 *
 * This module only binds; the semantics of commands live in `src/driver/inprocess.ts`.
 *
 * @category ffi
 */

import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import koffi, { type LibraryHandle, type TypeObject } from 'koffi';

/** A C pointer as koffi 3 passes it: a `bigint`, `0n` for NULL. */
export type Ptr = bigint;

/** The library could not be loaded, is not OpenSSL, or lacks a symbol. The message is one line. */
export class LibraryError extends Error {
  override readonly name = 'LibraryError';
  constructor(
    message: string,
    /** The library the error is about. */
    readonly path: string,
    /** The missing symbol, when that is the error. */
    readonly symbol?: string,
  ) {
    super(message);
  }
}

/** Where the two libraries are; either may be left out (see {@link loadLibssl}). */
export interface LibsslPaths {
  readonly libssl?: string;
  readonly libcrypto?: string;
}

export const DEFAULT_LIBCRYPTO = '/usr/lib/x86_64-linux-gnu/libcrypto.so.3';
export const DEFAULT_LIBSSL = '/usr/lib/x86_64-linux-gnu/libssl.so.3';

/** `SSL_CTX_ctrl` command numbers for the cache macros (from `ssl.h`). */
export const CTRL = {
  SESS_NUMBER: 20,
  SESS_CONNECT: 21,
  SESS_CONNECT_GOOD: 22,
  SESS_CONNECT_RENEGOTIATE: 23,
  SESS_ACCEPT: 24,
  SESS_ACCEPT_GOOD: 25,
  SESS_ACCEPT_RENEGOTIATE: 26,
  SESS_HIT: 27,
  SESS_CB_HIT: 28,
  SESS_MISSES: 29,
  SESS_TIMEOUTS: 30,
  SESS_CACHE_FULL: 31,
  SET_SESS_CACHE_SIZE: 42,
  GET_SESS_CACHE_SIZE: 43,
  SET_SESS_CACHE_MODE: 44,
  GET_SESS_CACHE_MODE: 45,
} as const;

/** `SSL_ctrl` command numbers (from `ssl.h`). */
export const SSL_CTRL = { SET_MAX_PROTO_VERSION: 124 } as const;
/** `BIO_ctrl` command numbers (from `bio.h`). */
export const BIO_CTRL = { RESET: 1, PENDING: 10 } as const;
/** `TLS1_2_VERSION`. */
export const TLS1_2_VERSION = 0x303n;
/** `TLS1_3_VERSION`. */
export const TLS1_3_VERSION = 0x304n;
/** `SSL_OP_NO_TICKET`. */
export const SSL_OP_NO_TICKET = 1n << 14n;
/** `SSL_get_error` results the handshake loop tells apart. */
export const SSL_ERROR = { NONE: 0, SSL: 1, WANT_READ: 2, WANT_WRITE: 3, SYSCALL: 5 } as const;

/** `CRYPTO_EX_INDEX_SSL_SESSION`, the ex_data class of `SSL_SESSION`. */
export const CRYPTO_EX_INDEX_SSL_SESSION = 2;
/** `SSL_SESS_CACHE_UPDATE_TIME`. */
export const SSL_SESS_CACHE_UPDATE_TIME = 0x400n;

/** `void CRYPTO_EX_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)` */
export const EX_FREE_PROTO = koffi.proto('void', ['void *', 'void *', 'void *', 'int', 'long', 'void *']);
/** `void CRYPTO_EX_new(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)` */
export const EX_NEW_PROTO = koffi.proto('void', ['void *', 'void *', 'void *', 'int', 'long', 'void *']);
/** `int CRYPTO_EX_dup(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl, void *argp)` */
export const EX_DUP_PROTO = koffi.proto('int', ['void *', 'void *', 'void *', 'int', 'long', 'void *']);
/** `int (*GEN_SESSION_CB)(SSL *ssl, unsigned char *id, unsigned int *id_len)` */
export const GEN_ID_PROTO = koffi.proto('int', ['void *', 'void *', 'void *']);
/** `void (*remove_session_cb)(SSL_CTX *ctx, SSL_SESSION *sess)` */
export const REMOVE_CB_PROTO = koffi.proto('void', ['void *', 'void *']);
/** `int (*new_session_cb)(SSL *ssl, SSL_SESSION *sess)` */
export const NEW_CB_PROTO = koffi.proto('int', ['void *', 'void *']);
/** `SSL_SESSION *(*get_session_cb)(SSL *ssl, const unsigned char *data, int len, int *copy)` */
export const GET_CB_PROTO = koffi.proto('void *', ['void *', 'void *', 'int', 'void *']);

/** Registers a JavaScript function as a C function pointer of type `proto` (kept alive until unregistered). */
export const registerCallback = (fn: (...args: never[]) => unknown, proto: TypeObject): Ptr =>
  koffi.register(fn, koffi.pointer(proto));

type KoffiFunction = ReturnType<LibraryHandle['func']>;
type Which = 'ssl' | 'crypto';

/** koffi returns NULL pointers as `null` and others as `bigint`. */
const toPtr = (v: unknown): Ptr => (typeof v === 'bigint' ? v : 0n);
/** koffi returns 64-bit integers as `number` when they fit a double exactly, else as `bigint`. */
const toBig = (v: unknown): bigint => {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  throw new TypeError(`expected an integer from the library, got ${String(v)}`);
};
const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

/** A loaded libcrypto + libssl pair. Methods are named and typed after the C functions. */
export class Libssl {
  /** `OpenSSL_version(OPENSSL_VERSION)`, e.g. `OpenSSL 3.0.19 27 Jan 2026`. */
  readonly version: string;
  private readonly fns = new Map<string, KoffiFunction>();
  private initialised = false;

  private constructor(
    readonly libcryptoPath: string,
    readonly libsslPath: string,
    private readonly crypto: LibraryHandle,
    private readonly ssl: LibraryHandle,
  ) {
    const hasVersion = this.has('crypto', 'OpenSSL_version', 'str', ['int']);
    if (!hasVersion && !this.has('crypto', 'SSLeay_version', 'str', ['int'])) {
      throw new LibraryError(
        `not an OpenSSL libcrypto (no OpenSSL_version): ${libcryptoPath}`,
        libcryptoPath,
      );
    }
    if (!this.has('ssl', 'SSL_CTX_new', 'void *', ['void *'])) {
      throw new LibraryError(`not an OpenSSL libssl (no SSL_CTX_new): ${libsslPath}`, libsslPath);
    }
    const v = this.fn('crypto', hasVersion ? 'OpenSSL_version' : 'SSLeay_version', 'str', ['int'])(0);
    this.version = typeof v === 'string' ? v : '';
  }

  /** Loads the pair; see {@link loadLibssl}. */
  static open(libcryptoPath: string, libsslPath: string): Libssl {
    const crypto = openLibrary(libcryptoPath);
    let ssl: LibraryHandle | undefined;
    try {
      ssl = openLibrary(libsslPath);
      return new Libssl(libcryptoPath, libsslPath, crypto, ssl);
    } catch (e) {
      ssl?.unload();
      crypto.unload();
      throw e;
    }
  }

  /** Resolves (once) and returns a C function. */
  private fn(which: Which, name: string, result: string, args: readonly string[]): KoffiFunction {
    const key = `${which}:${name}`;
    const cached = this.fns.get(key);
    if (cached !== undefined) return cached;
    const path = which === 'ssl' ? this.libsslPath : this.libcryptoPath;
    let f: KoffiFunction;
    try {
      f = (which === 'ssl' ? this.ssl : this.crypto).func(name, result, [...args]);
    } catch {
      throw new LibraryError(`symbol ${name} not found in ${path}`, path, name);
    }
    this.fns.set(key, f);
    return f;
  }

  /** Whether a symbol resolves (resolving it as a side effect). */
  private has(which: Which, name: string, result: string, args: readonly string[]): boolean {
    try {
      this.fn(which, name, result, args);
      return true;
    } catch (e) {
      if (e instanceof LibraryError) return false;
      throw e;
    }
  }

  private ssl_(name: string, result: string, args: readonly string[]): KoffiFunction {
    return this.fn('ssl', name, result, args);
  }

  // ---- libcrypto ----

  CRYPTO_get_ex_new_index(
    classIndex: number,
    argl: bigint,
    argp: Ptr,
    newFn: Ptr,
    dupFn: Ptr,
    freeFn: Ptr,
  ): number {
    const f = this.fn('crypto', 'CRYPTO_get_ex_new_index', 'int', [
      'int',
      'long',
      'void *',
      'void *',
      'void *',
      'void *',
    ]);
    return Number(f(classIndex, argl, argp, newFn, dupFn, freeFn));
  }

  // ---- SSL_SESSION ----

  SSL_SESSION_new(): Ptr {
    return toPtr(this.ssl_('SSL_SESSION_new', 'void *', [])());
  }
  SSL_SESSION_free(s: Ptr): void {
    this.ssl_('SSL_SESSION_free', 'void', ['void *'])(s);
  }
  SSL_SESSION_up_ref(s: Ptr): bigint {
    return toBig(this.ssl_('SSL_SESSION_up_ref', 'int', ['void *'])(s));
  }
  SSL_SESSION_set1_id(s: Ptr, id: Uint8Array, len: number): bigint {
    return toBig(this.ssl_('SSL_SESSION_set1_id', 'int', ['void *', 'void *', 'uint'])(s, id, len));
  }
  SSL_SESSION_set_time(s: Ptr, t: bigint): bigint {
    return toBig(this.ssl_('SSL_SESSION_set_time', 'long', ['void *', 'long'])(s, t));
  }
  SSL_SESSION_get_time(s: Ptr): bigint {
    return toBig(this.ssl_('SSL_SESSION_get_time', 'long', ['void *'])(s));
  }
  SSL_SESSION_set_timeout(s: Ptr, t: bigint): bigint {
    return toBig(this.ssl_('SSL_SESSION_set_timeout', 'long', ['void *', 'long'])(s, t));
  }
  SSL_SESSION_get_timeout(s: Ptr): bigint {
    return toBig(this.ssl_('SSL_SESSION_get_timeout', 'long', ['void *'])(s));
  }
  SSL_SESSION_is_resumable(s: Ptr): bigint {
    return toBig(this.ssl_('SSL_SESSION_is_resumable', 'int', ['void *'])(s));
  }
  SSL_SESSION_set_ex_data(s: Ptr, idx: number, data: Ptr): bigint {
    return toBig(this.ssl_('SSL_SESSION_set_ex_data', 'int', ['void *', 'int', 'void *'])(s, idx, data));
  }
  SSL_SESSION_get_ex_data(s: Ptr, idx: number): Ptr {
    return toPtr(this.ssl_('SSL_SESSION_get_ex_data', 'void *', ['void *', 'int'])(s, idx));
  }

  // ---- SSL_CTX ----

  /** `TLS_method()`, or `SSLv23_method()` (after `SSL_library_init()`) for pre-1.1 libraries. */
  TLS_method(): Ptr {
    try {
      return toPtr(this.ssl_('TLS_method', 'void *', [])());
    } catch (e) {
      if (!(e instanceof LibraryError)) throw e;
      if (!this.initialised) {
        this.ssl_('SSL_library_init', 'int', [])();
        this.initialised = true;
      }
      return toPtr(this.ssl_('SSLv23_method', 'void *', [])());
    }
  }
  SSL_CTX_new(method: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_CTX_new', 'void *', ['void *'])(method));
  }
  SSL_CTX_free(ctx: Ptr): void {
    this.ssl_('SSL_CTX_free', 'void', ['void *'])(ctx);
  }
  SSL_CTX_add_session(ctx: Ptr, s: Ptr): bigint {
    return toBig(this.ssl_('SSL_CTX_add_session', 'int', ['void *', 'void *'])(ctx, s));
  }
  SSL_CTX_remove_session(ctx: Ptr, s: Ptr): bigint {
    return toBig(this.ssl_('SSL_CTX_remove_session', 'int', ['void *', 'void *'])(ctx, s));
  }
  SSL_CTX_flush_sessions(ctx: Ptr, t: bigint): void {
    this.ssl_('SSL_CTX_flush_sessions', 'void', ['void *', 'long'])(ctx, t);
  }
  SSL_CTX_ctrl(ctx: Ptr, cmd: number, larg: bigint, parg: Ptr): bigint {
    return toBig(
      this.ssl_('SSL_CTX_ctrl', 'long', ['void *', 'int', 'long', 'void *'])(ctx, cmd, larg, parg),
    );
  }
  SSL_CTX_set_timeout(ctx: Ptr, t: bigint): bigint {
    return toBig(this.ssl_('SSL_CTX_set_timeout', 'long', ['void *', 'long'])(ctx, t));
  }
  SSL_CTX_get_timeout(ctx: Ptr): bigint {
    return toBig(this.ssl_('SSL_CTX_get_timeout', 'long', ['void *'])(ctx));
  }
  SSL_CTX_sess_set_new_cb(ctx: Ptr, cb: Ptr): void {
    this.ssl_('SSL_CTX_sess_set_new_cb', 'void', ['void *', 'void *'])(ctx, cb);
  }
  SSL_CTX_sess_set_remove_cb(ctx: Ptr, cb: Ptr): void {
    this.ssl_('SSL_CTX_sess_set_remove_cb', 'void', ['void *', 'void *'])(ctx, cb);
  }
  SSL_CTX_sess_set_get_cb(ctx: Ptr, cb: Ptr): void {
    this.ssl_('SSL_CTX_sess_set_get_cb', 'void', ['void *', 'void *'])(ctx, cb);
  }
  SSL_CTX_sess_get_new_cb(ctx: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_CTX_sess_get_new_cb', 'void *', ['void *'])(ctx));
  }
  SSL_CTX_sess_get_remove_cb(ctx: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_CTX_sess_get_remove_cb', 'void *', ['void *'])(ctx));
  }
  SSL_CTX_sess_get_get_cb(ctx: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_CTX_sess_get_get_cb', 'void *', ['void *'])(ctx));
  }
  SSL_CTX_set_session_id_context(ctx: Ptr, sid: Uint8Array, len: number): bigint {
    return toBig(
      this.ssl_('SSL_CTX_set_session_id_context', 'int', ['void *', 'void *', 'uint'])(ctx, sid, len),
    );
  }
  SSL_CTX_set_verify(ctx: Ptr, mode: bigint): void {
    this.ssl_('SSL_CTX_set_verify', 'void', ['void *', 'int', 'void *'])(ctx, Number(mode), 0n);
  }
  SSL_CTX_get_cert_store(ctx: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_CTX_get_cert_store', 'void *', ['void *'])(ctx));
  }

  // ---- SSL ----

  SSL_new(ctx: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_new', 'void *', ['void *'])(ctx));
  }
  SSL_free(ssl: Ptr): void {
    this.ssl_('SSL_free', 'void', ['void *'])(ssl);
  }
  SSL_set_accept_state(ssl: Ptr): void {
    this.ssl_('SSL_set_accept_state', 'void', ['void *'])(ssl);
  }
  SSL_set_connect_state(ssl: Ptr): void {
    this.ssl_('SSL_set_connect_state', 'void', ['void *'])(ssl);
  }
  SSL_ctrl(ssl: Ptr, cmd: number, larg: bigint, parg: Ptr): bigint {
    return toBig(this.ssl_('SSL_ctrl', 'long', ['void *', 'int', 'long', 'void *'])(ssl, cmd, larg, parg));
  }
  SSL_set_options(ssl: Ptr, op: bigint): bigint {
    return toBig(this.ssl_('SSL_set_options', 'uint64', ['void *', 'uint64'])(ssl, op));
  }
  SSL_use_certificate(ssl: Ptr, x509: Ptr): bigint {
    return toBig(this.ssl_('SSL_use_certificate', 'int', ['void *', 'void *'])(ssl, x509));
  }
  SSL_use_PrivateKey(ssl: Ptr, pkey: Ptr): bigint {
    return toBig(this.ssl_('SSL_use_PrivateKey', 'int', ['void *', 'void *'])(ssl, pkey));
  }
  SSL_set_generate_session_id(ssl: Ptr, cb: Ptr): bigint {
    return toBig(this.ssl_('SSL_set_generate_session_id', 'int', ['void *', 'void *'])(ssl, cb));
  }
  SSL_set_bio(ssl: Ptr, rbio: Ptr, wbio: Ptr): void {
    this.ssl_('SSL_set_bio', 'void', ['void *', 'void *', 'void *'])(ssl, rbio, wbio);
  }
  SSL_do_handshake(ssl: Ptr): number {
    return Number(this.ssl_('SSL_do_handshake', 'int', ['void *'])(ssl));
  }
  SSL_get_error(ssl: Ptr, r: number): number {
    return Number(this.ssl_('SSL_get_error', 'int', ['void *', 'int'])(ssl, r));
  }
  SSL_shutdown(ssl: Ptr): bigint {
    return toBig(this.ssl_('SSL_shutdown', 'int', ['void *'])(ssl));
  }
  SSL_clear(ssl: Ptr): bigint {
    return toBig(this.ssl_('SSL_clear', 'int', ['void *'])(ssl));
  }
  SSL_set_session(ssl: Ptr, s: Ptr): bigint {
    return toBig(this.ssl_('SSL_set_session', 'int', ['void *', 'void *'])(ssl, s));
  }
  SSL_get_session(ssl: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_get_session', 'void *', ['void *'])(ssl));
  }
  SSL_get1_session(ssl: Ptr): Ptr {
    return toPtr(this.ssl_('SSL_get1_session', 'void *', ['void *'])(ssl));
  }
  SSL_session_reused(ssl: Ptr): bigint {
    return toBig(this.ssl_('SSL_session_reused', 'int', ['void *'])(ssl));
  }
  SSL_SESSION_get_id(s: Ptr): Uint8Array {
    const len = [0];
    const p = this.ssl_('SSL_SESSION_get_id', 'const uint8_t *', ['void *', '_Out_ uint *'])(s, len);
    const n = len[0] ?? 0;
    if (n === 0 || p === null) return new Uint8Array(0);
    return koffi.decode(p, koffi.array('uint8_t', n)) as Uint8Array;
  }

  // ---- BIO, X509, keys, errors ----

  BIO_new_mem(): Ptr {
    const method = toPtr(this.fn('crypto', 'BIO_s_mem', 'void *', [])());
    return toPtr(this.fn('crypto', 'BIO_new', 'void *', ['void *'])(method));
  }
  BIO_new_mem_buf(buf: Uint8Array): Ptr {
    return toPtr(this.fn('crypto', 'BIO_new_mem_buf', 'void *', ['void *', 'int'])(buf, buf.length));
  }
  BIO_free(b: Ptr): void {
    this.fn('crypto', 'BIO_free', 'int', ['void *'])(b);
  }
  BIO_ctrl(b: Ptr, cmd: number, larg: bigint, parg: Ptr): bigint {
    return toBig(
      this.fn('crypto', 'BIO_ctrl', 'long', ['void *', 'int', 'long', 'void *'])(b, cmd, larg, parg),
    );
  }
  BIO_read(b: Ptr, buf: Uint8Array): number {
    return Number(
      this.fn('crypto', 'BIO_read', 'int', ['void *', '_Out_ uint8_t *', 'int'])(b, buf, buf.length),
    );
  }
  BIO_write(b: Ptr, buf: Uint8Array): number {
    return Number(
      this.fn('crypto', 'BIO_write', 'int', ['void *', 'const uint8_t *', 'int'])(b, buf, buf.length),
    );
  }
  PEM_read_bio_X509(b: Ptr): Ptr {
    return toPtr(
      this.fn('crypto', 'PEM_read_bio_X509', 'void *', ['void *', 'void *', 'void *', 'void *'])(
        b,
        0n,
        0n,
        0n,
      ),
    );
  }
  PEM_read_bio_PrivateKey(b: Ptr): Ptr {
    return toPtr(
      this.fn('crypto', 'PEM_read_bio_PrivateKey', 'void *', ['void *', 'void *', 'void *', 'void *'])(
        b,
        0n,
        0n,
        0n,
      ),
    );
  }
  X509_STORE_add_cert(store: Ptr, x509: Ptr): bigint {
    return toBig(this.fn('crypto', 'X509_STORE_add_cert', 'int', ['void *', 'void *'])(store, x509));
  }
  CRYPTO_get_ex_data(ad: Ptr, idx: number): Ptr {
    return toPtr(this.fn('crypto', 'CRYPTO_get_ex_data', 'void *', ['void *', 'int'])(ad, idx));
  }
  ERR_clear_error(): void {
    this.fn('crypto', 'ERR_clear_error', 'void', [])();
  }
}

let libcTime: KoffiFunction | undefined;
/** The C library's `time(NULL)`: the clock libssl reads (Date.now() may run a few ms ahead of it). */
export const cTime = (): bigint => {
  libcTime ??= koffi.load('libc.so.6').func('time', 'int64', ['void *']);
  return toBig(libcTime(0n));
};

function openLibrary(path: string): LibraryHandle {
  try {
    return koffi.load(path, { deep: true });
  } catch (e) {
    throw new LibraryError(`cannot load ${path}: ${firstLine(e)}`, path);
  }
}

/** The sibling of `path` whose file name has `from` replaced by `to` (`libssl.so.1.1` → `libcrypto.so.1.1`). */
function sibling(path: string, from: string, to: string): string {
  const name = basename(path);
  if (!new RegExp(`^${from}[.-]`).test(name)) {
    throw new LibraryError(`cannot infer the ${to} next to ${path}; give its path explicitly`, path);
  }
  const other = join(dirname(path), to + name.slice(from.length));
  if (!existsSync(other)) throw new LibraryError(`no ${to} next to ${path} (looked for ${other})`, other);
  return other;
}

const loaded = new Map<string, Libssl>();

/**
 * Loads libcrypto, then libssl. With no paths, the system's OpenSSL 3 (`DEFAULT_LIBCRYPTO`,
 * `DEFAULT_LIBSSL`); with only one of them, the other is the file next to it with the matching
 * soname (`libssl.so.1.1` ↔ `libcrypto.so.1.1`). Loading the same pair again returns the same
 * object. Throws {@link LibraryError} when a library does not load or is not OpenSSL.
 */
export function loadLibssl(paths: LibsslPaths = {}): Libssl {
  const given = { ssl: paths.libssl, crypto: paths.libcrypto };
  let libssl: string;
  let libcrypto: string;
  if (given.ssl === undefined && given.crypto === undefined) {
    libcrypto = DEFAULT_LIBCRYPTO;
    libssl = DEFAULT_LIBSSL;
  } else if (given.crypto === undefined) {
    libssl = resolve(given.ssl ?? DEFAULT_LIBSSL);
    libcrypto = sibling(libssl, 'libssl', 'libcrypto');
  } else if (given.ssl === undefined) {
    libcrypto = resolve(given.crypto);
    libssl = sibling(libcrypto, 'libcrypto', 'libssl');
  } else {
    libcrypto = resolve(given.crypto);
    libssl = resolve(given.ssl);
  }
  const key = `${libcrypto}\0${libssl}`;
  const hit = loaded.get(key);
  if (hit !== undefined) return hit;
  const lib = Libssl.open(libcrypto, libssl);
  loaded.set(key, lib);
  return lib;
}
