/**
 * The emulation of OpenSSL 1.1.1's session lhash (`src/model/lhash.ts`), by hand-computed
 * cases — the hash, collisions, an expansion and how it redistributes the split chain, a
 * doubling, contractions (including a halving), the doall order, and walks that delete — and
 * by properties comparing the table with a plain `Map` under random inserts and deletes.
 *
 * Ids are written through `id(h)`: the 4-byte little-endian encoding of `h`, so that
 * `sessionHash(id(h)) === h` (an optional suffix adds bytes past the fourth, which the hash
 * ignores: same bucket, different key).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DOWN_LOAD,
  emptyLHash,
  type LHash,
  lhBucketIndex,
  lhChains,
  lhDelete,
  lhDeleteEx,
  lhDoallDelete,
  lhDoallOrder,
  lhFlushWalk,
  lhInsert,
  lhInsertEx,
  lhRetrieve,
  lhSetDownLoad,
  lhStats,
  sessionHash,
  UP_LOAD,
} from '../src/model/lhash.js';

const TLS12 = 0x0303;
const TLS13 = 0x0304;

const id = (h: number, suffix = ''): string =>
  [h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, (h >>> 24) & 0xff]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('') + suffix;

const shape = <V>(t: LHash<V>) => {
  const { numNodes, numAllocNodes, p, pmax, numItems } = lhStats(t);
  return { numNodes, numAllocNodes, p, pmax, numItems };
};

/** Inserts `[idHex, value]` pairs in order, all with version TLS 1.2. */
const build = (entries: readonly (readonly [string, string])[]): LHash<string> =>
  entries.reduce((t, [k, v]) => lhInsert(t, k, TLS12, v), emptyLHash<string>());

/** The hash-3 sessions `t0`…`t{n-1}`: 5-byte ids that share their first four bytes. */
const threes = (n: number): [string, string][] =>
  Array.from({ length: n }, (_, i) => [id(3, i.toString(16).padStart(2, '0')), `t${i}`]);

/** Sixteen sessions with hashes 0, 8, …, 120: all in bucket 0 of the initial 8 buckets. */
const eights: [string, string][] = Array.from({ length: 16 }, (_, k) => [id(8 * k), `h${8 * k}`]);

/**
 * The 33-session table used by several cases, computed by hand:
 * - inserts 1–16 (`eights`) fill bucket 0 in insertion order; no expansion yet, since the
 *   check `512 <= items·256/8` runs before each insert and first holds with 16 items;
 * - inserts 17–33 are `threes(17)`, all hash 3 → bucket 3 throughout (3 % 8 = 3 % 16 = 3);
 * - expansions run before inserts 17, 19, …, 33 (each time `items >= 2·num_nodes`): the first
 *   splits bucket 0 by `hash % 16` (stay: 0,16,…,112; move to bucket 8, reversed:
 *   120,104,…,8), the next seven split the empty buckets 1–7 (bucket 3's hash stays), the
 *   eighth (p = 7) doubles the array (pmax 16, alloc 32, p 0); the ninth, before insert 33,
 *   splits bucket 0 [0,16,…,112] by `hash % 32`: stay 0,32,64,96; move, reversed, to bucket
 *   16: 112,80,48,16.
 */
const table33 = (): LHash<string> => build([...eights, ...threes(17)]);
const h = (...hs: number[]): string[] => hs.map((x) => `h${x}`);
const ts = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => `t${from + i}`);

describe('ssl_session_hash (ssl_lib.c 2988–3006)', () => {
  it('takes the first four bytes little-endian, zero-padding a short id', () => {
    expect(sessionHash('')).toBe(0);
    // Ids of 1, 2, 3 and 4 bytes whose missing bytes would be zero all hash to 1.
    expect(['01', '0100', '010000', '01000000'].map(sessionHash)).toEqual([1, 1, 1, 1]);
    // Little-endian: the fourth byte is the most significant.
    expect(sessionHash('00000001')).toBe(0x01000000);
    expect(sessionHash('deadbeef')).toBe(0xefbeadde);
    // Bytes past the fourth are ignored.
    expect(sessionHash('0102030405060708')).toBe(0x04030201);
    // Only 32 bits can be set: the largest value is 2^32 - 1.
    expect(sessionHash('ff'.repeat(32))).toBe(0xffffffff);
  });

  it('refuses ids that are not lowercase hex of 0–32 bytes', () => {
    expect(() => sessionHash('ABCD')).toThrow(RangeError);
    expect(() => sessionHash('abc')).toThrow(RangeError);
    expect(() => sessionHash('00'.repeat(33))).toThrow(RangeError);
    // The message says what is wrong and quotes the id.
    expect(() => sessionHash('abc')).toThrow('session id must be lowercase hex of 0-32 bytes: "abc"');
  });
});

describe('the initial table (OPENSSL_LH_new, lhash.c 47–74)', () => {
  it('has 8 buckets in use of 16 allocated, loads 512 / 256', () => {
    const t = emptyLHash<string>();
    expect(lhStats(t)).toEqual({
      numNodes: 8,
      numAllocNodes: 16,
      p: 0,
      pmax: 8,
      upLoad: UP_LOAD,
      downLoad: DOWN_LOAD,
      numItems: 0,
    });
    expect(UP_LOAD).toBe(512);
    expect(DOWN_LOAD).toBe(256);
  });
});

describe('collisions and replacement (getrn, OPENSSL_LH_insert)', () => {
  it('chains colliding keys in insertion order and replaces an existing key in place', () => {
    // Hashes 1, 1, 1, 9 → bucket 1 (hash % 8); 1-, 2- and 4-byte ids of equal hash are
    // different keys (ssl_session_cmp compares the length), and so is the same id under
    // another version.
    let t = build([
      ['01', 'a'],
      ['0100', 'b'],
      ['01000000', 'c'],
      ['09000000', 'd'],
    ]);
    t = lhInsert(t, '01000000', TLS13, 'e');
    expect(lhChains(t)[1]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(t.numItems).toBe(5);

    // Same version and id as 'b': the node keeps its place, only the data changes.
    const r = lhInsertEx(t, '0100', TLS12, 'B');
    expect(r.previous).toBe('b');
    expect(lhChains(r.table)[1]).toEqual(['a', 'B', 'c', 'd', 'e']);
    expect(r.table.numItems).toBe(5);
    expect(lhRetrieve(r.table, '0100', TLS12)).toBe('B');
    expect(lhRetrieve(r.table, '0100', TLS13)).toBeUndefined();
    // The old value is untouched: the table is persistent.
    expect(lhChains(t)[1]).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('deletes exactly the matching node of a chain', () => {
    const t = build([
      ['01', 'a'],
      ['0100', 'b'],
      ['09000000', 'd'],
    ]);
    const r = lhDeleteEx(t, '0100', TLS12);
    expect(r.deleted).toBe('b');
    expect(lhChains(r.table)[1]).toEqual(['a', 'd']);
    // An absent key changes nothing (lhash.c 137–139).
    const miss = lhDeleteEx(t, '0100', TLS13);
    expect(miss.deleted).toBeUndefined();
    expect(miss.table).toBe(t);
  });
});

describe('doall order (doall_util_fn, lhash.c 177–202)', () => {
  it('visits buckets from the last down to 0, each chain from its head', () => {
    // Hashes 0..7, one per bucket, then 9 behind 1 in bucket 1.
    const entries: [string, string][] = Array.from({ length: 8 }, (_, k) => [id(k), `h${k}`]);
    const t = build([...entries, [id(9), 'h9']]);
    expect(lhDoallOrder(t)).toEqual(h(7, 6, 5, 4, 3, 2, 1, 9, 0));
  });
});

describe('expansion (expand, lhash.c 214–258)', () => {
  it('splits bucket p before the 17th insert; movers end up reversed in bucket p + pmax', () => {
    const t16 = build(eights);
    expect(shape(t16)).toEqual({ numNodes: 8, numAllocNodes: 16, p: 0, pmax: 8, numItems: 16 });
    expect(lhChains(t16)[0]).toEqual(h(0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120));

    // 16·256/8 = 512 >= up_load: expand first. Bucket 0 is split by hash % 16: the even
    // multiples of 8 stay in order, the odd ones are pushed one by one on the head of
    // bucket 8, so they come out reversed. Then hash 1 goes to 1 % 8 = 1 (not below p = 1).
    const t17 = lhInsert(t16, id(1), TLS12, 'h1');
    expect(shape(t17)).toEqual({ numNodes: 9, numAllocNodes: 16, p: 1, pmax: 8, numItems: 17 });
    const chains = lhChains(t17);
    expect(chains[0]).toEqual(h(0, 16, 32, 48, 64, 80, 96, 112));
    expect(chains[1]).toEqual(h(1));
    expect(chains[8]).toEqual(h(120, 104, 88, 72, 56, 40, 24, 8));
    expect(lhDoallOrder(t17)).toEqual([
      ...h(120, 104, 88, 72, 56, 40, 24, 8),
      'h1',
      ...h(0, 16, 32, 48, 64, 80, 96, 112),
    ]);

    // getrn: hash % pmax, then hash % num_alloc_nodes below p.
    expect(lhBucketIndex(t17, 8)).toBe(8);
    expect(lhBucketIndex(t17, 16)).toBe(0);
    expect(lhBucketIndex(t17, 9)).toBe(1);
    expect(lhRetrieve(t17, id(8), TLS12)).toBe('h8');
  });

  it('expands even when the insert only replaces an existing key', () => {
    // The load check (lhash.c 103) runs before getrn.
    const t = lhInsertEx(build(eights), id(0), TLS12, 'H0');
    expect(t.previous).toBe('h0');
    expect(shape(t.table)).toEqual({ numNodes: 9, numAllocNodes: 16, p: 1, pmax: 8, numItems: 16 });
    expect(lhChains(t.table)[0]).toEqual(['H0', ...h(16, 32, 48, 64, 80, 96, 112)]);
  });

  it('doubles the array when the last bucket of a round is split (31 inserts)', () => {
    // Expansions before inserts 17, 19, …, 31: the eighth has p = 7 = pmax - 1.
    const t = build([...eights, ...threes(15)]);
    expect(shape(t)).toEqual({ numNodes: 16, numAllocNodes: 32, p: 0, pmax: 16, numItems: 31 });
    const t32 = lhInsert(t, id(3, 'ff'), TLS12, 't15');
    expect(t32.numNodes).toBe(16); // 31·256/16 = 496 < 512
  });

  it('builds the 33-session table described above', () => {
    const t = table33();
    expect(shape(t)).toEqual({ numNodes: 17, numAllocNodes: 32, p: 1, pmax: 16, numItems: 33 });
    const chains = lhChains(t);
    expect(chains[0]).toEqual(h(0, 32, 64, 96));
    expect(chains[3]).toEqual(ts(0, 17));
    expect(chains[8]).toEqual(h(120, 104, 88, 72, 56, 40, 24, 8));
    expect(chains[16]).toEqual(h(112, 80, 48, 16));
    expect(lhDoallOrder(t)).toEqual([
      ...h(112, 80, 48, 16),
      ...h(120, 104, 88, 72, 56, 40, 24, 8),
      ...ts(0, 17),
      ...h(0, 32, 64, 96),
    ]);
  });
});

describe('contraction (contract, lhash.c 260–293)', () => {
  it('appends the last bucket to the tail of bucket p once items·256/nodes <= down_load', () => {
    // With 17 buckets a delete contracts when ⌊n·256/17⌋ <= 256, i.e. n <= 17.
    let t = table33();
    for (let i = 0; i < 15; i++) t = lhDelete(t, id(3, i.toString(16).padStart(2, '0')), TLS12);
    expect(shape(t)).toEqual({ numNodes: 17, numAllocNodes: 32, p: 1, pmax: 16, numItems: 18 });
    // A delete of an absent key does not contract (lhash.c 137–139).
    expect(lhDelete(t, id(3, 'ee'), TLS12)).toBe(t);

    // The 16th delete leaves 17 items: p = 1 → 0, bucket 16 (= p + pmax - 1) is emptied and
    // its chain [112,80,48,16] goes behind bucket 0's [0,32,64,96].
    t = lhDelete(t, id(3, '0f'), TLS12);
    expect(shape(t)).toEqual({ numNodes: 16, numAllocNodes: 32, p: 0, pmax: 16, numItems: 17 });
    expect(lhChains(t)[0]).toEqual(h(0, 32, 64, 96, 112, 80, 48, 16));
    expect(lhDoallOrder(t)).toEqual([
      ...h(120, 104, 88, 72, 56, 40, 24, 8),
      't16',
      ...h(0, 32, 64, 96, 112, 80, 48, 16),
    ]);
    expect(lhRetrieve(t, id(16), TLS12)).toBe('h16');

    // 16 buckets is MIN_NODES: no contraction however empty the table gets.
    const t2 = lhDelete(t, id(3, '10'), TLS12);
    expect(t2.numNodes).toBe(16);
  });

  it('halves the array when p is 0 (65 inserts, then deletes)', () => {
    // Hashes 0..64 inserted in order: 25 expansions → 33 buckets, p 1, pmax 32, alloc 64.
    // At the 25th, bucket 0 (hashes ≡ 0 mod 32: 0, 32, 64) was split by hash % 64: 32 went
    // alone to bucket 32.
    let t = emptyLHash<number>();
    for (let x = 0; x <= 64; x++) t = lhInsert(t, id(x), TLS12, x);
    expect(shape(t)).toEqual({ numNodes: 33, numAllocNodes: 64, p: 1, pmax: 32, numItems: 65 });
    expect(lhChains(t)[32]).toEqual([32]);

    // Deleting 64, 63, …, 33: only the last leaves n = 33 <= 33 (⌊33·256/33⌋ = 256) and
    // contracts: bucket 32 ([32]) goes behind bucket 0, p = 0.
    for (let x = 64; x >= 33; x--) t = lhDelete(t, id(x), TLS12);
    expect(shape(t)).toEqual({ numNodes: 32, numAllocNodes: 64, p: 0, pmax: 32, numItems: 33 });
    expect(lhChains(t)[0]).toEqual([0, 32]);

    // Deleting 32 leaves 32 items over 32 buckets (> MIN_NODES): contract with p = 0 halves
    // (alloc 32, pmax 16, p 15) and bucket 31 ([31]; 63 is gone) goes behind bucket 15 ([15]).
    t = lhDelete(t, id(32), TLS12);
    expect(shape(t)).toEqual({ numNodes: 31, numAllocNodes: 32, p: 15, pmax: 16, numItems: 32 });
    expect(lhChains(t)[15]).toEqual([15, 31]);

    // The next delete contracts again without halving: p 15 → 14, bucket 30 behind bucket 14.
    t = lhDelete(t, id(0), TLS12);
    expect(shape(t)).toEqual({ numNodes: 30, numAllocNodes: 32, p: 14, pmax: 16, numItems: 31 });
    expect(lhChains(t)[14]).toEqual([14, 30]);
  });
});

describe('walks that delete (doall with timeout_cb; SSL_CTX_flush_sessions)', () => {
  it('flush: deletions in doall order, no contraction while down_load is 0, down_load restored', () => {
    // Removing the 17 hash-3 sessions leaves 16 over 17 buckets: ⌊16·256/17⌋ = 240 > 0.
    const t = table33();
    const w = lhFlushWalk(t, (v) => v.startsWith('t'));
    expect(w.visited).toEqual(lhDoallOrder(t));
    expect(w.removed).toEqual(ts(0, 17));
    expect(shape(w.table)).toEqual({ numNodes: 17, numAllocNodes: 32, p: 1, pmax: 16, numItems: 16 });
    expect(w.table.downLoad).toBe(DOWN_LOAD);
    // The next ordinary delete contracts at once (⌊15·256/17⌋ = 225 <= 256).
    expect(lhDelete(w.table, id(0), TLS12).numNodes).toBe(16);
  });

  it('flush of everything (SSL_CTX_free): the last delete still contracts, since 0 >= 0', () => {
    const t = table33();
    const w = lhFlushWalk(t, () => true);
    expect(w.removed).toEqual(lhDoallOrder(t));
    expect(shape(w.table)).toEqual({ numNodes: 16, numAllocNodes: 32, p: 0, pmax: 16, numItems: 0 });
    expect(w.table.downLoad).toBe(DOWN_LOAD);
  });

  it('a contraction in mid-walk moves the chain being walked; the walk follows it', () => {
    // With a huge down_load every delete contracts while num_nodes > 16. The walk starts in
    // bucket 16 = [112,80,48,16]; deleting 112 contracts: the rest [80,48,16] is appended to
    // bucket 0. The walk goes on through 80, 48, 16 (next pointers read before the callback),
    // then buckets 15..0 — and meets 80, 48, 16 again at the end of bucket 0.
    const t = lhSetDownLoad(table33(), 1 << 20);
    const w = lhDoallDelete(t, (v) => v === 'h112');
    expect(w.removed).toEqual(['h112']);
    expect(w.visited).toEqual([
      ...h(112, 80, 48, 16),
      ...h(120, 104, 88, 72, 56, 40, 24, 8),
      ...ts(0, 17),
      ...h(0, 32, 64, 96, 80, 48, 16),
    ]);
    expect(shape(w.table)).toEqual({ numNodes: 16, numAllocNodes: 32, p: 0, pmax: 16, numItems: 32 });
  });

  it('a large table emptied by a flush contracts at each of the last deletes (items·256 < nodes)', () => {
    // 1100 sessions: expansions before inserts 17, 19, …, 1099 → 542 of them, 550 buckets
    // (pmax 512, p 38). With down_load 0 a delete contracts when n·256 < 550, i.e. when it
    // leaves n = 2, 1 or 0: three contractions, 547 buckets, p 35. They only move emptied
    // chains, so the deletions keep the doall order.
    let t = emptyLHash<number>();
    for (let x = 0; x < 1100; x++) t = lhInsert(t, id(x), TLS12, x);
    expect(shape(t)).toEqual({ numNodes: 550, numAllocNodes: 1024, p: 38, pmax: 512, numItems: 1100 });
    const w = lhFlushWalk(t, () => true);
    expect(w.removed).toEqual(lhDoallOrder(t));
    expect(shape(w.table)).toEqual({ numNodes: 547, numAllocNodes: 1024, p: 35, pmax: 512, numItems: 0 });
  });
});

describe('a deleting walk leaves the table its deletions leave (OPENSSL_LH_delete, one by one)', () => {
  // The walk runs on a private linked copy; the table it ends with must be the one the same
  // deletions give through `lhDelete`, in the order the walk made them, at the same down_load —
  // contractions, halvings and the chains they append included.
  const sizes = [0, 1, 16, 17, 33, 34, 64, 65, 66, 67, 97, 130, 131, 200];
  const downLoads = [0, DOWN_LOAD, 1 << 20];
  const choices: [string, (x: number) => boolean][] = [
    ['every entry', () => true],
    ['the odd entries', (x) => x % 2 === 1],
    ['every third entry', (x) => x % 3 === 0],
  ];
  for (const n of sizes) {
    it(`${n} entries`, () => {
      let t = emptyLHash<number>();
      for (let x = 0; x < n; x++) t = lhInsert(t, id(x * 7), TLS12, x);
      for (const d of downLoads) {
        for (const [what, remove] of choices) {
          const start = lhSetDownLoad(t, d);
          const w = lhDoallDelete(start, remove);
          const oneByOne = w.removed.reduce((u, x) => lhDelete(u, id(x * 7), TLS12), start);
          const where = `${n} entries, down_load ${d}, removing ${what}`;
          expect(w.removed.length, where).toBe(lhDoallOrder(t).filter(remove).length);
          expect(shape(w.table), where).toEqual(shape(oneByOne));
          expect(lhChains(w.table), where).toEqual(lhChains(oneByOne));
        }
      }
    });
  }
});

/** Random ops on a small id space: heavy collisions, replacements, expansions, contractions. */
const keyArb = fc.record({
  version: fc.constantFrom(TLS12, TLS13),
  idHex: fc
    .array(fc.constantFrom('00', '01', '08', '10', '20', 'ff'), { minLength: 0, maxLength: 5 })
    .map((bs) => bs.join('')),
});
const opArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ del: fc.constant(false), key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ del: fc.constant(true), key: keyArb }) },
);

interface Run {
  table: LHash<number>;
  model: Map<string, number>;
}

const run = (ops: readonly { del: boolean; key: { version: number; idHex: string } }[]): Run => {
  let table = emptyLHash<number>();
  const model = new Map<string, number>();
  ops.forEach(({ del, key }, i) => {
    const k = `${key.version}/${key.idHex}`;
    if (del) {
      table = lhDelete(table, key.idHex, key.version);
      model.delete(k);
    } else {
      table = lhInsert(table, key.idHex, key.version, i);
      model.set(k, i);
    }
  });
  return { table, model };
};

/** The table's contents as a Map, checking every node sits in the bucket getrn would search. */
const contents = (t: LHash<number>): Map<string, number> => {
  const out = new Map<string, number>();
  t.buckets.forEach((chain, i) => {
    for (const n of chain) {
      expect(lhBucketIndex(t, n.hash)).toBe(i);
      expect(n.hash).toBe(sessionHash(n.idHex));
      const k = `${n.version}/${n.idHex}`;
      expect(out.has(k)).toBe(false);
      out.set(k, n.value);
    }
  });
  return out;
};

describe('properties', () => {
  it('holds the same entries as a Map under random inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        const { table, model } = run(ops);
        expect(contents(table)).toEqual(model);
        expect(table.numItems).toBe(model.size);
        expect(table.buckets.size).toBe(table.numNodes);
        expect(table.numNodes).toBe(table.pmax + table.p);
        expect(table.numAllocNodes).toBe(2 * table.pmax);
        expect(table.numNodes).toBeGreaterThanOrEqual(8);
        expect([...lhDoallOrder(table)].sort((a, b) => a - b)).toEqual(
          [...model.values()].sort((a, b) => a - b),
        );
        for (const [k, v] of model) {
          const [version, idHex] = k.split('/') as [string, string];
          expect(lhRetrieve(table, idHex, Number(version))).toBe(v);
        }
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('a flush deletes exactly the chosen entries, in doall order, and keeps the rest', () => {
    // Tables here have far fewer than 256 buckets, so no contraction can happen before the
    // table is empty: the deletions are the doall order filtered.
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), fc.integer({ min: 0, max: 3 }), (ops, m) => {
        const { table } = run(ops);
        const expired = (v: number) => v % 4 === m;
        const w = lhFlushWalk(table, expired);
        expect(w.visited).toEqual(lhDoallOrder(table));
        expect(w.removed).toEqual(lhDoallOrder(table).filter(expired));
        const left = new Map([...contents(table)].filter(([, v]) => !expired(v)));
        expect(contents(w.table)).toEqual(left);
        expect(w.table.numItems).toBe(left.size);
        expect(w.table.downLoad).toBe(table.downLoad);
      }),
      { seed: 2, numRuns: 200 },
    );
  });
});
