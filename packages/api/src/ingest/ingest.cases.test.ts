/** Every file of tests/cases/ingest with the ingest-level expectations of its README. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DatasetProfileSchema, DatasetSchemaSchema } from '@weft/proto';
import { assertNoNonFinite, CASES, ingest, rejectsWith, tempDir, values } from './test-helpers.js';
import { ingestCsvFile } from './index.js';

const c = (f: string) => path.join(CASES, f);

describe('ingest: tests/cases/ingest', () => {
  const t = tempDir();
  after(t.cleanup);

  it('01-bom: BOM stripped before a quoted header, CRLF; streamed and in-memory parses agree', async () => {
    const { result, table } = await ingest(t.dir, c('01-bom.csv'));
    assert.deepEqual(result.schema.columns.map((x) => x.name), ['id', 'temp_c', 'label']);
    assert.equal(result.rowCount, 3);
    assert.deepEqual(result.schema.columns.map((x) => x.type), ['integer', 'float', 'categorical']);
    // in-memory parse of the whole buffer (csv-parse/sync) gives the same cells
    const mem = parse(readFileSync(c('01-bom.csv')), { bom: true, columns: true }) as Array<Record<string, string>>;
    assert.deepEqual(Object.keys(mem[0]), ['id', 'temp_c', 'label']);
    assert.deepEqual(values(table, 'id'), mem.map((r) => Number(r.id)));
    assert.deepEqual(values(table, 'temp_c'), mem.map((r) => Number(r.temp_c)));
    assert.deepEqual(values(table, 'label'), mem.map((r) => r.label));
    // one-row batches give the same table
    const small = await ingest(t.dir, c('01-bom.csv'), { batchRows: 1 });
    assert.equal(small.result.batchCount, 3);
    assert.equal(small.table.batches.length, 3);
    assert.deepEqual(values(small.table, 'temp_c'), [20.5, 3.0, 18.25]);
    assert.deepEqual(small.result.profile, result.profile);
  });

  it('03-quoted-multiline: LF, comma and doubled quotes inside quoted fields of CRLF records', async () => {
    const { result, table } = await ingest(t.dir, c('03-quoted-multiline.csv'));
    assert.equal(result.rowCount, 3);
    const note = values(table, 'note');
    assert.equal(note[0], 'first line\nsecond, with comma');
    assert.equal(note[1], 'she said "hi"');
    assert.equal(note[2], 'plain');
    assert.equal(result.schema.columns[2].type, 'integer');
    assert.deepEqual(values(table, 'score'), [7, 8, 9]);
  });

  it('06-dup-empty-headers: unique, non-empty, deterministic names with a warning per rename', async () => {
    const { result, table } = await ingest(t.dir, c('06-dup-empty-headers.csv'));
    const cols = result.schema.columns;
    assert.deepEqual(cols.map((x) => x.name), ['id', 'score', 'score_2', 'column_4', 'column_5']);
    assert.deepEqual(cols.map((x) => x.originalName), [undefined, undefined, 'score', '', '']);
    const renames = result.warnings.filter((w) => w.code === 'COLUMN_RENAMED');
    assert.deepEqual(renames.map((w) => w.column), ['score_2', 'column_4', 'column_5']);
    assert.deepEqual(values(table, 'score'), [0.5, 0.6, 0.9]);
    assert.deepEqual(values(table, 'score_2'), [0.7, 0.8, 0.1]);
    assert.deepEqual(values(table, 'column_4'), ['x', 'y', 'z']);
    assert.deepEqual(values(table, 'column_5'), [10, 20, 30]);
    const again = await ingest(t.dir, c('06-dup-empty-headers.csv'));
    assert.deepEqual(again.result.schema, result.schema);
  });

  it('07-trailing-empty-lines: no phantom rows, no missing values', async () => {
    const { result } = await ingest(t.dir, c('07-trailing-empty-lines.csv'));
    assert.equal(result.rowCount, 3);
    for (const col of ['a', 'b', 'y']) assert.equal(result.profile.columns[col].missing, 0);
    assert.equal(result.warnings.length, 0);
  });

  it('08-ragged-rows: rejected by default naming each bad line and its field count', async () => {
    const arrowPath = path.join(t.dir, 'ragged.arrow');
    const err = await rejectsWith(ingestCsvFile(c('08-ragged-rows.csv'), arrowPath), 'CSV_RAGGED_ROWS');
    assert.match(err.message, /line 3 has 4 fields/);
    assert.match(err.message, /line 4 has 2 fields/);
    assert.deepEqual((err.details as { rows: unknown[] }).rows, [
      { line: 3, fields: 4, expected: 3 },
      { line: 4, fields: 2, expected: 3 },
    ]);
    assert.equal(existsSync(arrowPath), false);
  });

  it('08-ragged-rows: skipBadRows keeps the 2 good rows, reports the skipped lines, never pads', async () => {
    const { result, table } = await ingest(t.dir, c('08-ragged-rows.csv'), { skipBadRows: true });
    assert.equal(result.rowCount, 2);
    assert.deepEqual(result.skippedRows, [3, 4]);
    assert.deepEqual(values(table, 'a'), [1, 7]);
    assert.deepEqual(values(table, 'y'), [0, 1]);
    const w = result.warnings.find((x) => x.code === 'ROWS_SKIPPED');
    assert.ok(w);
    assert.deepEqual(w.rows, [3, 4]);
  });

  it('09-null-tokens: ?, NA, null, N/A, -, NULL and empty are missing', async () => {
    const { result, table } = await ingest(t.dir, c('09-null-tokens.csv'));
    const type = (n: string) => result.schema.columns.find((x) => x.name === n)!.type;
    assert.ok(['integer', 'float'].includes(type('horsepower')));
    assert.ok(['integer', 'float'].includes(type('weight')));
    assert.equal(type('origin'), 'categorical');
    assert.equal(result.profile.columns.horsepower.missing, 4);
    assert.equal(result.profile.columns.weight.missing, 2);
    assert.equal(result.profile.columns.origin.missing, 1);
    assert.deepEqual(result.schema.columns.find((x) => x.name === 'origin')!.categories, ['europe', 'japan', 'usa']);
    assert.deepEqual(values(table, 'horsepower'), [130, null, null, null, null, 95]);
    assert.deepEqual(values(table, 'origin'), ['usa', 'europe', 'japan', 'usa', null, 'europe']);
    assert.equal(result.schema.columns.every((x) => (x.invalidCount ?? 0) === 0), true);
  });

  it('09-null-tokens: null tokens are configurable per column', async () => {
    // for origin only the empty string is missing: "-" becomes a category
    const { result, table } = await ingest(t.dir, c('09-null-tokens.csv'), { columnNullTokens: { origin: [''] } });
    assert.deepEqual(values(table, 'origin'), ['usa', 'europe', 'japan', 'usa', '-', 'europe']);
    assert.equal(result.profile.columns.origin.missing, 0);
    assert.equal(result.profile.columns.horsepower.missing, 4);
    // "?" is not a null token for horsepower any more: it does not fit the integer column → invalid, stored null, warned
    const r2 = await ingest(t.dir, c('09-null-tokens.csv'), { columnNullTokens: { horsepower: ['NA', 'null', 'N/A'] } });
    const hp = r2.result.schema.columns.find((x) => x.name === 'horsepower')!;
    assert.notEqual(hp.type, 'integer'); // 1 of 3 values does not fit: below 100 values every value must fit
  });

  it('11-leading-zeros-codes: zip and part_code stay strings exactly as written; qty numeric', async () => {
    const { result, table } = await ingest(t.dir, c('11-leading-zeros-codes.csv'));
    const type = (n: string) => result.schema.columns.find((x) => x.name === n)!.type;
    assert.ok(!['integer', 'float', 'boolean', 'datetime'].includes(type('zip')));
    assert.ok(!['integer', 'float', 'boolean', 'datetime'].includes(type('part_code')));
    assert.equal(type('qty'), 'integer');
    assert.deepEqual(values(table, 'zip'), ['00501', '02134', '10001', '00544']);
    assert.deepEqual(values(table, 'part_code'), ['3E1777', '39e1804', '7E10', '0012']);
    assert.deepEqual(values(table, 'qty'), [5, 2, 9, 1]);
  });

  it('13-booleans: yes/no and TRUE/false booleans; 0/1 is integer (documented); 0/1/2 integer', async () => {
    const { result, table } = await ingest(t.dir, c('13-booleans.csv'));
    const col = (n: string) => result.schema.columns.find((x) => x.name === n)!;
    for (const n of ['subscribed', 'active']) {
      assert.equal(col(n).type, 'boolean');
      const p = result.profile.columns[n];
      assert.equal(p.trueCount, 2);
      assert.equal(p.falseCount, 2);
      assert.equal(p.missing, 1);
    }
    assert.deepEqual(values(table, 'subscribed'), [true, false, true, false, null]);
    assert.deepEqual(values(table, 'active'), [true, false, true, false, null]);
    assert.equal(col('flag01').type, 'integer');
    assert.equal(col('count012').type, 'integer');
    assert.deepEqual(values(table, 'count012'), [0, 1, 2, 1, null]);
  });

  it('16-missing-constant: all-missing column kept (6/6), constant std 0 and null correlations, flag kept', async () => {
    const { result, table } = await ingest(t.dir, c('16-missing-constant.csv'));
    assert.deepEqual(result.schema.columns.map((x) => x.name), ['x', 'all_missing', 'constant', 'flag_or_blank', 'y']);
    const p = result.profile.columns;
    assert.equal(p.all_missing.missing, 6);
    assert.equal(p.all_missing.count, 0);
    assert.deepEqual(values(table, 'all_missing'), [null, null, null, null, null, null]);
    assert.equal(p.constant.std, 0);
    assert.equal(p.constant.mean, 14.62);
    const corr = result.profile.correlations!;
    const ci = corr.columns.indexOf('constant');
    assert.ok(ci >= 0);
    for (let j = 0; j < corr.columns.length; j++) assert.equal(corr.matrix[ci][j], null);
    assertNoNonFinite(result);
    const codes = result.warnings.map((w) => `${w.code}:${w.column}`);
    assert.ok(codes.includes('ALL_MISSING:all_missing'));
    assert.ok(codes.includes('CONSTANT_COLUMN:constant'));
    assert.ok(!codes.some((w) => w.endsWith(':flag_or_blank'))); // 1 or blank is informative, not constant
    assert.deepEqual(values(table, 'flag_or_blank'), [1, null, 1, null, 1, null]);
    // the contracts parse it (JSON round trip too)
    DatasetProfileSchema.parse(JSON.parse(JSON.stringify(result.profile)));
    DatasetSchemaSchema.parse(result.schema);
  });

  it('17-single-class: ingests; the target keeps its one value and is flagged constant', async () => {
    const { result, table } = await ingest(t.dir, c('17-single-class.csv'));
    assert.equal(result.rowCount, 5);
    const churn = result.schema.columns.find((x) => x.name === 'churn')!;
    assert.equal(churn.type, 'categorical');
    assert.deepEqual(churn.categories, ['yes']);
    assert.deepEqual(values(table, 'churn'), ['yes', 'yes', 'yes', 'yes', 'yes']);
    assert.ok(result.warnings.some((w) => w.code === 'CONSTANT_COLUMN' && w.column === 'churn'));
  });

  it('17b-imbalanced: one positive in nine rows survives ingest', async () => {
    const { result } = await ingest(t.dir, c('17b-imbalanced.csv'));
    assert.equal(result.rowCount, 9);
    const p = result.profile.columns.fraud;
    assert.equal(p.zeros, 8);
    assert.equal(p.max, 1);
  });

  it('19-train / 19-predict: prediction ingested with the training schema types; blank is missing', async () => {
    const train = await ingest(t.dir, c('19-train.csv'));
    const types = Object.fromEntries(train.result.schema.columns.map((x) => [x.name, x.type]));
    assert.equal(types.color, 'categorical');
    assert.deepEqual(train.result.schema.columns[0].categories, ['blue', 'green', 'red']);
    const pred = await ingest(t.dir, c('19-predict.csv'), { typeOverrides: { color: types.color, size: types.size } });
    assert.equal(pred.result.rowCount, 3);
    assert.deepEqual(values(pred.table, 'color'), ['purple', null, 'red']);
    assert.deepEqual(values(pred.table, 'size'), [2, 1, 3]);
  });

  it('24-missing-vs-zero: 4 missing, 3 zeros, mean 0.75; nulls stay nulls in Arrow', async () => {
    const { result, table } = await ingest(t.dir, c('24-missing-vs-zero.csv'));
    const p = result.profile.columns.visits;
    assert.equal(p.missing, 4);
    assert.equal(p.zeros, 3);
    assert.equal(p.mean, 0.75);
    assert.equal(p.count, 4);
    assert.deepEqual(values(table, 'visits'), [0, null, 0, null, 0, null, 3, null]);
    const v = table.getChild('visits')!;
    assert.equal(v.nullCount, 4);
    assert.equal(v.isValid(1), false);
    assert.equal(v.isValid(0), true);
  });
});
