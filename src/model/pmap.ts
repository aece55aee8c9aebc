/**
 * Persistent maps for the model's state, rerooted in Baker's style (H. G. Baker, "Shallow
 * binding makes functional arrays fast", 1991; S. Conchon and J.-C. Filliâtre, "A persistent
 * union-find data structure", 2007): one mutable dictionary (a `Map`, or a `sorted-btree` B+
 * tree for the ordered list) is shared by a family of versions. Exactly one version of a
 * family, the root, owns it, and the dictionary holds exactly that version's bindings; every
 * other version is a diff — the bindings of a version nearer the root, with a few keys rebound.
 * Reading or writing a diff first reroots the family at it: the edits on the path are undone
 * in the dictionary and the path's diffs are reversed to point at the new root.
 *
 * So every version stays a valid, unchanging value (stepping twice from one state, holding
 * `before` and `after`, all work), and the way the model is mostly used — each state stepped
 * once, its successor read next — costs a plain `Map`/B+ tree operation and one small object
 * per write, with no path copying and no hashing of our own. Going back to a version d writes
 * away costs O(d), once (after that, d writes forward cost O(d) again).
 *
 * Costs to keep in mind:
 * - a version kept alive keeps alive the diffs between it and the root (each holds the value
 *   it replaced), up to the next fork of its family (below);
 * - iteration takes a snapshot (O(n)), so a family may be rerooted while it is being iterated;
 * - a write to an empty version starts a new family instead of chaining to it, so the shared
 *   empty values (`initialState`, a new context's cache) never hold a history.
 *
 * `asMutable(edit)` gives a transient, like Immutable's `withMutations`: while the `Edit` is
 * live, writes to the version edit it in place, recording in its predecessor's diff what they
 * replaced (the first time only), so one step makes one version per map it writes, however
 * many writes it does. The owner must not let the version escape before `edit.close()`.
 *
 * A family that has recorded more diffs than a few times its size is forked: the next version
 * gets a copy of the dictionary (`Map` copy, or the B+ tree's copy-on-write clone), so a version
 * held for a long time pins a bounded history, as a path-copying map would pin its own nodes.
 *
 * Values must not be `undefined` (it means "absent" in the diffs).
 *
 * @category state
 */
import sortedBtree from 'sorted-btree';

/** The mutable dictionary a family of versions shares. */
interface Store<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
  delete(key: K): unknown;
  readonly size: number;
}

/** Rebinds `key` in `store` (`undefined`: absent). */
const put = <K, V>(store: Store<K, V>, key: K, value: V | undefined): void => {
  if (value === undefined) store.delete(key);
  else store.set(key, value);
};

/**
 * A transaction that may edit versions in place (a transient's owner, like Clojure's `edit`):
 * versions made by `asMutable(edit)` take writes in place while `edit.live`.
 */
export class Edit {
  live = true;
  /** Ends the transaction: every version it made is a value from now on. */
  close(): void {
    this.live = false;
  }
}

/** What the versions of one family share besides the root's dictionary. */
interface Family {
  /** Rebindings recorded in diffs since the family began (a bound on a held version's history). */
  ops: number;
  /** How many times the family was rerooted (the dictionary changed under its readers). */
  reroots: number;
}

/**
 * A family is forked — the new version gets a copy of the dictionary and starts a new family —
 * once it has recorded more rebindings than FORK_FACTOR × the map's size + FORK_MIN. A version
 * kept alive so holds at most that many diffs (besides its own copy of the dictionary), and the
 * copy costs O(1/FORK_FACTOR) per rebinding, amortized.
 */
const FORK_FACTOR = 4;
const FORK_MIN = 1024;
/** Keys an in-place transient dedupes by scanning its log; past this it keeps a `Set`. */
const SCAN_MAX = 16;

/** One version of a family (the shared part of `PMap` and `PSortedMap`). */
abstract class Version<K, V, S extends Store<K, V>> {
  /** The dictionary, when this version is the root; null for a diff. */
  private store: S | null;
  /** For a diff: the version nearer the root it is expressed against. */
  private next: Version<K, V, S> | null = null;
  /**
   * For a diff: key, value, key, value, … rebindings that turn `next`'s bindings into this
   * version's, applied from the last pair to the first. For a transient root: its
   * predecessor's array (or null if it has none), which its in-place writes extend.
   */
  private ops: unknown[] | null = null;
  /** For a transient root: the keys already in `ops`, once there are more than SCAN_MAX. */
  private seen: Set<K> | null = null;
  /** The transaction that may edit this version in place (only while it is the root). */
  private owner: Edit | null = null;
  private count: number;
  private family: Family;

  protected constructor(store: S, count: number, family: Family | null) {
    this.store = store;
    this.count = count;
    this.family = family ?? { ops: 0, reroots: 0 };
  }

  /** A new, empty dictionary of this family's kind. */
  protected abstract emptyStore(): S;
  /** A copy of `store`. */
  protected abstract copyStore(store: S): S;
  /** A new version object of this class owning `store` (in a new family when `family` is null). */
  protected abstract make(store: S, count: number, family: Family | null): this;

  /** The number of bindings. */
  get size(): number {
    return this.count;
  }

  /** This version's dictionary, rerooting the family here first if needed. */
  protected current(): S {
    if (this.store !== null) return this.store;
    const path: Version<K, V, S>[] = [];
    let v: Version<K, V, S> = this;
    while (v.store === null) {
      path.push(v);
      v = v.next as Version<K, V, S>;
    }
    const store = v.store;
    this.family.reroots++;
    // Walk back from the old root, turning each diff into the root and the root into a diff.
    for (let i = path.length - 1; i >= 0; i--) {
      const d = path[i] as Version<K, V, S>;
      const r = d.next as Version<K, V, S>;
      const ops = d.ops as unknown[];
      const back: unknown[] = [];
      for (let j = ops.length - 2; j >= 0; j -= 2) {
        const k = ops[j] as K;
        back.push(k, store.get(k));
        put(store, k, ops[j + 1] as V | undefined);
      }
      // `back` holds the edits in the order they were made; applied from last to first, it
      // undoes them.
      r.store = null;
      r.next = d;
      r.ops = back;
      r.seen = null;
      r.owner = null;
      d.store = store;
      d.next = null;
      d.ops = null;
    }
    return store;
  }

  /** A number that changes whenever the family is rerooted (for iterating in place). */
  protected get reroots(): number {
    return this.family.reroots;
  }

  get(key: K): V | undefined {
    return this.current().get(key);
  }

  has(key: K): boolean {
    return this.current().get(key) !== undefined;
  }

  /** Whether the family has recorded enough history that the next version should fork it. */
  private long(): boolean {
    return this.family.ops > FORK_FACTOR * this.count + FORK_MIN;
  }

  /** This version with `key` bound to `value` (`undefined`: unbound). */
  protected rebind(key: K, value: V | undefined): this {
    const owner = this.owner;
    if (owner?.live && this.store !== null) return this.rebindInPlace(key, value);
    if (this.count === 0) {
      // A new family: an empty version is never chained to (see the module comment).
      if (value === undefined) return this;
      const store = this.emptyStore();
      store.set(key, value);
      return this.make(store, 1, null);
    }
    const store = this.current();
    const old = store.get(key);
    if (old === value) return this;
    const count = this.count + (old === undefined ? 1 : 0) - (value === undefined ? 1 : 0);
    if (this.long()) {
      const copy = this.copyStore(store);
      put(copy, key, value);
      return this.make(copy, count, null);
    }
    put(store, key, value);
    const v = this.make(store, count, this.family);
    this.family.ops++;
    this.store = null;
    this.next = v;
    this.ops = [key, old];
    return v;
  }

  private rebindInPlace(key: K, value: V | undefined): this {
    const store = this.store as S;
    const ops = this.ops;
    if (ops !== null && !this.logged(ops, key)) {
      ops.push(key, store.get(key));
      this.family.ops++;
    }
    put(store, key, value);
    // The root's bindings are exactly the dictionary's.
    this.count = store.size;
    return this;
  }

  /** Whether `key` is already in the transient's log (and, if not, notes that it will be). */
  private logged(ops: unknown[], key: K): boolean {
    const seen = this.seen;
    if (seen !== null) {
      if (seen.has(key)) return true;
      seen.add(key);
      return false;
    }
    for (let j = 0; j < ops.length; j += 2) if (ops[j] === key) return true;
    if (ops.length >= 2 * SCAN_MAX) {
      const all = new Set<K>([key]);
      for (let j = 0; j < ops.length; j += 2) all.add(ops[j] as K);
      this.seen = all;
    }
    return false;
  }

  /**
   * A transient successor owned by `edit`: while `edit.live`, writes to it edit it in place
   * (its own `set`/`delete` return it). This version itself stays as it is.
   */
  asMutable(edit: Edit): this {
    if (this.owner === edit && edit.live && this.store !== null) return this;
    let v: this;
    if (this.count === 0) v = this.make(this.emptyStore(), 0, null);
    else if (this.long()) v = this.make(this.copyStore(this.current()), this.count, null);
    else {
      const store = this.current();
      const ops: unknown[] = [];
      v = this.make(store, this.count, this.family);
      v.ops = ops;
      this.store = null;
      this.next = v;
      this.ops = ops;
      this.seen = null;
    }
    v.owner = edit;
    return v;
  }
}

/** A persistent hash map with the part of Immutable's `Map` interface the model uses. */
export class PMap<K, V> extends Version<K, V, Map<K, V>> implements Iterable<[K, V]> {
  static empty<K, V>(): PMap<K, V> {
    return new PMap<K, V>(new Map(), 0, null);
  }

  protected emptyStore(): Map<K, V> {
    return new Map();
  }

  protected copyStore(store: Map<K, V>): Map<K, V> {
    return new Map(store);
  }

  protected make(store: Map<K, V>, count: number, family: Family | null): this {
    return new PMap<K, V>(store, count, family) as this;
  }

  set(key: K, value: V): this {
    return this.rebind(key, value);
  }

  delete(key: K): this {
    return this.rebind(key, undefined);
  }

  /** A snapshot of the entries (in the order the underlying `Map` keeps). */
  entries(): IterableIterator<[K, V]> {
    return [...this.current().entries()][Symbol.iterator]();
  }

  keys(): IterableIterator<K> {
    return [...this.current().keys()][Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    return [...this.current().values()][Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Whether `pred` holds for some entry. */
  some(pred: (value: V, key: K) => boolean): boolean {
    const store = this.current();
    const reroots = this.reroots;
    for (const [k, v] of store) {
      if (pred(v, k)) return true;
      // `pred` read another version of this family: go again, on a snapshot.
      if (this.reroots !== reroots) return [...this.entries()].some(([k2, v2]) => pred(v2, k2));
    }
    return false;
  }
}

// sorted-btree is CommonJS: Node's ESM loader puts its class on `default`, bundlers may not.
const BTree: typeof sortedBtree.default =
  (sortedBtree as unknown as { default?: typeof sortedBtree.default }).default ??
  (sortedBtree as unknown as typeof sortedBtree.default);
type BTree<K, V> = sortedBtree.default<K, V>;

/**
 * A persistent sorted map (a B+ tree edited in place, rerooted like `PMap`), with the part of
 * `sorted-btree`'s copy-on-write interface the model uses.
 */
export class PSortedMap<K, V> extends Version<K, V, BTree<K, V>> {
  private constructor(
    store: BTree<K, V>,
    count: number,
    family: Family | null,
    private readonly compare: (a: K, b: K) => number,
  ) {
    super(store, count, family);
  }

  static empty<K, V>(compare: (a: K, b: K) => number): PSortedMap<K, V> {
    return new PSortedMap<K, V>(new BTree<K, V>(undefined, compare), 0, null, compare);
  }

  protected emptyStore(): BTree<K, V> {
    return new BTree<K, V>(undefined, this.compare);
  }

  /** The B+ tree's copy-on-write clone: O(1) now, nodes are copied as either side writes. */
  protected copyStore(store: BTree<K, V>): BTree<K, V> {
    return store.clone();
  }

  protected make(store: BTree<K, V>, count: number, family: Family | null): this {
    return new PSortedMap<K, V>(store, count, family, this.compare) as this;
  }

  /** This version with `key` bound to `value`; an existing binding is kept unless `overwrite`. */
  with(key: K, value: V, overwrite = false): this {
    if (!overwrite && this.has(key)) return this;
    return this.rebind(key, value);
  }

  without(key: K): this {
    return this.rebind(key, undefined);
  }

  /** The least key, or undefined when empty. */
  minKey(): K | undefined {
    return this.current().minKey();
  }

  /** The values in key order (a snapshot). */
  valuesArray(): V[] {
    return this.current().valuesArray();
  }

  values(): IterableIterator<V> {
    return this.valuesArray()[Symbol.iterator]();
  }

  keysArray(): K[] {
    return this.current().keysArray();
  }
}
