/**
 * Pass 2 profile accumulators (streaming, bounded memory). Per column: count (non-missing),
 * missing (empty, null tokens, and invalid values stored as null), distinct (exact up to
 * 65,536 values, then HyperLogLog ≈1.6 % error). Numeric columns add zeros, ±infinity counts,
 * min, max, mean and sample standard deviation (Welford, over finite values; std null below 2
 * values), quantiles p25/p50/p75 (linear interpolation on a uniform reservoir of 65,536 finite
 * values: exact up to that many), and a histogram over the pass-1 range (see histogramEdges). Booleans
 * give trueCount/falseCount/mean; categoricals and exactly-counted strings the top 10 values;
 * datetimes min/max as ISO 8601 strings. No statistic is ever NaN or ±Infinity (null instead).
 */
import type { ColumnProfile } from '@weft/proto';
import { compareStrings } from './infer.js';
import { DistinctCounter, mulberry32, NumberDistinct, Reservoir } from './sketch.js';

export const DISTINCT_EXACT_MAX = 65536;
export const QUANTILE_RESERVOIR = 65536;
export const TOP_CATEGORIES = 10;
/** Values a numeric profiler folds in at once. */
export const PROFILE_BLOCK = 2048;
const EMPTY_BLOCK = new Float64Array(0);

export interface Profiler {
  addMissing(): void;
  result(): ColumnProfile;
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Histogram edges for a range: unit-width bins centred on the integers when an integer column
 * spans at most 20 values (so a 0/1 column has 2 bins, a constant 1); otherwise 20 equal bins
 * over [min, max] (a constant float gets 1 bin of width 1).
 */
export function histogramEdges(min: number, max: number, integer: boolean): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min - 0.5, max + 0.5];
  if (integer && Number.isInteger(min) && Number.isInteger(max) && max - min + 1 <= 20) return Array.from({ length: max - min + 2 }, (_, i) => min - 0.5 + i);
  const bins = 20;
  const w = (max - min) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * w));
}

export class NumericProfiler implements Profiler {
  private count = 0;
  private missing = 0;
  private zeros = 0;
  private posInf = 0;
  private negInf = 0;
  private finite = 0;
  private mean = 0;
  private m2 = 0;
  private sum = 0;
  private sumC = 0; // Kahan compensation
  private min = Infinity;
  private max = -Infinity;
  private readonly distinct = new NumberDistinct(DISTINCT_EXACT_MAX);
  private readonly reservoir: Reservoir;
  private edges: number[] = [];
  private hist = new Float64Array(0);
  private lo = 0;
  private width = 1;
  /** Values not yet folded into the statistics (see {@link flush}). */
  private pending = EMPTY_BLOCK; // allocated on the first value
  private npending = 0;
  /**
   * With a NaN range the histogram is not binned while values are added: the single-pass ingest
   * learns the range only at the end, then calls {@link setRange} and {@link bin} for each finite value.
   */
  constructor(rangeMin: number, rangeMax: number, private readonly integer: boolean, seed: number) {
    this.setRange(rangeMin, rangeMax);
    this.reservoir = new Reservoir(QUANTILE_RESERVOIR, seed);
  }
  /** (Re)starts the histogram over [min, max] (see histogramEdges); counts are reset. */
  setRange(rangeMin: number, rangeMax: number): void {
    this.flush();
    this.edges = histogramEdges(rangeMin, rangeMax, this.integer);
    this.hist = new Float64Array(Math.max(0, this.edges.length - 1));
    this.lo = this.edges[0] ?? 0;
    this.width = this.edges.length > 1 ? (this.edges[this.edges.length - 1] - this.lo) / this.hist.length : 1;
  }
  /** Counts a finite value into the histogram only. */
  bin(x: number): void {
    const h = this.hist;
    if (h.length > 0) {
      let b = Math.floor((x - this.lo) / this.width);
      if (b < 0) b = 0;
      else if (b >= h.length) b = h.length - 1;
      h[b]++;
    }
  }
  addMissing(): void {
    this.missing++;
  }
  /** Adds one non-missing value (buffered: folded in blocks of {@link PROFILE_BLOCK}). */
  add(x: number): void {
    if (this.pending.length === 0) this.pending = new Float64Array(PROFILE_BLOCK);
    this.pending[this.npending++] = x;
    if (this.npending === PROFILE_BLOCK) this.flush();
  }
  /**
   * Adds `xs[0..n)` (non-missing values): the same as `n` calls of {@link add} (so both paths of
   * ingest give bit-identical profiles), without a call per value.
   */
  addValues(xs: Float64Array, n: number): void {
    if (n > 0 && this.pending.length === 0) this.pending = new Float64Array(PROFILE_BLOCK);
    let k = 0;
    while (k < n) {
      const take = Math.min(n - k, PROFILE_BLOCK - this.npending);
      this.pending.set(xs.subarray(k, k + take), this.npending);
      this.npending += take;
      k += take;
      if (this.npending === PROFILE_BLOCK) this.flush();
    }
  }
  /**
   * Folds the pending block into the statistics in one loop: counts, the compensated (Kahan) sum,
   * min/max, histogram, and mean / M2 by the pairwise update of Chan, Golub & LeVeque ("Updating
   * formulae and a pairwise algorithm for computing sample variances", 1979): the block's sums of
   * deviations from a shift near the mean give its mean and M2, then merged, with one division per
   * block instead of one per value.
   */
  private flush(): void {
    const n = this.npending;
    if (n === 0) return;
    this.npending = 0;
    const xs = this.pending;
    let zeros = 0, posInf = 0, negInf = 0, nb = 0;
    let { sum, sumC, min, max } = this;
    // deviations from a shift near the mean (the running mean, or the block's first value)
    let shift = this.finite > 0 ? this.mean : NaN;
    let sd = 0, sd2 = 0;
    const h = this.hist;
    const hn = h.length, lo = this.lo, width = this.width;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      if (x === 0) zeros++;
      if (x - x !== 0) {
        if (x > 0) posInf++;
        else negInf++;
        continue;
      }
      if (shift !== shift) shift = x;
      nb++;
      const d = x - shift;
      sd += d;
      sd2 += d * d;
      const y = x - sumC;
      const t = sum + y;
      sumC = t - sum - y;
      sum = t;
      if (x < min) min = x;
      if (x > max) max = x;
      if (hn > 0) {
        let b = Math.floor((x - lo) / width);
        if (b < 0) b = 0;
        else if (b >= hn) b = hn - 1;
        h[b]++;
      }
    }
    this.sum = sum;
    this.sumC = sumC;
    this.min = min;
    this.max = max;
    this.zeros += zeros;
    this.posInf += posInf;
    this.negInf += negInf;
    this.count += n;
    if (nb > 0) {
      const bmean = shift + sd / nb;
      const bm2 = Math.max(0, sd2 - (sd * sd) / nb);
      const na = this.finite;
      const total = na + nb;
      const delta = bmean - this.mean;
      this.mean += (delta * nb) / total;
      this.m2 += bm2 + (delta * delta * na * nb) / total;
      this.finite = total;
    }
    this.distinct.addValues(xs, n);
    this.reservoir.addFinite(xs, n);
  }
  result(): ColumnProfile {
    this.flush();
    const [p25, p50, p75] = this.reservoir.quantiles([0.25, 0.5, 0.75]);
    const hasFinite = this.finite > 0;
    return {
      count: this.count,
      missing: this.missing,
      distinct: this.distinct.distinct,
      zeros: this.zeros,
      positiveInfinity: this.posInf,
      negativeInfinity: this.negInf,
      min: hasFinite ? this.min : null,
      max: hasFinite ? this.max : null,
      mean: hasFinite ? finiteOrNull(this.sum / this.finite) : null, // compensated sum: 0.75, not 0.7499999999999999
      std: this.finite >= 2 ? finiteOrNull(Math.sqrt(Math.max(0, this.m2 / (this.finite - 1)))) : null,
      quantiles: { p25, p50, p75 },
      histogram: hasFinite ? { edges: this.edges, counts: Array.from(this.hist) } : null,
    };
  }
}

export class BooleanProfiler implements Profiler {
  private t = 0;
  private f = 0;
  private missing = 0;
  addMissing(): void {
    this.missing++;
  }
  add(v: boolean): void {
    if (v) this.t++;
    else this.f++;
  }
  result(): ColumnProfile {
    const n = this.t + this.f;
    const mean = n > 0 ? this.t / n : null;
    const std = n >= 2 && mean !== null ? Math.sqrt((n * mean * (1 - mean)) / (n - 1)) : null;
    return {
      count: n,
      missing: this.missing,
      distinct: (this.t > 0 ? 1 : 0) + (this.f > 0 ? 1 : 0),
      zeros: this.f,
      min: n > 0 ? (this.f > 0 ? 0 : 1) : null,
      max: n > 0 ? (this.t > 0 ? 1 : 0) : null,
      mean,
      std,
      trueCount: this.t,
      falseCount: this.f,
    };
  }
}

function topOf(entries: Iterable<[string, number]>): Array<{ value: string; count: number }> {
  return [...entries]
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))
    .slice(0, TOP_CATEGORIES)
    .map(([value, count]) => ({ value, count }));
}

export class CategoricalProfiler implements Profiler {
  private readonly counts: Float64Array;
  private missing = 0;
  private count = 0;
  constructor(private readonly categories: readonly string[]) {
    this.counts = new Float64Array(categories.length);
  }
  addMissing(): void {
    this.missing++;
  }
  add(code: number): void {
    this.count++;
    this.counts[code]++;
  }
  result(): ColumnProfile {
    let distinct = 0;
    for (const c of this.counts) if (c > 0) distinct++;
    return {
      count: this.count,
      missing: this.missing,
      distinct,
      topCategories: topOf(this.categories.map((v, i): [string, number] => [v, this.counts[i]])),
    };
  }
}

export class StringProfiler implements Profiler {
  private readonly distinct = new DistinctCounter<string>(DISTINCT_EXACT_MAX);
  private missing = 0;
  private count = 0;
  addMissing(): void {
    this.missing++;
  }
  add(s: string): void {
    this.count++;
    this.distinct.add(s);
  }
  result(): ColumnProfile {
    const counts = this.distinct.counts;
    return {
      count: this.count,
      missing: this.missing,
      distinct: this.distinct.distinct,
      ...(counts ? { topCategories: topOf(counts) } : {}),
    };
  }
}

export class DatetimeProfiler implements Profiler {
  private readonly distinct = new NumberDistinct(DISTINCT_EXACT_MAX);
  private missing = 0;
  private count = 0;
  private min = Infinity;
  private max = -Infinity;
  addMissing(): void {
    this.missing++;
  }
  add(ms: number): void {
    this.count++;
    this.distinct.add(ms);
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }
  result(): ColumnProfile {
    const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);
    return { count: this.count, missing: this.missing, distinct: this.distinct.distinct, min: iso(this.min), max: iso(this.max) };
  }
}

/**
 * Pearson correlations between numeric columns, pairwise over rows where both are finite.
 * Computed on a uniform sample of rows (exact while the dataset has at most `capacity` rows;
 * capacity = min(100,000, 2^21 / columns)); at most the first 100 numeric columns.
 * Undefined correlations (fewer than 2 rows, zero variance) are null.
 */
export class CorrelationSampler {
  static readonly MAX_COLUMNS = 100;
  readonly k: number;
  private readonly capacity: number;
  private readonly rows: Float64Array;
  private size = 0;
  private seen = 0;
  private readonly rand = mulberry32(7);
  /** Scratch row the converters fill (NaN = missing) before {@link commitRow}. */
  readonly row: Float64Array;
  constructor(k: number) {
    this.k = k;
    this.capacity = k === 0 ? 0 : Math.max(2, Math.min(100000, Math.floor((1 << 21) / k)));
    this.rows = new Float64Array(this.capacity * k);
    this.row = new Float64Array(k).fill(NaN);
  }
  commitRow(): void {
    const slot = this.nextSlot();
    if (slot >= 0) this.rows.set(this.row, slot * this.k);
    this.row.fill(NaN);
  }
  /**
   * Counts the next row and returns the sample slot it takes (as {@link commitRow} would), or -1
   * when it is not sampled; fill a taken slot through {@link slotRow}.
   */
  nextSlot(): number {
    const i = this.seen++;
    if (i < this.capacity) return this.size++;
    const j = Math.floor(this.rand() * (i + 1));
    return j < this.capacity ? j : -1;
  }
  /** The sample's row at `slot` (k values, NaN = missing) to fill in place. */
  slotRow(slot: number): Float64Array {
    return this.rows.subarray(slot * this.k, (slot + 1) * this.k);
  }
  matrix(): Array<Array<number | null>> {
    const { k, size, rows } = this;
    const m: Array<Array<number | null>> = Array.from({ length: k }, () => new Array<number | null>(k).fill(null));
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let n = 0, sa = 0, sb = 0;
        for (let r = 0; r < size; r++) {
          const x = rows[r * k + a], y = rows[r * k + b];
          if (Number.isFinite(x) && Number.isFinite(y)) (n++, (sa += x), (sb += y));
        }
        if (n < 2) continue;
        const ma = sa / n, mb = sb / n;
        let caa = 0, cbb = 0, cab = 0;
        for (let r = 0; r < size; r++) {
          const x = rows[r * k + a], y = rows[r * k + b];
          if (Number.isFinite(x) && Number.isFinite(y)) {
            const dx = x - ma, dy = y - mb;
            caa += dx * dx;
            cbb += dy * dy;
            cab += dx * dy;
          }
        }
        // relative tolerance: a column of one repeated value has (near-)zero variance
        if (!(caa > 1e-24 * n * (ma * ma + 1)) || !(cbb > 1e-24 * n * (mb * mb + 1))) continue;
        const r = Math.max(-1, Math.min(1, cab / Math.sqrt(caa * cbb)));
        m[a][b] = m[b][a] = Number.isFinite(r) ? r : null;
      }
    }
    return m;
  }
}
