/** Malformed inputs: each fails with its stable code and the place at fault; nothing is left behind. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ingestCsvFile } from './index.js';
import { ingest, rejectsWith, tempDir, values, writeTemp } from './test-helpers.js';

describe('ingest: errors and encodings', () => {
  const t = tempDir();
  after(t.cleanup);
  const out = (n: string) => path.join(t.dir, `${n}.arrow`);

  it('empty file → CSV_EMPTY; whitespace / BOM only → CSV_EMPTY', async () => {
    await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'empty.csv', ''), out('empty')), 'CSV_EMPTY');
    await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'blank.csv', '\ufeff\r\n\n  \n'), out('blank')), 'CSV_EMPTY');
    assert.equal(existsSync(out('empty')), false);
  });

  it('header only → rowCount 0 with NO_ROWS, all columns kept', async () => {
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'header.csv', 'a,b,c\r\n'));
    assert.equal(result.rowCount, 0);
    assert.equal(table.numRows, 0);
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['a', 'b', 'c']);
    assert.ok(result.warnings.some((w) => w.code === 'NO_ROWS'));
  });

  it('binary file → CSV_BINARY with reason and byte offset', async () => {
    const bytes = Buffer.from('id,x\n1,2\n\u0000\u0001\u0002garbage', 'latin1');
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'bin.csv', bytes), out('bin')), 'CSV_BINARY');
    assert.deepEqual(err.details, { reason: 'NUL byte', offset: 9 });
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]);
    const e2 = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'book.xlsx', xlsx), out('x')), 'CSV_BINARY');
    assert.match(e2.message, /ZIP/);
  });

  it('a NUL byte past the first KiB is also CSV_BINARY at its offset', async () => {
    const head = 'a,b\n' + '1,2\n'.repeat(1000);
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'late-nul.csv', Buffer.concat([Buffer.from(head), Buffer.from([0])])), out('late')), 'CSV_BINARY');
    assert.equal((err.details as { offset: number }).offset, head.length);
    assert.equal(existsSync(out('late')), false);
  });

  it('Latin-1 / Windows-1252 file is decoded (no U+FFFD)', async () => {
    const bytes = Buffer.from('name,city,price\nJos\xe9,M\xfcnchen,\x8010\nZo\xeb,S\xe3o Paulo,3\n', 'latin1');
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'latin1.csv', bytes));
    assert.equal(result.rowCount, 2);
    assert.deepEqual(values(table, 'name'), ['José', 'Zoë']);
    assert.deepEqual(values(table, 'city'), ['München', 'São Paulo']);
    assert.deepEqual(values(table, 'price'), ['€10', '3']);
    assert.ok(!JSON.stringify(values(table, 'name')).includes('\ufffd'));
  });

  it('bytes that are neither UTF-8 nor Windows-1252 → CSV_ENCODING with byte offsets', async () => {
    const bytes = Buffer.from('a,b\n\xe9,\x81\n', 'latin1');
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'bad-enc.csv', bytes), out('enc')), 'CSV_ENCODING');
    assert.deepEqual(err.details, { offset: 4, utf8InvalidAt: 4, windows1252InvalidAt: 6 });
  });

  it('UTF-16LE with a BOM is decoded', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('x\ty\n1\tü\n2\tß\n', 'utf16le')]);
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'u16.csv', bytes));
    assert.equal(result.rowCount, 2);
    assert.deepEqual(values(table, 'y'), ['ü', 'ß']);
  });

  it('semicolon-delimited file with decimal commas is sniffed', async () => {
    const p = writeTemp(t.dir, 'semi.csv', 'name;price;qty\r\n"a;b";1,5;3\r\nc;2,25;4\r\n');
    const { result, table } = await ingest(t.dir, p);
    assert.deepEqual(result.schema.columns.map((c) => [c.name, c.type]), [['name', 'categorical'], ['price', 'float'], ['qty', 'integer']]);
    assert.deepEqual(values(table, 'name'), ['a;b', 'c']);
    assert.deepEqual(values(table, 'price'), [1.5, 2.25]);
    const tab = await ingest(t.dir, writeTemp(t.dir, 'tab.tsv', 'a\tb\n1\t2\n3\t4\n'));
    assert.deepEqual(tab.result.schema.columns.map((c) => c.name), ['a', 'b']);
    const forced = await ingest(t.dir, writeTemp(t.dir, 'pipe.csv', 'a|b\n1|2\n'), { delimiter: '|' });
    assert.deepEqual(values(forced.table, 'b'), [2]);
  });

  it('unclosed quote → CSV_PARSE_ERROR with the line', async () => {
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'quote.csv', 'a,b\n1,"open\n2,3\n'), out('q')), 'CSV_PARSE_ERROR');
    assert.equal(typeof (err.details as { line: number }).line, 'number');
    assert.equal(existsSync(out('q')), false);
  });

  it('a megabyte of commas → CSV_TOO_MANY_COLUMNS before parsing', async () => {
    const p = writeTemp(t.dir, 'commas.csv', ','.repeat(1 << 20) + '\n');
    const started = Date.now();
    const err = await rejectsWith(ingestCsvFile(p, out('commas')), 'CSV_TOO_MANY_COLUMNS');
    assert.ok(Date.now() - started < 2000);
    assert.equal((err.details as { limit: number }).limit, 10000);
    await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'wide.csv', 'a,b,c,d\n1,2,3,4\n'), out('w')), 'CSV_TOO_MANY_COLUMNS').then(() => undefined, () => undefined);
    const e2 = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'wide2.csv', 'a,b,c,d\n1,2,3,4\n'), out('w2'), { maxColumns: 3 }), 'CSV_TOO_MANY_COLUMNS');
    assert.deepEqual(e2.details, { line: 1, limit: 3, columns: 4 });
  });

  it('a field over maxFieldBytes → CSV_FIELD_TOO_LONG naming line and column', async () => {
    const p = writeTemp(t.dir, 'long.csv', `id,text\n1,short\n2,${'x'.repeat(5000)}\n`);
    const err = await rejectsWith(ingestCsvFile(p, out('long'), { maxFieldBytes: 1000 }), 'CSV_FIELD_TOO_LONG');
    assert.deepEqual(err.details, { line: 3, limitBytes: 1000, column: 'text', bytes: 5000 });
    // an unclosed quote does not buffer the rest of the file: the record limit stops it
    const q = writeTemp(t.dir, 'runaway.csv', `id,text\n1,"${'y\n'.repeat(20000)}`);
    const e2 = await rejectsWith(ingestCsvFile(q, out('run'), { maxFieldBytes: 1000 }), 'CSV_FIELD_TOO_LONG');
    assert.equal((e2.details as { column: string }).column, 'text');
    assert.equal((e2.details as { recordLimitBytes: number }).recordLimitBytes, 8000);
  });

  it('values that do not fit the column type are null, counted and warned — never coerced', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${i * 1.5}`);
    rows[10] = '10,abc';
    rows[200] = '200,12..5';
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'invalid.csv', ['id,x', ...rows].join('\n')));
    const x = result.schema.columns[1];
    assert.equal(x.type, 'float');
    assert.equal(x.invalidCount, 2);
    const w = result.warnings.find((v) => v.code === 'INVALID_VALUES')!;
    assert.deepEqual(w.rows, [12, 202]);
    assert.equal(values(table, 'x')[10], null);
    assert.equal(result.profile.columns.x.missing, 2);
  });

  it('an aborted ingest rejects and deletes the partial Arrow file', async () => {
    const p = writeTemp(t.dir, 'abort.csv', 'a,b\n' + '1,2\n'.repeat(200000));
    const ac = new AbortController();
    const pr = ingestCsvFile(p, out('abort'), { signal: ac.signal, batchRows: 1000 });
    setTimeout(() => ac.abort(), 5);
    await assert.rejects(pr, (e: Error) => e.name === 'AbortError');
    assert.equal(existsSync(out('abort')), false);
  });

  it('CR-only and mixed line endings, whitespace-only trailing lines', async () => {
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'mixed.csv', 'a,b\r1,2\n3,4\r\n5,6\r  \n\n'));
    assert.equal(result.rowCount, 3);
    assert.deepEqual(values(table, 'b'), [2, 4, 6]);
  });
});
