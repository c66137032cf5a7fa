/**
 * Distributed preprocessing: per-shard column summaries of the train rows (map) and fitted
 * steps from merged summaries (after the scheduler's reduce). Every shard and the finalise
 * task derive the same fitted steps from the same merged statistics.
 *
 * | step    | option            | summary used                        |
 * | ------- | ----------------- | ----------------------------------- |
 * | impute  | mean              | n, mean (Chan-merged moments)       |
 * | impute  | median            | quantile sketch                     |
 * | impute  | most_frequent     | value counts                        |
 * | scale   | standard          | n, mean, m2 → scalerFromStats       |
 * | scale   | minmax            | min, max                            |
 * | scale   | robust            | quantile sketch (25/50/75 %)        |
 * | one_hot | maxCategories     | category counts                     |
 * | ordinal |                   | category counts (only the keys)     |
 * | clip    | value bounds      | nothing                             |
 * | clip    | quantile bounds   | quantile sketch                     |
 * | variance_threshold |        | n, mean, m2, min, max (Chan-merged) |
 * | datetime_features |         | nothing (stateless)                 |
 * | target_encode |             | refused: no distributed fit (the planner keeps it on one executor) |
 */
import { scalerFromStats, type ImputerState, type NumericColumn, type CategoricalColumn } from '@weft/kernels';
import { ClipParams, DatetimeFeaturesParams, OrdinalParams, VarianceThresholdParams, WeftError, type ColumnSummary, type DistributedPipeline, type PipelineStep, type ShardStats } from '@weft/proto';
import type { FeatureColumn, Frame } from './frame.js';
import { applyStep, pick, type AffineScaleState, type FittedStep } from './transforms.js';
import { ordinalColumns, ordinalFromCategories } from './steps/ordinal.js';
import { clipColumns, clipNeedsQuantiles, clipStateFromQuantiles, fitClipStep } from './steps/clip.js';
import { varianceColumns, varianceStepFromStats } from './steps/variance.js';
import { fitDatetimeStep } from './steps/datetime.js';

/** Points a shard's quantile sketch keeps (matches the scheduler's default merge size). */
export const SKETCH_SIZE = 2048;

type Sketch = Array<[number, number]>;

/** Sorted values → at most `size` `[value, weight]` points at evenly spaced ranks. */
export function sketchOf(sorted: Float64Array, size = SKETCH_SIZE): Sketch {
  if (sorted.length <= size) return Array.from(sorted, (v) => [v, 1] as [number, number]);
  const step = sorted.length / size;
  const out: Sketch = [];
  for (let k = 0; k < size; k++) out.push([sorted[Math.min(sorted.length - 1, Math.floor((k + 0.5) * step))]!, step]);
  return out;
}

/** Quantile q of a sketch by linear interpolation at rank (n − 1)·q (exact for unsampled sketches). */
export function sketchQuantile(sk: Sketch, q: number): number {
  let total = 0;
  for (const [, w] of sk) total += w;
  if (total === 0) return NaN;
  const at = (rank: number) => {
    let cum = 0;
    for (const [v, w] of sk) {
      cum += w;
      if (rank < cum) return v;
    }
    return sk[sk.length - 1]![0];
  };
  const pos = (total - 1) * q;
  const lo = Math.floor(pos);
  const a = at(lo);
  return a + (at(Math.ceil(pos)) - a) * (pos - lo);
}

const present = (c: NumericColumn, i: number) => (c.valid === null || c.valid[i] === 1) && c.values[i] === c.values[i];
const presentCat = (c: CategoricalColumn, i: number) => (c.valid === null || c.valid[i] === 1) && c.codes[i]! >= 0;

/** Summary of one column over the given rows; `sketch`/`counts` only when a step needs them. */
export function summarize(f: FeatureColumn, need: { sketch: boolean; counts: boolean }): ColumnSummary {
  if (f.kind === 'categorical') {
    const c = f.column as CategoricalColumn;
    const counts: Record<string, number> = {};
    let n = 0;
    for (let i = 0; i < c.codes.length; i++) {
      if (!presentCat(c, i)) continue;
      n++;
      const s = c.dictionary[c.codes[i]!]!;
      counts[s] = (counts[s] ?? 0) + 1;
    }
    return { n, missing: c.codes.length - n, mean: 0, m2: 0, min: null, max: null, counts };
  }
  const c = f.column as NumericColumn;
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < c.values.length; i++) {
    if (!present(c, i)) continue;
    const v = c.values[i]!;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : 0;
  let m2 = 0;
  for (let i = 0; i < c.values.length; i++) if (present(c, i)) m2 += (c.values[i]! - mean) ** 2;
  const out: ColumnSummary = { n, missing: c.values.length - n, mean, m2, min: n ? min : null, max: n ? max : null };
  if (need.sketch || need.counts) {
    const vals = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < c.values.length; i++) if (present(c, i)) vals[k++] = c.values[i]!;
    vals.sort();
    if (need.sketch) out.sketch = sketchOf(vals);
    if (need.counts) {
      const counts: Record<string, number> = {};
      for (const v of vals) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      out.counts = counts;
    }
  }
  return out;
}

/** Columns a step reads and the summaries it needs. */
function columnsFor(step: PipelineStep, frame: Frame): Array<{ f: FeatureColumn; sketch: boolean; counts: boolean }> {
  const p = step.params as Record<string, unknown>;
  const cols = p.columns as string[] | undefined;
  switch (step.type) {
    case 'impute':
      return pick(frame, cols, step.id, () => true).map((f) => ({ f, sketch: p.strategy === 'median' && f.kind !== 'categorical', counts: p.strategy === 'most_frequent' || f.kind === 'categorical' }));
    case 'scale':
      return pick(frame, cols, step.id, (f) => f.kind === 'numeric' && !f.derivedFrom).map((f) => ({ f, sketch: p.method === 'robust', counts: false }));
    case 'one_hot':
      return pick(frame, cols, step.id, (f) => f.kind === 'categorical').map((f) => ({ f, sketch: false, counts: true }));
    case 'ordinal':
      return ordinalColumns(frame, OrdinalParams.parse(p), step.id).map((f) => ({ f, sketch: false, counts: true }));
    case 'clip': {
      const cp = ClipParams.parse(p);
      const picked = clipColumns(frame, cp, step.id);
      return clipNeedsQuantiles(cp) ? picked.map((f) => ({ f, sketch: true, counts: false })) : [];
    }
    case 'variance_threshold':
      return varianceColumns(frame, VarianceThresholdParams.parse(p), step.id).map((f) => ({ f, sketch: false, counts: false }));
    case 'datetime_features':
      return [];
    case 'target_encode':
      throw new WeftError('WORKFLOW_INVALID', `Node "${step.id}": target encoding has no distributed fit; set the split's params.distributed to "auto" or "off"`, { nodeId: step.id, field: 'type' });
    default:
      throw new WeftError('WORKFLOW_INVALID', `Node "${step.id}": "${step.type}" is not a preprocessing step`, { nodeId: step.id, field: 'type' });
  }
}

/** Map side: summaries of the columns `step` fits, over the train frame. */
export function stepStats(step: PipelineStep, train: Frame): Record<string, ColumnSummary> {
  const out: Record<string, ColumnSummary> = {};
  for (const { f, sketch, counts } of columnsFor(step, train)) out[f.name] = summarize(f, { sketch, counts });
  return out;
}

function mostFrequent(counts: Record<string, number>, numeric: boolean): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [s, c] of Object.entries(counts)) {
    const smaller = best !== null && (numeric ? Number(s) < Number(best) : s < best);
    if (c > bestCount || (c === bestCount && smaller)) [best, bestCount] = [s, c];
  }
  return best;
}

const empty: ColumnSummary = { n: 0, missing: 0, mean: 0, m2: 0, min: null, max: null };

/** Reduce side: the fitted step from merged summaries (same rules as the single-task `fitStep`). */
export function fittedFromStats(step: PipelineStep, stats: ShardStats, frame: Frame): FittedStep {
  const p = step.params as Record<string, unknown>;
  const cols = columnsFor(step, frame);
  const sum = (name: string) => stats.columns?.[name] ?? empty;
  switch (step.type) {
    case 'impute':
      return {
        type: 'impute',
        nodeId: step.id,
        columns: cols.map(({ f }) => {
          const s = sum(f.name);
          const raw = p.strategy as 'mean' | 'median' | 'most_frequent' | 'constant';
          const strategy = f.kind === 'categorical' && (raw === 'mean' || raw === 'median') ? 'most_frequent' : raw;
          let state: ImputerState;
          if (f.kind === 'categorical') {
            const dflt = p.fillValue === undefined ? 'missing_value' : String(p.fillValue);
            const best = strategy === 'most_frequent' ? mostFrequent(s.counts ?? {}, false) : null;
            state = { kind: 'imputer', version: 1, columnType: 'categorical', strategy, fill: strategy === 'constant' ? dflt : (best ?? dflt), emptyAtFit: strategy !== 'constant' && best === null } as ImputerState;
          } else {
            const dflt = p.fillValue === undefined ? 0 : Number(p.fillValue);
            const isEmpty = s.n === 0;
            let fill = dflt;
            if (strategy === 'mean' && !isEmpty) fill = s.mean;
            if (strategy === 'median' && !isEmpty) fill = sketchQuantile(s.sketch ?? [], 0.5);
            if (strategy === 'most_frequent' && !isEmpty) fill = Number(mostFrequent(s.counts ?? {}, true));
            state = { kind: 'imputer', version: 1, columnType: 'numeric', strategy, fill, emptyAtFit: strategy !== 'constant' && isEmpty } as ImputerState;
          }
          return { name: f.name, state, indicator: Boolean(p.addIndicator) && s.missing > 0 };
        }),
      };
    case 'scale':
      return {
        type: 'scale',
        nodeId: step.id,
        columns: cols.map(({ f }) => {
          const s = sum(f.name);
          if (p.method === 'standard') return { name: f.name, state: scalerFromStats({ count: s.n, mean: s.mean, m2: s.m2 }) };
          const method = p.method as 'minmax' | 'robust';
          let center = 0;
          let scale = 1;
          if (s.n > 0) {
            if (method === 'minmax') [center, scale] = [s.min!, s.max! - s.min!];
            else {
              const sk = s.sketch ?? [];
              center = sketchQuantile(sk, 0.5);
              scale = sketchQuantile(sk, 0.75) - sketchQuantile(sk, 0.25);
            }
            if (!(scale > 1e-12 * Math.max(1, Math.abs(center)))) scale = 1;
          }
          const st: AffineScaleState = { kind: 'affine_scaler', method, center, scale };
          return { name: f.name, state: st };
        }),
      };
    case 'ordinal': {
      const op = OrdinalParams.parse(p);
      return { type: 'ordinal', nodeId: step.id, columns: cols.map(({ f }) => ({ name: f.name, state: ordinalFromCategories(Object.keys(sum(f.name).counts ?? {}), op, step.id) })) };
    }
    case 'clip': {
      const cp = ClipParams.parse(p);
      // Value bounds read no data; quantile bounds come from the merged sketch.
      if (!clipNeedsQuantiles(cp)) return fitClipStep(step.id, cp, frame);
      return { type: 'clip', nodeId: step.id, columns: cols.map(({ f }) => ({ name: f.name, state: clipStateFromQuantiles(step.id, cp, (q) => sketchQuantile(sum(f.name).sketch ?? [], q)) })) };
    }
    case 'variance_threshold':
      return varianceStepFromStats(
        step.id,
        VarianceThresholdParams.parse(p),
        frame,
        cols.map(({ f }) => {
          const s = sum(f.name);
          return { name: f.name, stats: { count: s.n, mean: s.mean, m2: s.m2, min: s.min, max: s.max } };
        }),
      );
    case 'datetime_features':
      return fitDatetimeStep(step.id, DatetimeFeaturesParams.parse(p), frame);
    default: {
      const max = p.maxCategories as number | undefined;
      return {
        type: 'one_hot',
        nodeId: step.id,
        columns: cols.map(({ f }) => {
          const counts = sum(f.name).counts ?? {};
          let cats = Object.keys(counts);
          let dropped = 0;
          if (max !== undefined && cats.length > max) {
            cats.sort((a, b) => counts[b]! - counts[a]! || (a < b ? -1 : a > b ? 1 : 0));
            dropped = cats.length - max;
            cats = cats.slice(0, max);
          }
          cats.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          return { name: f.name, state: { kind: 'one_hot' as const, version: 1 as const, categories: cats, droppedCategories: dropped } };
        }),
      };
    }
  }
}

/**
 * Fitted steps 0..prep.length-1 from merged statistics, applied in order to `frames`
 * (the first frame decides column selection). Returns the fitted steps and the frames after them.
 */
export function replayPrep(p: DistributedPipeline, transformSteps: PipelineStep[], prep: ShardStats[], frames: Frame[]): { fitted: FittedStep[]; frames: Frame[] } {
  const fitted: FittedStep[] = [];
  let cur = frames;
  for (let i = 0; i < prep.length && i < transformSteps.length; i++) {
    const f = fittedFromStats(transformSteps[i]!, prep[i]!, cur[0]!);
    fitted.push(f);
    cur = cur.map((fr) => applyStep(f, fr));
  }
  void p;
  return { fitted, frames: cur };
}
