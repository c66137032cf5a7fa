import { check } from '../errors.js';
import { fmix32 } from '../split/hash.js';

/** A generated dataset: X Float32Array [nRows, nFeatures] row-major and its target. */
export interface SyntheticData<Y> {
  X: Float32Array;
  y: Y;
  nRows: number;
  nFeatures: number;
}

/** uniform in (0, 1) from (seed, stream, index); reproduced exactly by fixtures/make_fixtures.py. */
function uniform(seedMix: number, idx: number): number {
  return (fmix32((seedMix ^ idx) >>> 0) + 0.5) / 4294967296;
}

function latent(nRows: number, d: number, seed: number, noise: number): { X: Float32Array; z: Float64Array } {
  check(Number.isInteger(nRows) && nRows >= 1 && Number.isInteger(d) && d >= 1, 'synthetic: nRows and nFeatures must be positive integers');
  check(nRows * d < 2 ** 32, 'synthetic: nRows * nFeatures must be < 2^32');
  const s = (stream: number) => fmix32((seed ^ 0x9e3779b9 ^ Math.imul(stream, 0x85ebca6b)) >>> 0);
  const s1 = s(1);
  const s2 = s(2);
  const s3 = s(3);
  const s4 = s(4);
  const w = Float64Array.from({ length: d }, (_, j) => (j < Math.ceil(d / 2) ? Math.cos(j + 1) : 0));
  const X = new Float32Array(nRows * d);
  const z = new Float64Array(nRows);
  const row = new Float64Array(d);
  for (let i = 0; i < nRows; i++) {
    let t = 0;
    for (let j = 0; j < d; j++) {
      const idx = i * d + j;
      const v = Math.fround(Math.sqrt(-2 * Math.log(uniform(s1, idx))) * Math.cos(2 * Math.PI * uniform(s2, idx)));
      X[idx] = v;
      row[j] = v;
      t += w[j] * v;
    }
    if (d >= 2) t += 0.8 * row[0] * row[1];
    if (d >= 3) t += Math.sin(2 * row[2]);
    const e = Math.sqrt(-2 * Math.log(uniform(s3, i))) * Math.cos(2 * Math.PI * uniform(s4, i));
    z[i] = t + noise * e;
  }
  return { X, z };
}

/**
 * Seeded binary classification set: features i.i.d. N(0, 1) (float32), label 1 when
 * sum_j w_j x_j + 0.8 x_0 x_1 + sin(2 x_2) + N(0, 1) > 0 with w_j = cos(j + 1) on the first
 * half of the features and 0 on the rest (so linear models top out well below trees).
 * Deterministic for (nRows, nFeatures, seed); fixtures/make_fixtures.py reproduces it.
 */
export function syntheticClassification(nRows: number, nFeatures: number, seed = 0): SyntheticData<Int32Array> {
  const { X, z } = latent(nRows, nFeatures, seed, 1.0);
  return { X, y: Int32Array.from(z, (v) => (v > 0 ? 1 : 0)), nRows, nFeatures };
}

/** Regression twin of `syntheticClassification`: y = the same latent score with N(0, 0.5²) noise. */
export function syntheticRegression(nRows: number, nFeatures: number, seed = 0): SyntheticData<Float64Array> {
  const { X, z } = latent(nRows, nFeatures, seed, 0.5);
  return { X, y: z, nRows, nFeatures };
}
