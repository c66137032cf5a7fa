import * as assert from 'node:assert/strict';
import { applyImputer, fitImputer, imputerFromJSON } from './imputer.js';
import { applyStandardScaler, fitStandardScaler, mergeScalerStats, scalerFromStats, scalerPartialStats, standardScalerFromJSON } from './scaler.js';
import { applyOneHot, fitOneHot, oneHotFromJSON } from './onehot.js';
import { assembleMatrix } from './assemble.js';
import { CategoricalColumn, NumericColumn } from './columns.js';
import { KernelError } from '../errors.js';

const num = (values: number[], valid: number[] | null = null): NumericColumn => ({ values: Float64Array.from(values), valid: valid ? Uint8Array.from(valid) : null });
const cat = (codes: number[], dictionary: string[], valid: number[] | null = null): CategoricalColumn => ({ codes: Int32Array.from(codes), dictionary, valid: valid ? Uint8Array.from(valid) : null });
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('kernels/preprocess', () => {
  describe('imputer', () => {
    // 99 is masked out, NaN is missing too
    const col = num([1, 2, 99, NaN, 2, 10], [1, 1, 0, 1, 1, 1]);

    it('mean / median / most_frequent / constant skip missing values', () => {
      assert.equal(fitImputer(col, { strategy: 'mean' }).fill, 15 / 4);
      assert.equal(fitImputer(col, { strategy: 'median' }).fill, 2);
      assert.equal(fitImputer(num([1, 2, 3, 4]), { strategy: 'median' }).fill, 2.5);
      assert.equal(fitImputer(col, { strategy: 'most_frequent' }).fill, 2);
      assert.equal(fitImputer(num([3, 1, 3, 1]), { strategy: 'most_frequent' }).fill, 1); // tie -> smallest
      assert.equal(fitImputer(col, { strategy: 'constant', fillValue: -1 }).fill, -1);
    });

    it('applies the fill and returns a column with no missing values', () => {
      const st = fitImputer(col, { strategy: 'median' });
      const out = applyImputer(col, json(st)) as NumericColumn;
      assert.deepEqual([...out.values], [1, 2, 2, 2, 2, 10]);
      assert.equal(out.valid, null);
      assert.deepEqual(imputerFromJSON(json(st)), st);
    });

    it('all-missing column falls back to the constant and flags it', () => {
      const st = fitImputer(num([NaN, NaN]), { strategy: 'mean' });
      assert.equal(st.fill, 0);
      assert.equal(st.emptyAtFit, true);
    });

    it('categorical most_frequent and constant, across different dictionaries', () => {
      const c = cat([0, 1, 1, -1, 0, 1], ['a', 'b'], [1, 1, 1, 1, 0, 1]);
      const st = fitImputer(c, { strategy: 'most_frequent' });
      assert.equal(st.fill, 'b');
      const other = cat([0, -1, 1], ['b', 'z']);
      const out = applyImputer(other, st) as CategoricalColumn;
      assert.deepEqual(out.codes.map((k) => 0 + k), Int32Array.from([0, 0, 1]));
      const k = fitImputer(c, { strategy: 'constant' });
      const out2 = applyImputer(c, k) as CategoricalColumn;
      assert.deepEqual(out2.dictionary, ['a', 'b', 'missing_value']);
      assert.deepEqual([...out2.codes], [0, 1, 1, 2, 2, 1]);
      assert.throws(() => fitImputer(c, { strategy: 'mean' }), /INVALID_INPUT: .*numeric column/);
    });
  });

  describe('standard scaler', () => {
    it('matches population mean/std and skips missing values', () => {
      const st = fitStandardScaler(num([1, 2, 3, 1000], [1, 1, 1, 0]));
      assert.equal(st.mean, 2);
      assert.ok(Math.abs(st.scale - Math.sqrt(2 / 3)) < 1e-15);
      const out = applyStandardScaler(num([1, 3, 5, NaN], [1, 1, 0, 1]), st);
      assert.ok(Math.abs(out.values[0] + 1 / Math.sqrt(2 / 3)) < 1e-12);
      assert.ok(Number.isNaN(out.values[2]) && Number.isNaN(out.values[3]));
      assert.deepEqual([...out.valid!], [1, 1, 0, 1]);
    });

    it('a constant column scales to 0, never NaN (also float32 and all-missing)', () => {
      const c = { values: new Float32Array([0.1, 0.1, 0.1, 0.1, 0.1]), valid: null };
      const st = fitStandardScaler(c);
      assert.equal(st.scale, 1);
      assert.deepEqual([...applyStandardScaler(c, st).values], [0, 0, 0, 0, 0]);
      const empty = fitStandardScaler(num([NaN, NaN]));
      assert.equal(empty.scale, 1);
      assert.equal(empty.mean, 0);
    });

    it('merged shard moments equal one pass (Chan et al.)', () => {
      const values = Array.from({ length: 101 }, (_, i) => Math.sin(i) * 100 + 1e4);
      const whole = scalerPartialStats(num(values));
      const merged = mergeScalerStats(scalerPartialStats(num(values.slice(0, 37))), scalerPartialStats(num(values.slice(37))));
      assert.ok(Math.abs(whole.mean - merged.mean) < 1e-9);
      assert.ok(Math.abs(whole.m2 - merged.m2) < 1e-6 * whole.m2);
      const st = scalerFromStats(merged);
      assert.deepEqual(standardScalerFromJSON(json(st)), st);
    });

    it('SIMD and masked paths agree (odd length)', () => {
      const values = [1.5, -2, 3.25, 8, 0.5, 7, 11];
      const st = fitStandardScaler(num(values));
      const a = applyStandardScaler(num(values), st);
      const b = applyStandardScaler(num(values, [1, 1, 1, 1, 1, 1, 1]), st);
      assert.deepEqual([...a.values], [...b.values]);
      assert.deepEqual([...a.values], values.map((v) => (v - st.mean) * (1 / st.scale)));
    });
  });

  describe('one-hot', () => {
    it('encodes sorted categories; unknown and missing become all-zero rows and are counted', () => {
      const st = fitOneHot(cat([0, 1, 2, 1, -1], ['red', 'green', 'blue']));
      assert.deepEqual(st.categories, ['blue', 'green', 'red']);
      const other = cat([0, 1, 2, 3, 0], ['green', 'purple', 'red', 'blue'], [1, 1, 1, 1, 0]);
      const r = applyOneHot(other, json(oneHotFromJSON(json(st))));
      assert.equal(r.unknownCount, 1);
      assert.equal(r.missingCount, 1);
      assert.deepEqual(r.columns.map((c) => [...c.values]), [
        [0, 0, 0, 1, 0], // blue
        [1, 0, 0, 0, 0], // green
        [0, 0, 1, 0, 0], // red
      ]);
    });

    it('maxCategories keeps the most frequent', () => {
      const st = fitOneHot(cat([0, 0, 0, 1, 1, 2, 3, 3], ['a', 'b', 'c', 'd']), { maxCategories: 2 });
      assert.deepEqual(st.categories, ['a', 'b']);
      assert.equal(st.droppedCategories, 2);
      const r = applyOneHot(cat([2, 3, 0], ['a', 'b', 'c', 'd']), st);
      assert.equal(r.unknownCount, 2);
    });
  });

  describe('assembleMatrix', () => {
    it('interleaves columns row-major as float32', () => {
      const m = assembleMatrix([
        { name: 'a', column: num([1, 2, 3]) },
        { name: 'b', column: { values: new Float32Array([4, 5, 6]), valid: null } },
      ]);
      assert.deepEqual([...m.X], [1, 4, 2, 5, 3, 6]);
      assert.equal(m.nRows, 3);
      assert.equal(m.nFeatures, 2);
      assert.deepEqual(m.featureNames, ['a', 'b']);
    });

    it('throws MISSING_VALUES_REACH_MODEL naming the column, row and count', () => {
      const go = () => assembleMatrix([{ name: 'age', column: num([1, 2, 3]) }, { name: 'income', column: num([1, NaN, 3], [1, 1, 0]) }]);
      assert.throws(go, (e: unknown) => {
        assert.ok(e instanceof KernelError);
        assert.equal(e.code, 'MISSING_VALUES_REACH_MODEL');
        assert.match(e.message, /^MISSING_VALUES_REACH_MODEL: column 'income' has 2 missing value\(s\) \(first at row 1\)/);
        assert.deepEqual(e.details, { column: 'income', row: 1, missingCount: 2 });
        return true;
      });
    });

    it('imputing first makes the same columns pass', () => {
      const income = num([1, NaN, 3], [1, 1, 0]);
      const filled = applyImputer(income, fitImputer(income, { strategy: 'mean' })) as NumericColumn;
      const m = assembleMatrix([{ name: 'income', column: filled }]);
      assert.deepEqual([...m.X], [1, 1, 1]);
    });

    it('rejects categorical columns, unequal lengths and infinities', () => {
      assert.throws(() => assembleMatrix([{ name: 'c', column: cat([0], ['x']) as unknown as NumericColumn }]), /one-hot encode/);
      assert.throws(() => assembleMatrix([{ name: 'a', column: num([1, 2]) }, { name: 'b', column: num([1]) }]), /'b' has 1 rows, expected 2/);
      assert.throws(() => assembleMatrix([{ name: 'a', column: num([1, Infinity]) }]), (e: any) => e.code === 'NON_FINITE_VALUES' && /'a' row 1/.test(e.message) && e.details.column === 'a');
      assert.throws(() => assembleMatrix([{ name: 'a', column: num([1e300]) }]), /float32/);
    });
  });
});
