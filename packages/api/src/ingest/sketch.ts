/**
 * Small streaming sketches used by type inference and profiling:
 * a HyperLogLog distinct counter (2^12 registers, ≈1.6 % standard error), a distinct
 * counter that is exact up to a cap and then switches to HyperLogLog, and a seeded
 * uniform reservoir sample.
 */

/** 32-bit string hash (FNV-1a over UTF-16 code units, then a murmur3 finalizer). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** 32-bit hash of a float64's bits. */
export function hashNumber(x: number): number {
  f64[0] = x;
  return fmix(Math.imul(u32[0], 0xcc9e2d51) ^ u32[1] ^ 0x9e3779b9);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const P = 12;
const M = 1 << P;

export class HyperLogLog {
  private readonly reg = new Uint8Array(M);
  /** Adds {@link hashNumber} of each of `xs[from..to)` (-0 as 0), in one loop. */
  addNumbers(xs: Float64Array, from: number, to: number): void {
    const reg = this.reg;
    const bits = new Float64Array(1);
    const w32 = new Uint32Array(bits.buffer);
    for (let k = from; k < to; k++) {
      const x = xs[k];
      bits[0] = x === 0 ? 0 : x;
      let h = Math.imul(w32[0], 0xcc9e2d51) ^ w32[1] ^ 0x9e3779b9;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const idx = h >>> (32 - P);
      const w = (h << P) >>> 0;
      const rank = w === 0 ? 32 - P + 1 : Math.clz32(w) + 1;
      if (rank > reg[idx]) reg[idx] = rank;
    }
  }
  add(hash: number): void {
    const idx = hash >>> (32 - P);
    const w = (hash << P) >>> 0;
    const rank = w === 0 ? 32 - P + 1 : Math.clz32(w) + 1;
    if (rank > this.reg[idx]) this.reg[idx] = rank;
  }
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      sum += 2 ** -this.reg[i];
      if (this.reg[i] === 0) zeros++;
    }
    const alpha = 0.7213 / (1 + 1.079 / M);
    const e = (alpha * M * M) / sum;
    if (e <= 2.5 * M && zeros > 0) return Math.round(M * Math.log(M / zeros));
    return Math.round(e);
  }
}

/**
 * Counts distinct values with counts, exactly while there are at most `cap` of them and
 * their total length stays under `maxChars`; then approximately (HyperLogLog).
 */
export class DistinctCounter<T extends string | number> {
  /** Value → occurrences, while exact; null once approximate. */
  counts: Map<T, number> | null = new Map();
  private hll: HyperLogLog | null = null;
  private chars = 0;
  constructor(
    private readonly cap: number,
    private readonly maxChars = 16 << 20,
  ) {}
  add(v: T): void {
    const c = this.counts;
    if (c !== null) {
      const n = c.get(v);
      if (n !== undefined) {
        c.set(v, n + 1);
        return;
      }
      if (typeof v === 'string') this.chars += v.length;
      if (c.size < this.cap && this.chars <= this.maxChars) {
        c.set(v, 1);
        return;
      }
      this.hll = new HyperLogLog();
      for (const k of c.keys()) this.hll.add(hash(k));
      this.counts = null;
    }
    this.hll!.add(hash(v));
  }
  get exact(): boolean {
    return this.counts !== null;
  }
  get distinct(): number {
    return this.counts !== null ? this.counts.size : this.hll!.estimate();
  }
}

function hash(v: string | number): number {
  return typeof v === 'string' ? hashString(v) : hashNumber(v);
}

/**
 * Distinct count of numbers without boxing: an open-addressing hash set on a Float64Array,
 * exact up to `cap` values (table grows from 1,024 slots), then HyperLogLog.
 * -0 and 0 count as one value; NaN is never added.
 */
export class NumberDistinct {
  private keys = new Float64Array(64);
  private used = new Uint8Array(64);
  private size = 0;
  private hll: HyperLogLog | null = null;
  constructor(private readonly cap = 65536) {}
  add(x: number): void {
    if (x === 0) x = 0; // -0 → 0
    const h = hashNumber(x);
    if (this.hll !== null) return this.hll.add(h);
    const mask = this.keys.length - 1;
    let i = h & mask;
    while (this.used[i] === 1) {
      if (this.keys[i] === x) return;
      i = (i + 1) & mask;
    }
    if (this.size >= this.cap) {
      this.hll = new HyperLogLog();
      for (let j = 0; j < this.keys.length; j++) if (this.used[j] === 1) this.hll.add(hashNumber(this.keys[j]));
      this.keys = new Float64Array(0);
      this.used = new Uint8Array(0);
      return this.hll.add(h);
    }
    this.used[i] = 1;
    this.keys[i] = x;
    if (++this.size * 2 > this.keys.length) this.grow();
  }
  /** As `n` calls of {@link add} with `xs[0..n)` (NaN must not occur). */
  addValues(xs: Float64Array, n: number): void {
    let k = 0;
    for (; k < n && this.hll === null; k++) {
      let x = xs[k];
      if (x === 0) x = 0;
      const h = hashNumber(x);
      const keys = this.keys, used = this.used;
      const mask = keys.length - 1;
      let i = h & mask;
      let found = false;
      while (used[i] === 1) {
        if (keys[i] === x) {
          found = true;
          break;
        }
        i = (i + 1) & mask;
      }
      if (!found) this.add(x);
    }
    const hll = this.hll;
    if (hll === null) return;
    // approximate from here on
    hll.addNumbers(xs, k, n);
  }
  private grow(): void {
    const oldK = this.keys, oldU = this.used;
    this.keys = new Float64Array(oldK.length * 2);
    this.used = new Uint8Array(oldK.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < oldK.length; j++) {
      if (oldU[j] !== 1) continue;
      let i = hashNumber(oldK[j]) & mask;
      while (this.used[i] === 1) i = (i + 1) & mask;
      this.used[i] = 1;
      this.keys[i] = oldK[j];
    }
  }
  get exact(): boolean {
    return this.hll === null;
  }
  get distinct(): number {
    return this.hll !== null ? this.hll.estimate() : this.size;
  }
}

/** Deterministic PRNG (mulberry32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Uniform sample of at most `capacity` numbers, seeded (same input, same sample). Algorithm L
 * (Li, "Reservoir-sampling algorithms of time complexity O(n(1 + log(N/n)))", ACM TOMS 1994):
 * once full it draws how many items to skip instead of one random number per item.
 */
export class Reservoir {
  /** The sample (first `size` entries); grows by doubling up to `capacity`, so short columns stay small. */
  values: Float64Array;
  size = 0;
  seen = 0;
  private readonly rand: () => number;
  /** Algorithm L's W and the 0-based index of the next item that enters the sample. */
  private w = 1;
  private next = 0;
  constructor(readonly capacity: number, seed = 42) {
    this.values = new Float64Array(Math.min(capacity, 256));
    this.rand = mulberry32(seed);
  }
  /** Draws the next W and the index of the next item to keep (after item `i`). */
  private skip(i: number): void {
    // 1 - rand() is in (0, 1]: no log(0)
    this.w *= Math.exp(Math.log(1 - this.rand()) / this.capacity);
    this.next = i + Math.floor(Math.log(1 - this.rand()) / Math.log1p(-this.w)) + 1;
  }
  add(x: number): void {
    const i = this.seen++;
    const cap = this.capacity;
    if (i < cap) {
      if (this.size === this.values.length) {
        const grown = new Float64Array(Math.min(cap, this.values.length * 2));
        grown.set(this.values);
        this.values = grown;
      }
      this.values[this.size++] = x;
      if (this.size === cap) this.skip(i);
    } else if (i === this.next) {
      this.values[Math.floor(this.rand() * cap)] = x;
      this.skip(i);
    }
  }
  /** As {@link add} for each finite value of `xs[0..n)`, in order (±Infinity skipped). */
  addFinite(xs: Float64Array, n: number): void {
    for (let k = 0; k < n; k++) {
      const x = xs[k];
      if (x - x !== 0) continue;
      if (this.size < this.capacity || this.seen === this.next) this.add(x);
      else this.seen++;
    }
  }
  /** Linear-interpolated quantiles (numpy's default) of the sample; exact while seen ≤ capacity. */
  quantiles(qs: readonly number[]): Array<number | null> {
    if (this.size === 0) return qs.map(() => null);
    const s = this.values.slice(0, this.size).sort();
    return qs.map((q) => {
      const pos = q * (s.length - 1);
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, s.length - 1);
      return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    });
  }
}
