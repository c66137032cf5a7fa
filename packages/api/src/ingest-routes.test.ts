/**
 * Every file of tests/cases/ingest (and the shipped penguins.csv / cars.csv) uploaded through the
 * real `POST /api/datasets` route, with its README expectation checked on the returned dataset doc.
 * (The ingest-level expectations, including the Arrow values, are in ingest/ingest.cases.test.ts;
 * 19-predict through the predict route belongs to the model route tests.)
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { startTestApi, type TestApi } from './test-support.js';

const ROOT = path.resolve(__dirname, '../../..');
const CASES = path.join(ROOT, 'tests/cases/ingest');
const DATASETS = path.join(ROOT, 'examples/datasets');

interface Column {
  name: string;
  type: string;
  originalName?: string;
  categories?: string[];
  invalidCount?: number;
}
interface Doc {
  id: string;
  rowCount: number;
  schema: { columns: Column[] };
  profile: { columns: Record<string, any>; correlations?: { columns: string[]; matrix: Array<Array<number | null>> } };
  warnings: Array<{ code: string; column?: string; rows?: number[]; message: string }>;
}

/** Uploads a file byte-exact (multipart, field "file") with optional form fields. */
async function upload(t: TestApi, file: string, fields: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([fs.readFileSync(file)], { type: 'text/csv' }), path.basename(file));
  const res = await t.fetch('/api/datasets', { method: 'POST', body: form });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ok(t: TestApi, file: string, fields: Record<string, string> = {}): Promise<Doc> {
  const r = await upload(t, file, fields);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as Doc;
}

const col = (d: Doc, name: string): Column => {
  const c = d.schema.columns.find((x) => x.name === name);
  assert.ok(c, `no column ${name} in ${d.schema.columns.map((x) => x.name).join(', ')}`);
  return c;
};
const numeric = (type: string) => type === 'integer' || type === 'float';
const c = (f: string) => path.join(CASES, f);

describe('ingest through POST /api/datasets: tests/cases/ingest', function () {
  this.timeout(60_000);
  let t: TestApi;
  before(async () => {
    t = await startTestApi();
  });
  after(async () => {
    await t.close();
  });

  it('every case file is covered here', () => {
    const covered = ['01-bom.csv', '03-quoted-multiline.csv', '06-dup-empty-headers.csv', '07-trailing-empty-lines.csv', '08-ragged-rows.csv', '09-null-tokens.csv', '11-leading-zeros-codes.csv', '13-booleans.csv', '16-missing-constant.csv', '17-single-class.csv', '17b-imbalanced.csv', '19-predict.csv', '19-train.csv', '24-missing-vs-zero.csv'];
    assert.deepEqual(fs.readdirSync(CASES).filter((f) => f.endsWith('.csv')).sort(), covered.sort());
  });

  it('01-bom: names id, temp_c, label; 3 rows', async () => {
    const d = await ok(t, c('01-bom.csv'));
    assert.deepEqual(d.schema.columns.map((x) => x.name), ['id', 'temp_c', 'label']);
    assert.equal(d.rowCount, 3);
    assert.equal(col(d, 'temp_c').type, 'float');
    assert.deepEqual(col(d, 'label').categories, ['cold', 'warm']);
  });

  it('03-quoted-multiline: 3 rows; score numeric 7, 8, 9', async () => {
    const d = await ok(t, c('03-quoted-multiline.csv'));
    assert.equal(d.rowCount, 3);
    assert.ok(numeric(col(d, 'score').type));
    const s = d.profile.columns.score;
    assert.deepEqual([s.min, s.max, s.mean, s.missing], [7, 9, 8, 0]);
    assert.equal(d.profile.columns.note.missing, 0);
    assert.equal(d.profile.columns.note.distinct, 3);
  });

  it('06-dup-empty-headers: 5 unique non-empty names, a warning per rename, no value lost', async () => {
    const d = await ok(t, c('06-dup-empty-headers.csv'));
    assert.deepEqual(d.schema.columns.map((x) => x.name), ['id', 'score', 'score_2', 'column_4', 'column_5']);
    assert.deepEqual(d.warnings.filter((w) => w.code === 'COLUMN_RENAMED').map((w) => w.column), ['score_2', 'column_4', 'column_5']);
    for (const x of d.schema.columns) assert.equal(d.profile.columns[x.name].missing, 0, x.name);
    assert.equal(d.profile.columns.score_2.mean, (0.7 + 0.8 + 0.1) / 3);
  });

  it('07-trailing-empty-lines: 3 rows, no errors, no missing values', async () => {
    const d = await ok(t, c('07-trailing-empty-lines.csv'));
    assert.equal(d.rowCount, 3);
    for (const x of ['a', 'b', 'y']) assert.equal(d.profile.columns[x].missing, 0);
    assert.deepEqual(d.warnings, []);
  });

  it('08-ragged-rows: 400 naming each bad line and its field count; nothing stored', async () => {
    const before = (await (await t.fetch('/api/datasets')).json()) as { datasets: unknown[] };
    const r = await upload(t, c('08-ragged-rows.csv'));
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'CSV_RAGGED_ROWS');
    assert.match(r.body.error.message, /line 3 has 4 fields/);
    assert.match(r.body.error.message, /line 4 has 2 fields/);
    assert.deepEqual(r.body.error.details.rows, [
      { line: 3, fields: 4, expected: 3 },
      { line: 4, fields: 2, expected: 3 },
    ]);
    const after = (await (await t.fetch('/api/datasets')).json()) as { datasets: unknown[] };
    assert.equal(after.datasets.length, before.datasets.length);
  });

  it('08-ragged-rows with skipBadRows: 2 rows kept, skipped lines 3 and 4 reported, never padded', async () => {
    const d = await ok(t, c('08-ragged-rows.csv'), { skipBadRows: 'true' });
    assert.equal(d.rowCount, 2);
    const w = d.warnings.find((x) => x.code === 'ROWS_SKIPPED');
    assert.ok(w, JSON.stringify(d.warnings));
    assert.deepEqual(w.rows, [3, 4]);
    for (const x of ['a', 'b', 'y']) assert.equal(d.profile.columns[x].missing, 0, x);
    assert.deepEqual([d.profile.columns.a.min, d.profile.columns.a.max], [1, 7]);
  });

  it('09-null-tokens: horsepower 4 missing, weight 2 missing, origin {usa, europe, japan} 1 missing', async () => {
    const d = await ok(t, c('09-null-tokens.csv'));
    assert.ok(numeric(col(d, 'horsepower').type));
    assert.ok(numeric(col(d, 'weight').type));
    assert.equal(col(d, 'origin').type, 'categorical');
    assert.deepEqual(col(d, 'origin').categories, ['europe', 'japan', 'usa']);
    assert.equal(d.profile.columns.horsepower.missing, 4);
    assert.equal(d.profile.columns.weight.missing, 2);
    assert.equal(d.profile.columns.origin.missing, 1);
    assert.ok(d.schema.columns.every((x) => (x.invalidCount ?? 0) === 0));
  });

  it('09-null-tokens: the null tokens are configurable (nullTokens field)', async () => {
    const d = await ok(t, c('09-null-tokens.csv'), { nullTokens: JSON.stringify(['', '?', 'NA', 'null', 'N/A', 'NULL']) });
    // "-" is now a value: origin gains a fourth category
    assert.deepEqual(col(d, 'origin').categories, ['-', 'europe', 'japan', 'usa']);
    assert.equal(d.profile.columns.origin.missing, 0);
    assert.equal(d.profile.columns.horsepower.missing, 4);
  });

  it('09-null-tokens: per-column null tokens (columnNullTokens field) replace the defaults in that column only', async () => {
    const d = await ok(t, c('09-null-tokens.csv'), { columnNullTokens: JSON.stringify({ origin: ['', 'NA'] }) });
    // in origin "-" is a value; horsepower keeps the default tokens
    assert.deepEqual(col(d, 'origin').categories, ['-', 'europe', 'japan', 'usa']);
    assert.equal(d.profile.columns.horsepower.missing, 4);
    const bad = await upload(t, c('09-null-tokens.csv'), { columnNullTokens: '{"origin": "NA"}' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('columnNullTokens / typeOverrides naming a column the file lacks → 400 UNKNOWN_COLUMN', async () => {
    const bad = await upload(t, c('09-null-tokens.csv'), { columnNullTokens: JSON.stringify({ Origin: ['NA'] }) });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    assert.equal(bad.body.error.code, 'UNKNOWN_COLUMN');
    assert.deepEqual(bad.body.error.details, { option: 'columnNullTokens', columns: ['Origin'], suggestions: { Origin: ['origin'] } });
    const t2 = await upload(t, c('09-null-tokens.csv'), { typeOverrides: JSON.stringify({ nope: 'text' }) });
    assert.equal(t2.status, 400);
    assert.equal(t2.body.error.code, 'UNKNOWN_COLUMN');
  });

  it('a UTF-8 file with one stray byte → 400 CSV_ENCODING naming its offset and line (never read as Windows-1252)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-enc-'));
    try {
      const file = path.join(dir, 'mixed.csv');
      fs.writeFileSync(file, Buffer.concat([Buffer.from('name,n\n' + 'café,1\n'.repeat(1000)), Buffer.from([0xff]), Buffer.from('\n')]));
      const r = await upload(t, file);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'CSV_ENCODING');
      assert.equal(r.body.error.details.offset, 7 + 8 * 1000);
      assert.equal(r.body.error.details.line, 1002);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('11-leading-zeros-codes: zip and part_code stay strings; qty numeric', async () => {
    const d = await ok(t, c('11-leading-zeros-codes.csv'));
    for (const n of ['zip', 'part_code']) assert.ok(!['integer', 'float', 'boolean', 'datetime'].includes(col(d, n).type), `${n}: ${col(d, n).type}`);
    assert.ok(numeric(col(d, 'qty').type));
    const zipValues = (col(d, 'zip').categories ?? d.profile.columns.zip.topCategories.map((x: { value: string }) => x.value)).slice().sort();
    assert.deepEqual(zipValues, ['00501', '00544', '02134', '10001']);
    const parts = (col(d, 'part_code').categories ?? d.profile.columns.part_code.topCategories.map((x: { value: string }) => x.value)).slice().sort();
    assert.deepEqual(parts, ['0012', '39e1804', '3E1777', '7E10'].sort());
  });

  it('13-booleans: subscribed and active boolean (2 true, 2 false, 1 missing); flag01 0/1 integer (documented); count012 numeric', async () => {
    const d = await ok(t, c('13-booleans.csv'));
    for (const n of ['subscribed', 'active']) {
      assert.equal(col(d, n).type, 'boolean');
      const p = d.profile.columns[n];
      assert.deepEqual([p.trueCount, p.falseCount, p.missing], [2, 2, 1]);
    }
    assert.equal(col(d, 'flag01').type, 'integer');
    assert.ok(numeric(col(d, 'count012').type));
    assert.equal(d.profile.columns.count012.max, 2);
  });

  it('16-missing-constant: all-missing kept (6/6), constant std 0 and null correlations, flag kept', async () => {
    const d = await ok(t, c('16-missing-constant.csv'));
    assert.deepEqual(d.schema.columns.map((x) => x.name), ['x', 'all_missing', 'constant', 'flag_or_blank', 'y']);
    assert.equal(d.profile.columns.all_missing.missing, 6);
    assert.equal(d.profile.columns.all_missing.count, 0);
    assert.equal(d.profile.columns.constant.std, 0);
    const corr = d.profile.correlations!;
    const ci = corr.columns.indexOf('constant');
    assert.ok(ci >= 0);
    for (const v of corr.matrix[ci]) assert.equal(v, null);
    const codes = d.warnings.map((w) => `${w.code}:${w.column}`);
    assert.ok(codes.includes('ALL_MISSING:all_missing'));
    assert.ok(codes.includes('CONSTANT_COLUMN:constant'));
    assert.ok(!codes.some((w) => w.endsWith(':flag_or_blank')));
    assert.equal(d.profile.columns.flag_or_blank.missing, 3);
  });

  it('17-single-class: stored; the target keeps its one value and is flagged constant', async () => {
    const d = await ok(t, c('17-single-class.csv'));
    assert.equal(d.rowCount, 5);
    assert.deepEqual(col(d, 'churn').categories, ['yes']);
    assert.ok(d.warnings.some((w) => w.code === 'CONSTANT_COLUMN' && w.column === 'churn'));
  });

  it('17b-imbalanced: one positive in nine rows survives ingest', async () => {
    const d = await ok(t, c('17b-imbalanced.csv'));
    assert.equal(d.rowCount, 9);
    assert.equal(d.profile.columns.fraud.zeros, 8);
    assert.equal(d.profile.columns.fraud.max, 1);
  });

  it('19-train / 19-predict: color categorical; the predict file keeps its blank as missing', async () => {
    const train = await ok(t, c('19-train.csv'));
    assert.equal(col(train, 'color').type, 'categorical');
    assert.deepEqual(col(train, 'color').categories, ['blue', 'green', 'red']);
    const pred = await ok(t, c('19-predict.csv'), { typeOverrides: JSON.stringify({ color: 'categorical', size: col(train, 'size').type }) });
    assert.equal(pred.rowCount, 3);
    assert.equal(pred.profile.columns.color.missing, 1);
    assert.deepEqual(col(pred, 'color').categories, ['purple', 'red']);
  });

  it('24-missing-vs-zero: 4 missing, 3 zeros, mean 0.75', async () => {
    const d = await ok(t, c('24-missing-vs-zero.csv'));
    const p = d.profile.columns.visits;
    assert.deepEqual([p.missing, p.zeros, p.mean, p.count], [4, 3, 0.75, 4]);
  });

  it('penguins.csv: Sex categorical with its missing values; measurements numeric', async () => {
    const d = await ok(t, path.join(DATASETS, 'penguins.csv'));
    assert.equal(col(d, 'Sex').type, 'categorical');
    assert.ok(d.profile.columns.Sex.missing > 0);
    assert.ok(!(col(d, 'Sex').categories ?? []).some((v) => v === '' || v === 'NA'));
    for (const n of ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)']) assert.ok(numeric(col(d, n).type), `${n}: ${col(d, n).type}`);
    assert.equal(col(d, 'Species').type, 'categorical');
  });

  it('cars.csv: Year datetime, Name identifier-like', async () => {
    const d = await ok(t, path.join(DATASETS, 'cars.csv'));
    assert.equal(col(d, 'Year').type, 'datetime');
    assert.equal(col(d, 'Name').type, 'identifier');
    assert.ok(d.warnings.some((w) => w.code === 'LIKELY_IDENTIFIER' && w.column === 'Name'));
    assert.ok(numeric(col(d, 'Miles_per_Gallon').type));
    assert.ok(d.profile.columns.Miles_per_Gallon.missing > 0);
  });
});
