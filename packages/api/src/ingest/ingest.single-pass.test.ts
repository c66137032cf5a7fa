import assert from 'node:assert/strict';
import { tempDir, ingest, values, writeTemp } from './test-helpers.js';

/**
 * The single pass converts under the plan of a prefix and re-checks it at every batch boundary.
 * Regression: the last, partial batch was not re-checked, so a value after the prefix that
 * changes the plan inside it (an integer column meeting 1.5) was stored under the old plan (the
 * 1.5 lost as an invalid Int32) while the schema said float.
 */
describe('ingest: a plan change after the prefix, inside the last partial batch', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  for (const engine of ['js', 'auto'] as const) {
    it(`integer → float (engine ${engine}): the value is kept and the column is Float64`, async () => {
      const rows = ['n,m', ...Array.from({ length: 300 }, (_, i) => `${i},${i * 2}`), '1.5,7'];
      const { result, table } = await ingest(t.dir, writeTemp(t.dir, `late-${engine}.csv`, rows.join('\n') + '\n'), { prefixRows: 10, engine });
      assert.equal(result.schema.columns[0].type, 'float');
      assert.equal(result.schema.columns[0].invalidCount, 0);
      assert.equal(String(table.schema.fields[0].type), 'Float64');
      const n = values(table, 'n');
      assert.equal(n.length, 301);
      assert.equal(n[300], 1.5);
      assert.equal(n[299], 299);
    });
  }

  it('a day-first date decided after the prefix converts every row day-first', async () => {
    const rows = ['d,x', ...Array.from({ length: 200 }, (_, i) => `0${(i % 9) + 1}/0${(i % 9) + 1}/2020,${i}`), '25/03/2020,1'];
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'late-dmy.csv', rows.join('\n') + '\n'), { prefixRows: 10 });
    assert.equal(result.schema.columns[0].type, 'datetime');
    assert.equal(result.schema.columns[0].invalidCount, 0);
    const d = values(table, 'd');
    assert.equal(new Date(Number(d[200])).toISOString().slice(0, 10), '2020-03-25');
  });
});

describe('ingest: wide files get shorter record batches (bounded per-column buffers)', function () {
  this.timeout(60_000);
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  it('2,000 columns × 3,000 rows → batches of 2,097 rows (4,194,304 values), same data with either engine', async () => {
    const cols = 2000;
    const lines = [Array.from({ length: cols }, (_, i) => `c${i}`).join(',')];
    for (let r = 0; r < 3000; r++) lines.push(Array.from({ length: cols }, (_, i) => ((r * 31 + i) % 1000) / 8).join(','));
    const csv = writeTemp(t.dir, 'wide.csv', lines.join('\n') + '\n');
    for (const engine of ['auto', 'js'] as const) {
      const { result, table } = await ingest(t.dir, csv, { engine });
      assert.equal(result.rowCount, 3000);
      assert.equal(result.batchCount, 2, engine);
      assert.deepEqual(table.batches.map((b) => b.numRows), [2097, 903]);
      assert.equal(values(table, 'c1999')[2999], ((2999 * 31 + 1999) % 1000) / 8);
    }
  });
});

describe('ingest: infinite values are reported', function () {
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  it('INFINITE_VALUES names the column and the count (models refuse ±Infinity later with NON_FINITE_VALUES)', async () => {
    const { result } = await ingest(t.dir, writeTemp(t.dir, 'inf.csv', 'x,y\n1,2\ninf,3\n-inf,4\n5,6\n'));
    const w = result.warnings.find((x) => x.code === 'INFINITE_VALUES');
    assert.ok(w, JSON.stringify(result.warnings));
    assert.equal(w.column, 'x');
    assert.match(w.message, /2 infinite values/);
    assert.equal(result.warnings.filter((x) => x.code === 'INFINITE_VALUES').length, 1);
  });
});
