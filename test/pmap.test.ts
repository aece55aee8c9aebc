/**
 * The rerooted persistent maps (`src/model/pmap.ts`) against plain `Map`s: random programs
 * make versions from any earlier version — one write at a time, or several through a transient
 * (`asMutable(edit)`) — read old versions after newer ones were made (which reroots the family,
 * also in the middle of a transient), and churn a few keys long enough to fork a family. Every
 * version must keep exactly the bindings it was made with.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Edit, PMap, PSortedMap } from '../src/model/pmap.js';

/** A value type with identity, like the model's records (and small numbers, like handles). */
type Val = number | { readonly v: number };

type Cmd =
  | { readonly op: 'set'; readonly from: number; readonly key: number; readonly val: Val }
  | { readonly op: 'delete'; readonly from: number; readonly key: number }
  | {
      readonly op: 'transient';
      readonly from: number;
      readonly writes: readonly { readonly key: number; readonly val: Val | null }[];
      /** Read this earlier version after this many writes (rerooting the transient away). */
      readonly peek: { readonly at: number; readonly version: number } | null;
    }
  | { readonly op: 'churn'; readonly from: number; readonly writes: number; readonly seed: number }
  | { readonly op: 'check'; readonly version: number };

const KEYS = 24;
const key = fc.integer({ min: 0, max: KEYS - 1 });
const val: fc.Arbitrary<Val> = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 0, max: 3 }).map((v) => ({ v })),
);
const version = fc.nat();

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), from: version, key, val }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), from: version, key }) },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('transient' as const),
      from: version,
      writes: fc.array(fc.record({ key, val: fc.option(val, { nil: null }) }), {
        maxLength: 80,
        size: 'max',
      }),
      peek: fc.option(fc.record({ at: fc.nat(), version }), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('churn' as const),
      from: version,
      writes: fc.integer({ min: 1, max: 1500 }),
      seed: fc.nat(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('check' as const), version }) },
);

/** What the test needs of either persistent map. */
interface Adapter<M> {
  empty(): M;
  set(m: M, k: number, v: Val): M;
  delete(m: M, k: number): M;
  asMutable(m: M, e: Edit): M;
  get(m: M, k: number): Val | undefined;
  size(m: M): number;
  /** All bindings, sorted by key. */
  entries(m: M): [number, Val][];
}

const byKey = (a: [number, Val], b: [number, Val]): number => a[0] - b[0];
const refEntries = (r: ReadonlyMap<number, Val>): [number, Val][] => [...r].sort(byKey);

const pmap: Adapter<PMap<number, Val>> = {
  empty: () => PMap.empty(),
  set: (m, k, v) => m.set(k, v),
  delete: (m, k) => m.delete(k),
  asMutable: (m, e) => m.asMutable(e),
  get: (m, k) => m.get(k),
  size: (m) => m.size,
  entries: (m) => {
    const viaEntries = [...m].sort(byKey);
    const keys = [...m.keys()].sort((a, b) => a - b);
    const values = [...m.values()];
    expect(keys).toEqual(viaEntries.map(([k]) => k));
    expect(values.length).toBe(viaEntries.length);
    expect(m.some((_v, k) => k === keys[0])).toBe(keys.length > 0);
    return viaEntries;
  },
};

const psorted: Adapter<PSortedMap<number, Val>> = {
  empty: () => PSortedMap.empty((a: number, b: number) => a - b),
  set: (m, k, v) => m.with(k, v, true),
  delete: (m, k) => m.without(k),
  asMutable: (m, e) => m.asMutable(e),
  get: (m, k) => m.get(k),
  size: (m) => m.size,
  entries: (m) => {
    const keys = m.keysArray();
    const values = m.valuesArray();
    expect([...m.values()]).toEqual(values);
    expect(m.minKey()).toBe(keys[0]);
    return keys.map((k, i) => [k, values[i] as Val]);
  },
};

/** Runs `cmds`, checking every version it reads against its reference; returns the versions. */
const run = <M>(a: Adapter<M>, cmds: readonly Cmd[]): void => {
  const versions: M[] = [a.empty()];
  const refs: Map<number, Val>[] = [new Map()];
  const pick = (i: number): number => i % versions.length;
  const check = (i: number): void => {
    const m = versions[i] as M;
    const r = refs[i] as Map<number, Val>;
    expect(a.size(m)).toBe(r.size);
    expect(a.entries(m)).toEqual(refEntries(r));
    for (let k = 0; k < KEYS; k++) expect(a.get(m, k)).toBe(r.get(k));
  };
  const add = (m: M, r: Map<number, Val>): void => {
    versions.push(m);
    refs.push(r);
  };
  for (const c of cmds) {
    switch (c.op) {
      case 'set': {
        const i = pick(c.from);
        add(a.set(versions[i] as M, c.key, c.val), new Map(refs[i]).set(c.key, c.val));
        break;
      }
      case 'delete': {
        const i = pick(c.from);
        const r = new Map(refs[i]);
        r.delete(c.key);
        add(a.delete(versions[i] as M, c.key), r);
        break;
      }
      case 'transient': {
        const i = pick(c.from);
        const edit = new Edit();
        let m = a.asMutable(versions[i] as M, edit);
        const r = new Map(refs[i]);
        c.writes.forEach((w, n) => {
          if (c.peek !== null && c.peek.at % (c.writes.length + 1) === n) check(pick(c.peek.version));
          if (w.val === null) {
            m = a.delete(m, w.key);
            r.delete(w.key);
          } else {
            m = a.set(m, w.key, w.val);
            r.set(w.key, w.val);
          }
          expect(a.get(m, w.key)).toBe(r.get(w.key));
        });
        edit.close();
        add(m, r);
        break;
      }
      case 'churn': {
        // Many single writes over a few keys: enough history to fork the family.
        const i = pick(c.from);
        let m = versions[i] as M;
        const r = new Map(refs[i]);
        let x = c.seed;
        for (let n = 0; n < c.writes; n++) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const k = x % 4;
          if (x & 0x10000) {
            m = a.set(m, k, n);
            r.set(k, n);
          } else {
            m = a.delete(m, k);
            r.delete(k);
          }
        }
        add(m, r);
        break;
      }
      case 'check':
        check(pick(c.version));
        break;
    }
  }
  // Every version, oldest first and then newest first (rerooting all the way each time).
  for (let i = 0; i < versions.length; i++) check(i);
  for (let i = versions.length - 1; i >= 0; i--) check(i);
};

describe('rerooted persistent maps', () => {
  it('PMap: every version keeps its bindings', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => run(pmap, cmds)),
      { seed: 1, numRuns: 300 },
    );
  });

  it('PSortedMap: every version keeps its bindings, in key order', () => {
    fc.assert(
      fc.property(fc.array(cmd, { maxLength: 60 }), (cmds) => run(psorted, cmds)),
      { seed: 2, numRuns: 300 },
    );
  });

  it('a write of the value already bound, or a delete of an absent key, returns the same version', () => {
    const m = PMap.empty<number, Val>().set(1, 1);
    expect(m.set(1, 1)).toBe(m);
    expect(m.delete(2)).toBe(m);
    const e = PMap.empty<number, Val>();
    expect(e.delete(2)).toBe(e);
  });

  it('iterating a version while an older one is read sees the snapshot taken when it began', () => {
    const a = PMap.empty<number, Val>().set(1, 1).set(2, 2);
    const b = a.set(3, 3).delete(1);
    const seen: [number, Val][] = [];
    for (const entry of b) {
      expect(a.get(1)).toBe(1); // reroots the family at `a` in the middle of the loop
      seen.push(entry);
    }
    expect(seen.sort(byKey)).toEqual([
      [2, 2],
      [3, 3],
    ]);
  });

  it('some() is right when its predicate reads another version of the same family', () => {
    const a = PMap.empty<number, Val>().set(1, 1).set(2, 2);
    const b = a.delete(1).set(3, 3).set(4, 4);
    const visited: number[] = [];
    const found = b.some((_v, k) => {
      visited.push(k);
      expect(a.get(1)).toBe(1);
      return k === 4;
    });
    expect(found).toBe(true);
    expect(b.some((_v, k) => a.get(k) === undefined && k === 1)).toBe(false);
    expect(new Set(visited)).toEqual(new Set([2, 3, 4]));
  });

  it('a write to the shared empty version starts a family of its own', () => {
    const empty = PMap.empty<number, Val>();
    const a = empty.set(1, 1);
    const b = empty.set(1, 2);
    expect([a.get(1), b.get(1), empty.get(1), empty.size]).toEqual([1, 2, undefined, 0]);
  });

  it('a transient edits in place while its edit is live, and is a value once it is closed', () => {
    const base = PMap.empty<number, Val>().set(1, 1);
    const edit = new Edit();
    const t = base.asMutable(edit);
    expect(t.set(2, 2)).toBe(t);
    expect(t.delete(1)).toBe(t);
    edit.close();
    const u = t.set(3, 3);
    expect(u).not.toBe(t);
    expect([...t].sort(byKey)).toEqual([[2, 2]]);
    expect([...base]).toEqual([[1, 1]]);
    expect([...u].sort(byKey)).toEqual([
      [2, 2],
      [3, 3],
    ]);
  });
});
