import * as assert from 'node:assert/strict';
import { applyOrdinal, fitOrdinal, ordinalFromJSON } from './ordinal.js';
import { applyTargetEncoder, fitTargetEncoder, fitTransformTargetEncoder, outOfFoldAssignment, targetEncoderFromJSON, type EncoderTarget } from './target-encoder.js';
import { CategoricalColumn } from './columns.js';
import { KernelError } from '../errors.js';

const cat = (codes: number[], dictionary: string[], valid: number[] | null = null): CategoricalColumn => ({ codes: Int32Array.from(codes), dictionary, valid: valid ? Uint8Array.from(valid) : null });
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i])), `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('kernels/preprocess encoders', () => {
  describe('ordinal', () => {
    /*
     * scikit-learn 1.2.1:
     *   X = np.array([['b'],['a'],[np.nan],['c'],['a']], dtype=object)
     *   enc = OrdinalEncoder(handle_unknown='use_encoded_value', unknown_value=-1).fit(X)
     *   enc.categories_                      # ['a', 'b', 'c', nan]
     *   enc.transform([['c'],['z'],[nan],['a']]).ravel()              # [2, -1, nan, 0]
     *   OrdinalEncoder(..., encoded_missing_value=-2) → transform     # [2, -1, -2, 0]
     */
    const train = cat([0, 1, -1, 2, 1], ['b', 'a', 'c']);
    const fresh = cat([0, 1, 2, 3], ['c', 'z', 'x', 'a'], [1, 1, 0, 1]);

    it('matches scikit-learn OrdinalEncoder (sorted categories, unknown → unknownValue, missing stays missing)', () => {
      const st = fitOrdinal(train);
      assert.deepEqual(st.categories, ['a', 'b', 'c']);
      const r = applyOrdinal(fresh, json(ordinalFromJSON(json(st))));
      assert.deepEqual([...r.column.values].map((v) => (Number.isNaN(v) ? 'nan' : v)), [2, -1, 'nan', 0]);
      assert.deepEqual([...r.column.valid!], [1, 1, 0, 1]);
      assert.equal(r.unknownCount, 1);
      assert.equal(r.missingCount, 1);
    });

    it('encodedMissingValue encodes missing rows (scikit-learn encoded_missing_value)', () => {
      const r = applyOrdinal(fresh, fitOrdinal(train, { encodedMissingValue: -2 }));
      assert.deepEqual([...r.column.values], [2, -1, -2, 0]);
      assert.equal(r.column.valid, null);
    });

    it('refuses an unknownValue that is a seen code, and numeric columns', () => {
      assert.throws(() => fitOrdinal(train, { unknownValue: 1 }), /INVALID_INPUT: .*unknownValue 1 is the code of seen category "b"/);
      assert.doesNotThrow(() => fitOrdinal(train, { unknownValue: 3 }));
      assert.throws(() => fitOrdinal({ values: new Float64Array(2), valid: null } as unknown as CategoricalColumn), /categorical/);
      assert.throws(() => ordinalFromJSON({ kind: 'ordinal' }), (e: unknown) => e instanceof KernelError && e.code === 'INVALID_ARTIFACT');
    });
  });

  describe('target encoder', () => {
    /*
     * scikit-learn 1.2 (the Debian package here) has no TargetEncoder; the reference is a numpy
     * transcription of scikit-learn 1.3's sklearn/preprocessing/_target_encoder_fast.pyx
     * (_fit_encoding_fast_auto_smooth / _fit_encoding_fast), missing values as a category:
     *
     *   def fit(cats, y, smooth):
     *       keys = sorted(set(c for c in cats if c is not None)) + [None]
     *       idx = np.array([keys.index(c) for c in cats]); ym, yv = y.mean(), y.var(); enc = {}
     *       for k, key in enumerate(keys):
     *           m = idx == k; n = m.sum()
     *           if n == 0: enc[key] = ym; continue
     *           if smooth == 'auto':
     *               mu = y[m].mean(); ssd = ((y[m] - mu) ** 2).sum(); lam = yv * n / (yv * n + ssd / n)
     *               enc[key] = ym if np.isnan(lam) else lam * mu + (1 - lam) * ym
     *           else: enc[key] = (y[m].sum() + smooth * ym) / (n + smooth)
     *       return enc, ym
     *   def oof(cats, y, folds, k, smooth):   # TargetEncoder.fit_transform with the given folds
     *       out = np.empty(len(y))
     *       for f in range(k):
     *           tr = folds != f; enc, ym = fit([c for c, t in zip(cats, tr) if t], y[tr], smooth)
     *           for i in np.where(~tr)[0]: out[i] = enc.get(cats[i], ym)
     *       return out
     *   cats = ['a','b','a','c','b','a',None,'c','a','b','d',None]
     *   yc = [1.5, 3.0, 2.0, 10.0, 2.5, 1.0, 4.0, 12.0, 0.5, 3.5, 7.0, 5.0]
     *   yb = [1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1];  ym = [0, 1, 0, 2, 1, 0, 2, 2, 0, 1, 1, 2]
     *   folds = [0,1,2,0,1,2,0,1,2,0,1,2]
     * Values below: enc for ['a','b','c','d',None], then oof.
     */
    const col = cat([0, 1, 0, 2, 1, 0, -1, 2, 0, 1, 3, -1], ['a', 'b', 'c', 'd']);
    const folds = Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const yc: EncoderTarget = { type: 'continuous', values: Float64Array.from([1.5, 3.0, 2.0, 10.0, 2.5, 1.0, 4.0, 12.0, 0.5, 3.5, 7.0, 5.0]) };
    const yb: EncoderTarget = { type: 'binary', labels: Int32Array.from([1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1]) };
    const ym: EncoderTarget = { type: 'multiclass', labels: Int32Array.from([0, 1, 0, 2, 1, 0, 2, 2, 0, 1, 1, 2]), nClasses: 3 };
    const REF = {
      cont_auto: {
        enc: [1.2699899149978389, 3.0061585835257887, 10.732739420935413, 7.0, 4.498277841561423],
        oof: [1.1963334377937946, 3.5, 1.5, 12.0, 3.5, 1.5, 5.0, 10.0, 1.5, 2.7533495736906213, 3.4375, 4.0],
        mean: 4.333333333333333,
      },
      cont_2: {
        enc: [2.2777777777777777, 3.5333333333333328, 7.666666666666666, 5.222222222222222, 4.416666666666666],
        oof: [2.35, 3.4583333333333335, 4.125, 6.75, 3.4583333333333335, 4.125, 4.416666666666667, 5.625, 4.125, 3.4375, 3.4375, 4.958333333333333],
      },
      bin_auto: {
        enc: [0.7230538922155689, 0.0, 1.0, 1.0, 0.5283018867924528],
        oof: [0.6566604127579737, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.625, 0.0],
        mean: 0.5833333333333334,
      },
      bin_2: {
        enc: [0.6944444444444445, 0.23333333333333334, 0.7916666666666667, 0.7222222222222223, 0.5416666666666667],
        oof: [0.65, 0.4166666666666667, 0.6666666666666666, 0.75, 0.4166666666666667, 0.6666666666666666, 0.75, 0.75, 0.6666666666666666, 0.3125, 0.625, 0.3333333333333333],
      },
      multi: [
        { enc: [1.0, 0.0, 0.0, 0.0, 0.0], oof: [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.5, 0.0] },
        { enc: [0.0, 1.0, 0.0, 1.0, 0.0], oof: [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.125, 0.0] },
        { enc: [0.0, 0.0, 1.0, 0.0, 1.0], oof: [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.375, 1.0] },
      ],
    };
    const flat = (st: ReturnType<typeof fitTargetEncoder>, o = 0) => [...st.encodings[o], st.missingEncoding![o]];

    for (const [name, target, smooth, ref] of [
      ['regression, smooth auto', yc, 'auto', REF.cont_auto],
      ['regression, smooth 2', yc, 2, REF.cont_2],
      ['binary, smooth auto', yb, 'auto', REF.bin_auto],
      ['binary, smooth 2', yb, 2, REF.bin_2],
    ] as const) {
      it(`${name}: full-data encodings and out-of-fold train encodings match the scikit-learn 1.3 algorithm`, () => {
        const { state, columns } = fitTransformTargetEncoder(col, target, folds, 3, { smooth });
        assert.deepEqual(state.categories, ['a', 'b', 'c', 'd']);
        close(flat(state), ref.enc);
        close(columns[0].values, ref.oof);
        if ('mean' in ref) close(state.targetMean, [ref.mean]);
      });
    }

    it('multiclass: one output per class (one-vs-rest), each matching the binary algorithm', () => {
      const { state, columns } = fitTransformTargetEncoder(col, ym, folds, 3);
      assert.equal(state.nOutputs, 3);
      REF.multi.forEach((ref, k) => {
        close(flat(state, k), ref.enc);
        close(columns[k].values, ref.oof);
      });
    });

    it('applies to new data: unseen categories → target mean, missing → the missing encoding', () => {
      const st = targetEncoderFromJSON(json(fitTargetEncoder(col, yc)));
      const r = applyTargetEncoder(cat([0, 1, 2, 0], ['zz', 'd', 'a'], [1, 1, 1, 0]), st);
      close(r.columns[0].values, [REF.cont_auto.mean, 7.0, REF.cont_auto.enc[0], REF.cont_auto.enc[4]]);
      assert.equal(r.unknownCount, 1);
      assert.equal(r.missingCount, 1);
      // No missing values at fit: a missing value at transform is unknown → the mean.
      const noMissing = fitTargetEncoder(cat([0, 1, 0], ['a', 'b']), { type: 'continuous', values: Float64Array.from([1, 2, 3]) });
      assert.equal(noMissing.missingEncoding, null);
      close(applyTargetEncoder(cat([-1], ['a']), noMissing).columns[0].values, [2]);
    });

    it('out-of-fold assignment is deterministic per (row id, seed) and roughly balanced', () => {
      const ids = Int32Array.from({ length: 10000 }, (_, i) => i);
      const a = outOfFoldAssignment(ids, 5, 42);
      assert.deepEqual(a, outOfFoldAssignment(ids, 5, 42));
      assert.notDeepEqual(a, outOfFoldAssignment(ids, 5, 43));
      const counts = [0, 0, 0, 0, 0];
      for (const f of a) counts[f]++;
      for (const c of counts) assert.ok(Math.abs(c - 2000) < 200, `fold sizes ${counts}`);
      // A row keeps its fold when read among other rows (shards agree with one task).
      assert.deepEqual(outOfFoldAssignment(ids.subarray(5000, 5010), 5, 42), a.subarray(5000, 5010));
    });

    it('rejects bad targets, labels and smooth', () => {
      assert.throws(() => fitTargetEncoder(col, { type: 'continuous', values: new Float64Array(3) }), /target has 3 rows/);
      assert.throws(() => fitTargetEncoder(col, { type: 'binary', labels: new Int32Array(12).fill(2) }), /label 2 at row 0/);
      assert.throws(() => fitTargetEncoder(col, yc, { smooth: -1 }), /smooth/);
      assert.throws(() => fitTransformTargetEncoder(col, yc, new Int32Array(12).fill(3), 3), /fold 3 at row 0/);
      assert.throws(() => targetEncoderFromJSON({ kind: 'target_encoder', version: 1 }), (e: unknown) => e instanceof KernelError && e.code === 'INVALID_ARTIFACT');
    });
  });
});
