// Sliding-window counters for the fraud engine: time-bucketed rings with bounded memory. An update touches one
// bucket (plus clearing the buckets time moved past, amortised O(1)); a read sums the buckets of the window asked
// for (O(buckets)). Events may arrive slightly out of order (rebuild, clock skew between instances): an event older
// than the ring's span is dropped, anything inside it lands in its own bucket.

/**
 * The time side of a ring of buckets: which slot an event goes to (clearing, through `clear`, the slots time has
 * moved past) and which slots a window covers. Buckets are numbered floor(t / bucketMs); `head` is the newest seen.
 */
class BucketClock {
  private head = -Infinity;

  constructor(
    readonly bucketMs: number,
    readonly buckets: number,
    private readonly clear: (slot: number) => void,
  ) {}

  slotOf(bucket: number): number {
    const slot = bucket % this.buckets;
    return slot < 0 ? slot + this.buckets : slot; // `%` leaves negatives negative
  }

  /** The slot of an event at `at`, or -1 when it is older than the ring holds. */
  slot(at: number): number {
    const b = Math.floor(at / this.bucketMs);
    if (b > this.head) {
      const steps = Math.min(b - this.head, this.buckets);
      for (let i = 1; i <= steps; i++) this.clear(this.slotOf(b - steps + i));
      this.head = b;
    } else if (b <= this.head - this.buckets) return -1;
    return this.slotOf(b);
  }

  /**
   * The bucket numbers overlapping [from, to] that the ring still holds, as [first, last] (empty when first >
   * last); map each through `slotOf`. A range rather than a visitor: reads run per click and a closure per read
   * is measurable garbage.
   */
  range(from: number, to: number): [number, number] {
    return [Math.max(Math.floor(from / this.bucketMs), this.head - this.buckets + 1), Math.min(Math.floor(to / this.bucketMs), this.head)];
  }
}

/** One count per bucket, with a running total over the whole ring. */
export class RingCounter {
  private readonly counts: Float64Array;
  private readonly clock: BucketClock;
  private runningTotal = 0;

  constructor(bucketMs: number, buckets: number) {
    this.counts = new Float64Array(buckets);
    this.clock = new BucketClock(bucketMs, buckets, (slot) => {
      this.runningTotal -= this.counts[slot]!;
      this.counts[slot] = 0;
    });
  }

  add(at: number, n = 1): void {
    const slot = this.clock.slot(at);
    if (slot < 0) return;
    this.counts[slot]! += n;
    this.runningTotal += n;
  }

  /** Sum of the buckets overlapping [from, to]. */
  sum(from: number, to: number): number {
    const [first, last] = this.clock.range(from, to);
    let total = 0;
    for (let b = first; b <= last; b++) total += this.counts[this.clock.slotOf(b)]!;
    return total;
  }

  /**
   * Moves the ring's end to `at` (forgetting the buckets that fall out), so that `total()` covers exactly the
   * ring's span ending at `at` — a quiet counter's ring otherwise still holds its last active hours, however old.
   */
  advanceTo(at: number): void {
    this.clock.slot(at);
  }

  /** The count of the bucket holding `at` (0 when outside the ring). */
  at(at: number): number {
    return this.sum(at, at);
  }

  /** Sum of every bucket still in the ring (O(1)). */
  total(): number {
    return this.runningTotal;
  }
}

/**
 * Counts per key (e.g. affiliate + IP) in a sliding window: one Map per bucket, dropped whole when its bucket
 * leaves the window, so memory is bounded by the distinct keys of one window. A bucket that reaches `maxKeys`
 * stops accepting new keys (counted in `overflow`) rather than growing without limit under an attack on memory.
 * Keys are strings, or numbers (hashes, see `pairHash`) where a few merged counts do not matter and millions of
 * keys must be cheap: a small-integer key takes a Map slot and nothing else.
 */
export class KeyedWindowCounter<K extends string | number = string> {
  private readonly maps: Map<K, number>[];
  private readonly clock: BucketClock;
  overflow = 0;

  constructor(
    bucketMs: number,
    buckets: number,
    private readonly maxKeys = 250_000,
  ) {
    this.maps = Array.from({ length: buckets }, () => new Map());
    this.clock = new BucketClock(bucketMs, buckets, (slot) => this.maps[slot]!.clear());
  }

  add(key: K, at: number, n = 1): void {
    const slot = this.clock.slot(at);
    if (slot < 0) return;
    const map = this.maps[slot]!;
    const current = map.get(key);
    if (current !== undefined) map.set(key, current + n);
    else if (map.size < this.maxKeys) map.set(key, n);
    else this.overflow += n;
  }

  count(key: K, from: number, to: number): number {
    const [first, last] = this.clock.range(from, to);
    let total = 0;
    for (let b = first; b <= last; b++) total += this.maps[this.clock.slotOf(b)]!.get(key) ?? 0;
    return total;
  }

  /** Distinct keys currently held, all buckets together (for memory reporting). */
  keyCount(): number {
    let n = 0;
    for (const m of this.maps) n += m.size;
    return n;
  }
}

/**
 * Space-Saving heavy-hitter sketch (Metwally et al.): `k` slots find the keys that take a large share of a stream
 * in O(k) per update and O(k) memory. A slot's `count - error` is a guaranteed lower bound of the key's true count,
 * which is what the click-farm rule uses, so the sketch can miss a borderline farm but never invents one.
 */
export class TopKSketch {
  readonly keys: (string | null)[];
  readonly counts: Float64Array;
  readonly errors: Float64Array;
  total = 0;

  constructor(readonly k = 16) {
    this.keys = new Array<string | null>(k).fill(null);
    this.counts = new Float64Array(k);
    this.errors = new Float64Array(k);
  }

  // A linear scan over k slots: a key → slot Map would need a delete and a set on every miss, and misses are most
  // clicks of honest traffic (no heavy hitters); it was not faster at k = 16.
  add(key: string): void {
    this.total += 1;
    let min = 0;
    for (let i = 0; i < this.k; i++) {
      const slot = this.keys[i];
      if (slot === key) {
        this.counts[i]! += 1;
        return;
      }
      if (slot === null) {
        this.keys[i] = key;
        this.counts[i] = 1;
        this.errors[i] = 0;
        return;
      }
      if (this.counts[i]! < this.counts[min]!) min = i;
    }
    this.errors[min] = this.counts[min]!;
    this.counts[min]! += 1;
    this.keys[min] = key;
  }

  clear(): void {
    this.keys.fill(null);
    this.counts.fill(0);
    this.errors.fill(0);
    this.total = 0;
  }

  /** Adds this sketch's guaranteed counts into `into` (key → lower bound). */
  collectLowerBounds(into: Map<string, number>): void {
    for (let i = 0; i < this.k; i++) {
      const key = this.keys[i];
      if (key === null || key === undefined) continue;
      const sure = this.counts[i]! - this.errors[i]!;
      if (sure > 0) into.set(key, (into.get(key) ?? 0) + sure);
    }
  }
}

/** A ring of sketches: heavy hitters over a sliding window, one sketch per bucket. */
export class SketchRing {
  private readonly sketches: TopKSketch[];
  private readonly clock: BucketClock;

  constructor(bucketMs: number, buckets: number, k = 16) {
    this.sketches = Array.from({ length: buckets }, () => new TopKSketch(k));
    this.clock = new BucketClock(bucketMs, buckets, (slot) => this.sketches[slot]!.clear());
  }

  add(key: string, at: number): void {
    const slot = this.clock.slot(at);
    if (slot >= 0) this.sketches[slot]!.add(key);
  }

  /** Events over [from, to] (cheap: one number per bucket). */
  total(from: number, to: number): number {
    const [first, last] = this.clock.range(from, to);
    let total = 0;
    for (let b = first; b <= last; b++) total += this.sketches[this.clock.slotOf(b)]!.total;
    return total;
  }

  /** Total events and the top `n` keys by guaranteed count over [from, to]. */
  top(from: number, to: number, n: number): { total: number; top: { key: string; count: number }[] } {
    const merged = new Map<string, number>();
    let total = 0;
    const [first, last] = this.clock.range(from, to);
    for (let b = first; b <= last; b++) {
      const sketch = this.sketches[this.clock.slotOf(b)]!;
      total += sketch.total;
      sketch.collectLowerBounds(merged);
    }
    const top = [...merged].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, count]) => ({ key, count }));
    return { total, top };
  }
}

/**
 * A Map that forgets its oldest entries beyond `capacity`. Insertion order lives in a ring of keys: evicting by
 * `map.keys().next()` instead would walk over every deleted slot V8 keeps at the front of the table, turning
 * each eviction into O(n).
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity: number) {
    this.order = new Array<string | undefined>(capacity);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    if (!this.map.has(key)) {
      const evicted = this.order[this.next];
      if (evicted !== undefined) this.map.delete(evicted);
      this.order[this.next] = key;
      this.next = (this.next + 1) % this.capacity;
    }
    this.map.set(key, value);
  }
}

/**
 * A 30-bit hash of (a, b) as one key — FNV-1a over a, a separator, then b, without building the joined string — so a
 * counter of millions of (affiliate, IP) pairs keeps small integers instead of strings. Two pairs meet on one key
 * with odds of about n² / 2³¹ among n pairs (some 30 in a 10-s bucket of 250,000): their counts add up, which can
 * make a click look like a repeat, never hide one.
 */
export function pairHash(a: string, b: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) h = Math.imul(h ^ a.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ 0x7c, 0x01000193); // "|": ("ab","c") and ("a","bc") differ
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 15)) & 0x3fffffff; // Smi on every platform
}
