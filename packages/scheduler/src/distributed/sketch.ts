/**
 * A mergeable quantile sketch: sorted `[value, weight]` points whose weights sum to the
 * number of values summarised. Merging concatenates and, past `size` points, resamples to
 * `size` points at evenly spaced cumulative weights (rank error ≈ total / size). Pure
 * arithmetic; the same layout is produced by executors (see executors/pipeline/shard-stats).
 */

/** A quantile sketch: sorted by value; weights are row counts. */
export type Sketch = Array<[number, number]>;

/** Compresses a sorted sketch to at most `size` points, keeping the total weight. */
export function compressSketch(sorted: Sketch, size: number): Sketch {
  if (sorted.length <= size) return sorted;
  let total = 0;
  for (const [, w] of sorted) total += w;
  const out: Sketch = [];
  const step = total / size;
  let cum = 0;
  let next = step / 2;
  for (const [v, w] of sorted) {
    cum += w;
    while (cum >= next && out.length < size) {
      out.push([v, step]);
      next += step;
    }
  }
  return out;
}

/** Merges two sketches (each sorted) into one of at most `size` points. */
export function mergeSketches(a: Sketch, b: Sketch, size: number): Sketch {
  const out: Sketch = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]![0] <= b[j]![0])) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return compressSketch(out, size);
}
