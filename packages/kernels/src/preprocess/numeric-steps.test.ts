import * as assert from 'node:assert/strict';
import { DATETIME_FEATURES, datetimeFeatures } from './datetime.js';
import { applyClip, clipFromJSON, fitClip } from './clip.js';
import { fitVarianceThreshold, thresholdVariance, varianceStats } from './variance.js';
import { mergeScalerStats } from './scaler.js';
import { NumericColumn } from './columns.js';
import { KernelError } from '../errors.js';

const num = (values: number[], valid: number[] | null = null): NumericColumn => ({ values: Float64Array.from(values), valid: valid ? Uint8Array.from(valid) : null });
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('kernels/preprocess numeric steps', () => {
  describe('datetime features', () => {
    /*
     * pandas 1.5.3:
     *   ts = pd.to_datetime(pd.Series(['1970-01-01T00:00:00Z','2000-02-29T23:59:59.5Z','2021-12-31T12:34:56Z',
     *                                  '1969-12-31T23:00:00Z','2024-03-03T01:02:03Z','1900-03-01T00:00:00Z']), utc=True)
     *   (ts.astype('int64') // 10**6).tolist()   # the ms below
     *   ts.dt.year / quarter / month / day / dayofweek / dayofyear / hour / minute / second
     */
    const ms = [0, 951868799500, 1640954096000, -3600000, 1709427723000, -2203891200000];
    const REF: Record<string, number[]> = {
      year: [1970, 2000, 2021, 1969, 2024, 1900],
      quarter: [1, 1, 4, 4, 1, 1],
      month: [1, 2, 12, 12, 3, 3],
      day: [1, 29, 31, 31, 3, 1],
      day_of_week: [3, 1, 4, 2, 6, 3],
      day_of_year: [1, 60, 365, 365, 63, 60],
      hour: [0, 23, 12, 23, 1, 0],
      minute: [0, 59, 34, 0, 2, 0],
      second: [0, 59, 56, 0, 3, 0],
      is_weekend: [0, 0, 0, 0, 1, 0],
      epoch_seconds: ms.map((v) => v / 1000),
    };

    it('matches pandas .dt (UTC) for every feature, including dates before 1970 and leap days', () => {
      const out = datetimeFeatures(num(ms), DATETIME_FEATURES);
      DATETIME_FEATURES.forEach((f, j) => assert.deepEqual([...out[j].values], REF[f], f));
      assert.ok(out.every((c) => c.valid === null));
    });

    it('agrees with Date.prototype.getUTC* over 40 years of hourly steps', () => {
      const start = Date.UTC(1990, 0, 1);
      const values = Array.from({ length: 40 * 8766 }, (_, i) => start + i * 3_600_000 + (i % 61) * 1000);
      const [y, mo, d, h, s] = datetimeFeatures(num(values), ['year', 'month', 'day', 'hour', 'second']);
      for (let i = 0; i < values.length; i++) {
        const t = new Date(values[i]);
        if (y.values[i] !== t.getUTCFullYear() || mo.values[i] !== t.getUTCMonth() + 1 || d.values[i] !== t.getUTCDate() || h.values[i] !== t.getUTCHours() || s.values[i] !== t.getUTCSeconds()) {
          assert.fail(`row ${i} (${t.toISOString()})`);
        }
      }
    });

    it('missing timestamps stay missing in every output; bad features are refused', () => {
      const out = datetimeFeatures(num([0, NaN, 5, 0], [1, 1, 0, 1]), ['year', 'hour']);
      for (const c of out) {
        assert.deepEqual([...c.valid!], [1, 0, 0, 1]);
        assert.ok(Number.isNaN(c.values[1]) && Number.isNaN(c.values[2]));
      }
      assert.throws(() => datetimeFeatures(num([0]), []), /at least one feature/);
      assert.throws(() => datetimeFeatures(num([0]), ['week' as 'year']), /unknown feature 'week'/);
    });
  });

  describe('clip', () => {
    /*
     * numpy 1.24.2:
     *   c = np.array([3., -1., 10., 7., np.nan, 2., 8.5, 100.]); p = c[~np.isnan(c)]
     *   lo, hi = np.quantile(p, 0.1), np.quantile(p, 0.9)   # 0.8000000000000003, 46.00000000000003
     *   np.clip(c, lo, hi)   # [3, 0.8000000000000003, 10, 7, nan, 2, 8.5, 46.00000000000003]
     */
    const c = num([3, -1, 10, 7, NaN, 2, 8.5, 100]);

    it('quantile bounds match numpy.quantile and clip as numpy.clip; missing stays missing', () => {
      const st = clipFromJSON(json(fitClip(c, { lowerQuantile: 0.1, upperQuantile: 0.9 })));
      assert.equal(st.lower, 0.8000000000000003);
      assert.equal(st.upper, 46.00000000000003);
      const r = applyClip(c, st);
      assert.deepEqual([...r.column.values].map((v) => (Number.isNaN(v) ? 'nan' : v)), [3, 0.8000000000000003, 10, 7, 'nan', 2, 8.5, 46.00000000000003]);
      assert.equal(r.clippedLow, 1);
      assert.equal(r.clippedHigh, 1);
    });

    it('value bounds, one-sided bounds, and an all-missing column (no quantile bound)', () => {
      assert.deepEqual([...applyClip(c, fitClip(c, { lower: 0, upper: 9 })).column.values].filter((v) => v === v), [3, 0, 9, 7, 2, 8.5, 9]);
      const upperOnly = fitClip(c, { upper: 5 });
      assert.equal(upperOnly.lower, null);
      assert.deepEqual([...applyClip(c, upperOnly).column.values].filter((v) => v === v), [3, -1, 5, 5, 2, 5, 5]);
      const empty = fitClip(num([NaN, NaN]), { lowerQuantile: 0.05, upper: 1 });
      assert.deepEqual([empty.lower, empty.upper], [null, 1]);
    });

    it('refuses both a value and a quantile for one side, quantiles outside [0, 1], lower > upper', () => {
      assert.throws(() => fitClip(c, { lower: 0, lowerQuantile: 0.1 }), /lower or lowerQuantile, not both/);
      assert.throws(() => fitClip(c, { upperQuantile: 1.5 }), /upperQuantile must be in \[0, 1\]/);
      assert.throws(() => fitClip(c, { lower: 5, upper: 1 }), /lower 5 is above upper 1/);
      assert.throws(() => clipFromJSON({ kind: 'clip', version: 1, lower: 'x', upper: null }), (e: unknown) => e instanceof KernelError && e.code === 'INVALID_ARTIFACT');
    });
  });

  describe('variance threshold', () => {
    /*
     * scikit-learn 1.2.1:
     *   V = np.array([[0,1,0.1,5],[0,2,0.1,5],[1,3,0.1,5],[0,4,0.1,np.nan],[0,5,0.1,6]], dtype=float)
     *   VarianceThreshold(0).fit(V).variances_      # [0.16000000000000006, 2.0, 0.0, 0.1875]
     *   VarianceThreshold(0).fit(V).get_support()   # [True, True, False, True]
     *   VarianceThreshold(0.2).fit(V).get_support() # [False, True, False, False]
     *   VarianceThreshold(1.9).fit(V).get_support() # [False, True, False, False]
     */
    const V = [num([0, 0, 1, 0, 0]), num([1, 2, 3, 4, 5]), num([0.1, 0.1, 0.1, 0.1, 0.1]), num([5, 5, 5, NaN, 6])];

    it('matches scikit-learn VarianceThreshold variances and support (NaN skipped)', () => {
      const r0 = fitVarianceThreshold(V, 0);
      r0.variances.forEach((v, j) => assert.ok(Math.abs(v - [0.16000000000000006, 2.0, 0.0, 0.1875][j]) < 1e-15, `${j}: ${v}`));
      assert.deepEqual(r0.support, [true, true, false, true]);
      assert.deepEqual(fitVarianceThreshold(V, 0.2).support, [false, true, false, false]);
      assert.deepEqual(fitVarianceThreshold(V, 1.9).support, [false, true, false, false]);
    });

    it('merged shard moments give the same variance; an all-missing column never passes', () => {
      const values = Array.from({ length: 97 }, (_, i) => Math.cos(i) * 3 + 1e3);
      const whole = varianceStats(num(values));
      const a = varianceStats(num(values.slice(0, 40)));
      const b = varianceStats(num(values.slice(40)));
      const m = { ...mergeScalerStats(a, b), min: Math.min(a.min!, b.min!), max: Math.max(a.max!, b.max!) };
      assert.ok(Math.abs(thresholdVariance(m, 0.5) - thresholdVariance(whole, 0.5)) < 1e-9);
      assert.deepEqual(fitVarianceThreshold([num([NaN, NaN])], 0).support, [false]);
      assert.throws(() => fitVarianceThreshold(V, -1), /threshold/);
    });
  });
});
