// Test-only helpers (not exported from the package index): a tiny CSV reader for the
// example datasets and fixture loading. This is the only file under src/ that does I/O,
// and only test files import it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyStandardScaler, fitStandardScaler } from '../preprocess/scaler.js';
import { assembleMatrix } from '../preprocess/assemble.js';
import { splitMask } from '../split/split.js';

/** /work/main (repo root), from dist/testing/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');

/** Reads fixtures/<name>.json. */
export function fixture<T = any>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
}

export interface CsvData {
  features: string[];
  columns: Float64Array[];
  labels: string[];
}

/** Reads a CSV of numbers plus one label column (no quoting; the example datasets need none). */
export function readCsv(file: string, target: string): CsvData {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'datasets', file), 'utf8');
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const t = header.indexOf(target);
  if (t < 0) throw new Error(`no column ${target} in ${file}`);
  const features = header.filter((_, i) => i !== t);
  const n = lines.length - 1;
  const columns = features.map(() => new Float64Array(n));
  const labels: string[] = [];
  for (let r = 0; r < n; r++) {
    const cells = lines[r + 1].split(',');
    let j = 0;
    for (let i = 0; i < cells.length; i++) {
      if (i === t) labels.push(cells[i]);
      else columns[j++][r] = cells[i] === '' ? NaN : Number(cells[i]);
    }
  }
  return { features, columns, labels };
}

export interface PreparedSplit {
  testRowIds: number[];
  Xtr: Float32Array;
  Xte: Float32Array;
  nTrain: number;
  nTest: number;
  nFeatures: number;
  trainIdx: number[];
  testIdx: number[];
}

/** splitMask(seed 42, 0.2) + standard scaling fitted on train rows, with our kernels. */
export function prepare(data: CsvData, seed = 42, testFraction = 0.2): PreparedSplit {
  const n = data.labels.length;
  const mask = splitMask(0, n, seed, testFraction);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (let i = 0; i < n; i++) (mask[i] ? testIdx : trainIdx).push(i);
  const pick = (c: Float64Array, idx: number[]) => Float64Array.from(idx, (i) => c[i]);
  const tr = data.columns.map((c, j) => ({ name: data.features[j], column: { values: pick(c, trainIdx), valid: null } }));
  const te = data.columns.map((c, j) => ({ name: data.features[j], column: { values: pick(c, testIdx), valid: null } }));
  const states = tr.map((c) => fitStandardScaler(c.column));
  const Xtr = assembleMatrix(tr.map((c, j) => ({ name: c.name, column: applyStandardScaler(c.column, states[j]) })));
  const Xte = assembleMatrix(te.map((c, j) => ({ name: c.name, column: applyStandardScaler(c.column, states[j]) })));
  return { testRowIds: testIdx, Xtr: Xtr.X, Xte: Xte.X, nTrain: trainIdx.length, nTest: testIdx.length, nFeatures: data.features.length, trainIdx, testIdx };
}

/** Class names -> 0..K-1 in sorted order (as sklearn's LabelEncoder). */
export function encodeLabels(labels: string[]): { y: Int32Array; classes: string[] } {
  const classes = [...new Set(labels)].sort();
  return { y: Int32Array.from(labels, (l) => classes.indexOf(l)), classes };
}

/** Deterministic pseudo-random numbers in [0, 1) for tests. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
