/**
 * OpenSSL 1.1.1's `OPENSSL_LHASH` as the `SSL_CTX` session cache uses it, as a pure, persistent
 * value: which bucket holds a session, where in its chain, how the table grows and shrinks, and
 * so the exact order in which `lh_SSL_SESSION_doall_TIMEOUT_PARAM` — and with it
 * `SSL_CTX_flush_sessions` and `SSL_CTX_free` — visits the sessions.
 *
 * Sources read (OpenSSL 1.1.1; line numbers are those of these stored copies):
 * - `crypto/lhash/lhash.c`: the 1.1.1 release text ("Copyright 1995-2018", OpenSSL licence,
 *   `lhash_lcl.h`, tsan counters), stored-index file id 682632627, identical in logic to
 *   `jurocha-ms/openssl@6b9776e623ba6eafb8ac8bd1d65155109c1b4a1d` (a 1.1.1 fork, 2019). The
 *   line numbers cited as `lhash.c N–M` are those of id 682632627.
 * - `crypto/lhash/lhash_lcl.h`: `openssl/openssl@0fce95ac053d367dfab1302cc69c8123af4a5fcd`
 *   (field types: `num_nodes`, `num_alloc_nodes`, `p`, `pmax` are `unsigned int`; `up_load`,
 *   `down_load`, `num_items` and each node's `hash` are `unsigned long`).
 * - `include/openssl/lhash.h`: 1.1.1 text ("Copyright 1995-2019", OpenSSL licence), id
 *   1162479305.
 * - `ssl/ssl_lib.c`, `ssl/ssl_sess.c`: `kzalewski/openssl-1.1.1@4e975e3aec06165e760953f6c51a795f3dcfd1a0`.
 *
 * Persistence and cost. The bucket array `b[0 .. num_nodes-1]` is an `immutable` `List` of
 * chains (slots `num_nodes .. num_alloc_nodes-1` are always NULL in C — `expand` zeroes them,
 * `contract` NULLs the one it empties — so they are not stored). A chain is a small array,
 * copied on write. Insert and delete cost O(L + log₃₂ B) for a chain of L nodes among B
 * buckets, plus at most one `expand` (O(L) of the split chain) or one `contract` (O(L) of the
 * two chains it joins); `num_items / num_nodes` stays near 1–2, so L is O(1) on average for
 * ids that spread over the hash. A walk (`lhDoallOrder`, `lhDoallDelete`, `lhFlushWalk`) is
 * O(n + B), like the C loop it mirrors; the deleting walks run on a private linked copy, since
 * a deletion in the middle of a walk can move a chain the walk is still following.
 *
 * @category lhash
 */
import { List } from 'immutable';

/** `lhash.h` 70: loads are kept as `items * 256 / nodes`. */
export const LH_LOAD_MULT = 256;
/** `lhash.c` 38–39: twice the initial number of buckets; no contraction at or below it. */
export const MIN_NODES = 16;
/** `lhash.c` 40: expand when the load reaches 2. */
export const UP_LOAD = 2 * LH_LOAD_MULT;
/** `lhash.c` 41: contract when the load falls to 1. */
export const DOWN_LOAD = LH_LOAD_MULT;
/** `SSL_MAX_SSL_SESSION_ID_LENGTH`: the longest id, in bytes. */
export const MAX_ID_BYTES = 32;

/** One `OPENSSL_LH_NODE`: the stored data with the hash computed when it was inserted. */
export interface LhNode<V> {
  /** `nn->hash`, set once by `OPENSSL_LH_insert` (`lhash.c` 115) and used by `expand`. */
  readonly hash: number;
  /** `SSL_SESSION.ssl_version`: part of the key (`ssl_session_cmp`). */
  readonly version: number;
  /** The session id, lowercase hex, 0–32 bytes: part of the key. */
  readonly idHex: string;
  readonly value: V;
}

/** One bucket's chain, head first (`b[i]`, then `->next`, …). */
export type LhChain<V> = readonly LhNode<V>[];

/** An `OPENSSL_LHASH` (`lhash_lcl.h`), minus the statistics counters, which change nothing. */
export interface LHash<V> {
  /** `b[0 .. num_nodes-1]`. */
  readonly buckets: List<LhChain<V>>;
  readonly numNodes: number;
  readonly numAllocNodes: number;
  /** The next bucket to split. */
  readonly p: number;
  /** Buckets at the start of this doubling round; `num_nodes == pmax + p`, `num_alloc_nodes == 2·pmax`. */
  readonly pmax: number;
  readonly upLoad: number;
  readonly downLoad: number;
  readonly numItems: number;
}

/** The part of the table's state that is not the buckets. */
export type LhStats = Omit<LHash<unknown>, 'buckets'>;

const ID_HEX = /^(?:[0-9a-f]{2}){0,32}$/;

/** Checks an id given as lowercase hex of 0–32 bytes; returns its bytes. */
export const idBytes = (idHex: string): number[] => {
  if (!ID_HEX.test(idHex)) throw new RangeError(`session id must be lowercase hex of 0-32 bytes: "${idHex}"`);
  const out: number[] = [];
  for (let i = 0; i < idHex.length; i += 2) out.push(Number.parseInt(idHex.slice(i, i + 2), 16));
  return out;
};

/**
 * `ssl_session_hash` (`ssl_lib.c` 2988–3006): the first four id bytes, little-endian
 * (`id[0] | id[1] << 8 | id[2] << 16 | id[3] << 24`). An id shorter than 4 bytes is copied
 * into a zeroed 4-byte buffer first (2994–2998), so its missing bytes count as 0; bytes past
 * the fourth are ignored. Each byte is cast to `unsigned long` before its shift, so the value
 * is in [0, 2³²) whatever the width of `unsigned long`: a JS number holds it exactly.
 */
export const sessionHash = (idHex: string): number => {
  const b = idBytes(idHex);
  return (b[0] ?? 0) + (b[1] ?? 0) * 0x100 + (b[2] ?? 0) * 0x10000 + (b[3] ?? 0) * 0x1000000;
};

/**
 * `OPENSSL_LH_new` (`lhash.c` 47–74), as `SSL_CTX_new` calls it (`ssl_lib.c` 3071): a zeroed
 * table (`p = 0`, `num_items = 0`) with `MIN_NODES` allocated slots of which `MIN_NODES / 2`
 * are in use, `pmax = MIN_NODES / 2`, `up_load = 512`, `down_load = 256`.
 */
export const emptyLHash = <V>(): LHash<V> => ({
  buckets: List(Array.from({ length: MIN_NODES / 2 }, (): LhChain<V> => [])),
  numNodes: MIN_NODES / 2,
  numAllocNodes: MIN_NODES,
  p: 0,
  pmax: MIN_NODES / 2,
  upLoad: UP_LOAD,
  downLoad: DOWN_LOAD,
  numItems: 0,
});

/** The table's counters and shape. */
export const lhStats = <V>(t: LHash<V>): LhStats => {
  const { buckets: _buckets, ...rest } = t;
  return rest;
};

/**
 * The bucket `getrn` looks in (`lhash.c` 306–308): `hash % pmax`, or `hash % num_alloc_nodes`
 * when that is below `p` (the bucket was already split in this round).
 */
export const lhBucketIndex = (t: Pick<LhStats, 'p' | 'pmax' | 'numAllocNodes'>, hash: number): number => {
  const nn = hash % t.pmax;
  return nn < t.p ? hash % t.numAllocNodes : nn;
};

/**
 * The key match of `getrn` (`lhash.c` 312–322): a node is skipped unless its stored hash is
 * equal, then `ssl_session_cmp` (`ssl_lib.c` 3015–3022) compares `ssl_version`, then
 * `session_id_length`, then the id bytes — with lowercase hex, equal length and bytes is
 * equal strings.
 */
const matches = <V>(n: LhNode<V>, hash: number, version: number, idHex: string): boolean =>
  n.hash === hash && n.version === version && n.idHex === idHex;

const bucket = <V>(t: LHash<V>, i: number): LhChain<V> => t.buckets.get(i) ?? [];

/** `OPENSSL_LH_retrieve` (`lhash.c` 156–175): the value stored under this key, if any. */
export const lhRetrieve = <V>(t: LHash<V>, idHex: string, version: number): V | undefined => {
  const hash = sessionHash(idHex);
  return bucket(t, lhBucketIndex(t, hash)).find((n) => matches(n, hash, version, idHex))?.value;
};

/**
 * `expand` (`lhash.c` 214–258). With `nni = num_alloc_nodes`, `p`, `pmax` read first: if
 * `p + 1 >= pmax` the array doubles (`pmax = nni`, `num_alloc_nodes = 2·nni`, `p = 0`),
 * otherwise `p` advances (223–238); either way `num_nodes` grows by one (240). Then the old
 * bucket `p` is split into `p` and `p + pmax` (old values; `p + pmax` is the old `num_nodes`,
 * so the new bucket is appended): walking the old chain head first, a node whose
 * `hash % nni != p` is unlinked and pushed on the HEAD of the new chain (248–252), so the
 * nodes that stay keep their order and the nodes that move end up in reverse order.
 */
const expand = <V>(t: LHash<V>): LHash<V> => {
  const nni = t.numAllocNodes;
  const { p, pmax } = t;
  const doubled = p + 1 >= pmax;
  const stay: LhNode<V>[] = [];
  const moved: LhNode<V>[] = [];
  for (const n of bucket(t, p)) {
    if (n.hash % nni !== p) moved.unshift(n);
    else stay.push(n);
  }
  return {
    ...t,
    buckets: t.buckets.set(p, stay).push(moved),
    numNodes: t.numNodes + 1,
    numAllocNodes: doubled ? nni * 2 : nni,
    pmax: doubled ? nni : pmax,
    p: doubled ? 0 : p + 1,
  };
};

/**
 * `contract` (`lhash.c` 260–293): the last bucket (`p + pmax - 1`, i.e. `num_nodes - 1`) is
 * emptied (264–265); if `p == 0` the array halves (`num_alloc_nodes /= 2`, `pmax /= 2`,
 * `p = pmax - 1`, 266–278), otherwise `p` steps back (279–280); `num_nodes` shrinks by one
 * (282); and the emptied chain is appended, in its order, to the TAIL of bucket `p` (the new
 * value, 285–292). (If the shrinking `realloc` fails, 1.1.1 returns at 272 having already
 * NULLed the last bucket, losing its nodes; an out-of-memory path the model leaves out.)
 */
const contract = <V>(t: LHash<V>): LHash<V> => {
  const last = bucket(t, t.numNodes - 1);
  const halved = t.p === 0;
  const pmax = halved ? t.pmax / 2 : t.pmax;
  const p = halved ? pmax - 1 : t.p - 1;
  const buckets = t.buckets.pop();
  return {
    ...t,
    buckets: last.length === 0 ? buckets : buckets.set(p, [...(buckets.get(p) ?? []), ...last]),
    numNodes: t.numNodes - 1,
    numAllocNodes: halved ? t.numAllocNodes / 2 : t.numAllocNodes,
    pmax,
    p,
  };
};

/** `items * LH_LOAD_MULT / nodes` in `unsigned long` arithmetic (truncating division). */
const load = (numItems: number, numNodes: number): number => Math.floor((numItems * LH_LOAD_MULT) / numNodes);

/** What `lhInsertEx` did. */
export interface LhInsertResult<V> {
  readonly table: LHash<V>;
  /** The value replaced in place (`OPENSSL_LH_insert`'s return), or undefined for a new node. */
  readonly previous: V | undefined;
}

/**
 * `OPENSSL_LH_insert` (`lhash.c` 96–126), as `SSL_CTX_add_session` calls it (`ssl_sess.c` 672).
 * First, BEFORE looking the key up, the table expands once if `up_load <= items·256/nodes`
 * (103) — so even an insert that only replaces can split a bucket. Then `getrn` (106) finds
 * the key's node, or the NULL link at the end of its chain: a new key becomes a new node at
 * the TAIL of its bucket's chain and `num_items` grows (108–119); an existing key keeps its
 * node and place, and only the node's data is replaced (120–124).
 */
export const lhInsertEx = <V>(t0: LHash<V>, idHex: string, version: number, value: V): LhInsertResult<V> => {
  const hash = sessionHash(idHex);
  const t = t0.upLoad <= load(t0.numItems, t0.numNodes) ? expand(t0) : t0;
  const i = lhBucketIndex(t, hash);
  const chain = bucket(t, i);
  const at = chain.findIndex((n) => matches(n, hash, version, idHex));
  if (at >= 0) {
    const old = chain[at]!;
    const replaced = chain.slice();
    replaced[at] = { ...old, value };
    return { table: { ...t, buckets: t.buckets.set(i, replaced) }, previous: old.value };
  }
  const node: LhNode<V> = { hash, version, idHex, value };
  return {
    table: { ...t, buckets: t.buckets.set(i, [...chain, node]), numItems: t.numItems + 1 },
    previous: undefined,
  };
};

/** `OPENSSL_LH_insert`: the new table (see `lhInsertEx`). */
export const lhInsert = <V>(t: LHash<V>, idHex: string, version: number, value: V): LHash<V> =>
  lhInsertEx(t, idHex, version, value).table;

/** What `lhDeleteEx` did. */
export interface LhDeleteResult<V> {
  readonly table: LHash<V>;
  /** The value removed (`OPENSSL_LH_delete`'s return), or undefined when the key was absent. */
  readonly deleted: V | undefined;
}

/**
 * `OPENSSL_LH_delete` (`lhash.c` 128–154): `getrn` finds the key's node (135); if there is
 * none nothing changes — no contraction either (137–139). Otherwise that node is unlinked
 * (141–142), `num_items` shrinks, and the table contracts once if it has more than
 * `MIN_NODES` buckets and `down_load >= items·256/nodes` (148–151).
 */
export const lhDeleteEx = <V>(t: LHash<V>, idHex: string, version: number): LhDeleteResult<V> => {
  const hash = sessionHash(idHex);
  const i = lhBucketIndex(t, hash);
  const chain = bucket(t, i);
  const at = chain.findIndex((n) => matches(n, hash, version, idHex));
  if (at < 0) return { table: t, deleted: undefined };
  const removed = chain.slice();
  const [node] = removed.splice(at, 1);
  const after: LHash<V> = { ...t, buckets: t.buckets.set(i, removed), numItems: t.numItems - 1 };
  const table =
    after.numNodes > MIN_NODES && after.downLoad >= load(after.numItems, after.numNodes)
      ? contract(after)
      : after;
  return { table, deleted: node!.value };
};

/** `OPENSSL_LH_delete`: the new table (see `lhDeleteEx`). */
export const lhDelete = <V>(t: LHash<V>, idHex: string, version: number): LHash<V> =>
  lhDeleteEx(t, idHex, version).table;

/** `OPENSSL_LH_get_down_load` (`lhash.c` 380–383). */
export const lhGetDownLoad = <V>(t: LHash<V>): number => t.downLoad;

/** `OPENSSL_LH_set_down_load` (`lhash.c` 385–388): changes the threshold only; nothing moves. */
export const lhSetDownLoad = <V>(t: LHash<V>, downLoad: number): LHash<V> => ({ ...t, downLoad });

/**
 * `doall_util_fn` (`lhash.c` 177–202) without deletions: buckets from `num_nodes - 1` DOWN
 * to 0 (191), each chain from its head (192–199). The values in visiting order.
 */
export const lhDoallOrder = <V>(t: LHash<V>): V[] => {
  const out: V[] = [];
  for (let i = t.numNodes - 1; i >= 0; i--) for (const n of bucket(t, i)) out.push(n.value);
  return out;
};

/** Each bucket's chain of values, bucket 0 first, head first. */
export const lhChains = <V>(t: LHash<V>): V[][] => t.buckets.toArray().map((c) => c.map((n) => n.value));

/** The outcome of a walk whose callback may delete the visited entry. */
export interface LhWalk<V> {
  /** Every callback invocation, in order (an entry moved by a contraction may be seen twice). */
  readonly visited: readonly V[];
  /** The entries the callback deleted, in order. */
  readonly removed: readonly V[];
  readonly table: LHash<V>;
}

/** The key of a visited entry, as the callback's `lh_…_delete(cache, s)` looks it up. */
export interface LhEntryKey {
  readonly version: number;
  readonly idHex: string;
}

interface Cell<V> {
  readonly node: LhNode<V>;
  next: Cell<V> | null;
}

interface Shape {
  numNodes: number;
  numAllocNodes: number;
  p: number;
  pmax: number;
  numItems: number;
}

/**
 * A walk in which the callback may delete the entry it is shown, exactly as
 * `doall_util_fn` (`lhash.c` 177–202) runs `timeout_cb` (`ssl_sess.c` 1070–1084): `i` starts
 * at `num_nodes - 1` (read once) and counts down to 0; `a = b[i]` is read when bucket `i` is
 * reached; for each node the next pointer is read BEFORE the callback (194), so deleting the
 * visited node itself is safe. A deletion is a full `OPENSSL_LH_delete` with the table's
 * current `down_load`, so it may `contract`: the last bucket's chain — possibly the very
 * chain being walked, or one not yet reached — is appended to the tail of bucket `p`, and the
 * walk follows the pointers wherever they now lead. This is why the walk runs on a private
 * linked copy. A slot at or past `num_nodes` is NULL in C (`expand` zeroes, `contract` NULLs),
 * so an `i` left above a shrunk table sees an empty bucket; past a halving `realloc` that read
 * is out of bounds in C (undefined behaviour that in practice reads the stale NULL), which
 * the model also takes as empty.
 */
export const lhDoallDelete = <V>(t: LHash<V>, remove: (value: V, key: LhEntryKey) => boolean): LhWalk<V> => {
  const b: (Cell<V> | null)[] = new Array<Cell<V> | null>(t.numAllocNodes).fill(null);
  for (let i = 0; i < t.numNodes; i++) {
    let tail: Cell<V> | null = null;
    for (const node of bucket(t, i)) {
      const cell: Cell<V> = { node, next: null };
      if (tail === null) b[i] = cell;
      else tail.next = cell;
      tail = cell;
    }
  }
  const s: Shape = {
    numNodes: t.numNodes,
    numAllocNodes: t.numAllocNodes,
    p: t.p,
    pmax: t.pmax,
    numItems: t.numItems,
  };

  const appendTo = (i: number, chain: Cell<V> | null): void => {
    let n1 = b[i] ?? null;
    if (n1 === null) {
      b[i] = chain;
      return;
    }
    while (n1.next !== null) n1 = n1.next;
    n1.next = chain;
  };
  // `contract`, lhash.c 260–293, on the linked copy.
  const contractCells = (): void => {
    const last = s.p + s.pmax - 1;
    const np = b[last] ?? null;
    b[last] = null;
    if (s.p === 0) {
      b.length = s.pmax; // realloc to pmax slots
      s.numAllocNodes /= 2;
      s.pmax /= 2;
      s.p = s.pmax - 1;
    } else s.p--;
    s.numNodes--;
    appendTo(s.p, np);
  };
  // `OPENSSL_LH_delete`, lhash.c 128–154, on the linked copy.
  const deleteCell = (node: LhNode<V>): void => {
    const i = lhBucketIndex(s, node.hash);
    let prev: Cell<V> | null = null;
    let cur = b[i] ?? null;
    while (cur !== null && !matches(cur.node, node.hash, node.version, node.idHex)) {
      prev = cur;
      cur = cur.next;
    }
    if (cur === null) return;
    if (prev === null) b[i] = cur.next;
    else prev.next = cur.next;
    s.numItems--;
    if (s.numNodes > MIN_NODES && t.downLoad >= load(s.numItems, s.numNodes)) contractCells();
  };

  const visited: V[] = [];
  const removed: V[] = [];
  for (let i = s.numNodes - 1; i >= 0; i--) {
    let a = b[i] ?? null;
    while (a !== null) {
      const n = a.next;
      const { value, version, idHex } = a.node;
      visited.push(value);
      if (remove(value, { version, idHex })) {
        deleteCell(a.node);
        removed.push(value);
      }
      a = n;
    }
  }

  const chains: LhChain<V>[] = [];
  for (let i = 0; i < s.numNodes; i++) {
    const chain: LhNode<V>[] = [];
    for (let c = b[i] ?? null; c !== null; c = c.next) chain.push(c.node);
    chains.push(chain);
  }
  const table: LHash<V> = { ...t, buckets: List(chains), ...s };
  return { visited, removed, table };
};

/**
 * The hash-table half of `SSL_CTX_flush_sessions` (`ssl_sess.c` 1088–1104), and so of
 * `SSL_CTX_free`, which calls it with `t = 0` before freeing the table (`ssl_lib.c` 3257–3261):
 * the current `down_load` is saved (1099), set to 0 (1100), the table is walked with
 * `timeout_cb` deleting each session it judges expired (1101; 1070–1084), and the saved
 * `down_load` is put back (1102). `remove` is that judgement.
 *
 * With `down_load == 0` a deletion still contracts when `items·256/nodes` truncates to 0
 * with more than `MIN_NODES` buckets, i.e. when `items·256 < nodes` — at the latest when the
 * table empties. The model keeps those contractions; they change the order of the deletions
 * only when fewer than `nodes / 256` sessions remain and a contraction moves a chain not yet
 * reached (so never for tables of at most 256 buckets, i.e. fewer than about 500 sessions).
 */
export const lhFlushWalk = <V>(t: LHash<V>, remove: (value: V, key: LhEntryKey) => boolean): LhWalk<V> => {
  const saved = lhGetDownLoad(t);
  const walk = lhDoallDelete(lhSetDownLoad(t, 0), remove);
  return { ...walk, table: lhSetDownLoad(walk.table, saved) };
};
