import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { scanNumericText, verificationSql } from './numeric-text-check.js';
import type { ColumnPlan } from './infer.js';
import { ingestCsvFile, type IngestOptions, type IngestResult } from './index.js';
import { Kind } from './kinds.js';
import { CASES, DATASETS, tempDir, writeTemp } from './test-helpers.js';
import { classify, lastNumber } from './values.js';

/** Ingests `csv` with the default engine and with the JavaScript path; asserts identical results and Arrow bytes. */
async function both(dir: string, csv: string, opts: IngestOptions = {}): Promise<{ auto: IngestResult | Error; js: IngestResult | Error }> {
  const run = async (engine: 'auto' | 'js'): Promise<{ r: IngestResult | Error; bytes: Buffer | null }> => {
    const out = path.join(dir, `${path.basename(csv)}.${engine}.arrow`);
    try {
      const r = await ingestCsvFile(csv, out, { ...opts, engine });
      return { r, bytes: readFileSync(out) };
    } catch (e) {
      return { r: e as Error, bytes: null };
    }
  };
  const a = await run('auto');
  const j = await run('js');
  if (a.r instanceof Error || j.r instanceof Error) {
    assert.ok(a.r instanceof Error && j.r instanceof Error, `${csv}: one engine failed: ${String(a.r instanceof Error ? a.r.message : (j.r as Error).message)}`);
    assert.equal((a.r as { code?: string }).code, (j.r as { code?: string }).code);
    assert.equal(a.r.message, j.r.message);
  } else {
    assert.equal(j.r.engine, 'js');
    assert.deepEqual({ ...a.r, engine: 'js' }, j.r, `${csv}: results differ (auto engine ${a.r.engine})`);
    assert.ok(a.bytes!.equals(j.bytes!), `${csv}: Arrow files differ (auto engine ${a.r.engine})`);
  }
  return { auto: a.r, js: j.r };
}

const engineOf = (r: IngestResult | Error) => (r instanceof Error ? 'error' : r.engine);

describe('ingest: DuckDB fast path for numeric files', function () {
  this.timeout(120_000);
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  it('reads an all-numeric file with DuckDB, with results identical to the JavaScript path', async () => {
    const rows = ['a,b,c,d'];
    for (let i = 0; i < 3000; i++) rows.push(`${i % 97},${(i * 0.37 - 500).toFixed(3)},${i % 5 === 0 ? '' : i * 1e-7},${i % 11 === 0 ? 'NA' : -i}`);
    const { auto } = await both(t.dir, writeTemp(t.dir, 'clean.csv', rows.join('\n') + '\n'), { batchRows: 1000 });
    assert.equal(engineOf(auto), 'duckdb');
    const r = auto as IngestResult;
    assert.deepEqual(r.schema.columns.map((c) => c.type), ['integer', 'float', 'float', 'integer']);
    assert.equal(r.rowCount, 3000);
    assert.equal(r.batchCount, 3);
  });

  it('CRLF, tab and pipe delimiters, a BOM, and missing values in every form go through DuckDB unchanged', async () => {
    const body = (d: string) => ['x' + d + 'y', ...Array.from({ length: 500 }, (_, i) => `${i % 7 === 0 ? '' : i}${d}${i % 13 === 0 ? 'NaN' : (i / 8).toString()}`)];
    for (const [name, d, nl, bom] of [['crlf.csv', ',', '\r\n', ''], ['tab.tsv', '\t', '\n', ''], ['pipe.csv', '|', '\n', ''], ['bom.csv', ',', '\n', '\ufeff']] as const) {
      const { auto } = await both(t.dir, writeTemp(t.dir, name, bom + body(d).join(nl) + nl));
      assert.equal(engineOf(auto), 'duckdb', name);
    }
  });

  it('every shipped dataset and case file gives the same result with either engine', async () => {
    const files = [
      ...readdirSync(DATASETS).filter((f) => f.endsWith('.csv')).map((f) => path.join(DATASETS, f)),
      ...readdirSync(CASES).filter((f) => f.endsWith('.csv')).map((f) => path.join(CASES, f)),
    ];
    assert.ok(files.length >= 15);
    for (const f of files) await both(t.dir, f);
  });

  /**
   * A value after the prefix (so the speculative plan does not know it) that DuckDB reads as a
   * number or refuses: the fast path must give the JavaScript path's result or decline.
   */
  const LATE_VALUES: Array<[string, 'n' | 'x', 'duckdb' | 'js']> = [
    // read by DuckDB exactly as the typing rules read them
    ['7', 'n', 'duckdb'], ['-0', 'n', 'duckdb'], ['+5', 'n', 'duckdb'], ['"7"', 'n', 'duckdb'], ['nan', 'n', 'duckdb'], ['NA', 'n', 'duckdb'],
    ['.5', 'x', 'duckdb'], ['5.', 'x', 'duckdb'], ['1e3', 'x', 'duckdb'], ['-1.5E-3', 'x', 'duckdb'], ['3.0', 'x', 'duckdb'], ['2147483648', 'x', 'duckdb'],
    // the plan of the prefix no longer holds (integer → float, Int32 → Int64)
    ['.5', 'n', 'js'], ['3.0', 'n', 'js'], ['1e3', 'n', 'js'], ['2147483648', 'n', 'js'],
    // forms the typing rules read differently, or not as numbers
    ['007', 'n', 'js'], ['-01', 'n', 'js'], ['007', 'x', 'js'], ['+-1', 'n', 'js'], ['1_000', 'n', 'js'], [' 7', 'n', 'js'], ['7 ', 'n', 'js'],
    ['inf', 'x', 'js'], ['-Infinity', 'x', 'js'], ['NAN', 'x', 'js'], ['1e400', 'x', 'js'], ['9007199254740993', 'n', 'js'],
    ['"1,5"', 'x', 'js'], ['abc', 'n', 'js'], ['0x10', 'n', 'js'],
  ];
  for (const [late, column, engine] of LATE_VALUES) {
    it(`a late ${JSON.stringify(late)} in the ${column === 'n' ? 'integer' : 'float'} column: ${engine === 'duckdb' ? 'read by DuckDB' : 'declined'}, same result`, async () => {
      const rows = ['n,x'];
      for (let i = 0; i < 300; i++) rows.push(`${i},${(i * 0.25).toFixed(2)}`);
      rows.push(column === 'n' ? `${late},1.5` : `1,${late}`);
      for (let i = 0; i < 50; i++) rows.push(`${i},${i}.5`);
      const { auto } = await both(t.dir, writeTemp(t.dir, `late-${column}-${encodeURIComponent(late)}.csv`, rows.join('\n') + '\n'), { prefixRows: 100 });
      assert.equal(engineOf(auto), engine);
    });
  }

  it('an error in a late chunk of a large file (DuckDB\'s stream ends early without failing) declines: every row is kept', async () => {
    // regression: a bad value or a ragged row after ~30,000 rows made the fast path store a truncated dataset
    const rows = (late: string) => ['a,b,c', ...Array.from({ length: 200_000 }, (_, i) => (i === 150_000 ? late : `${i},${i % 97},${(i * 0.37).toFixed(3)}`))];
    const bad = await both(t.dir, writeTemp(t.dir, 'late-abc.csv', rows('150000,abc,1.5').join('\n') + '\n'));
    assert.equal(engineOf(bad.auto), 'js');
    assert.equal((bad.auto as IngestResult).rowCount, 200_000);
    assert.equal((bad.auto as IngestResult).schema.columns[1].invalidCount, 1);
    const ragged = await both(t.dir, writeTemp(t.dir, 'late-ragged.csv', rows('1,2,3,4').join('\n') + '\n'));
    assert.equal((ragged.auto as { code?: string }).code, 'CSV_RAGGED_ROWS');
    const quoted = await both(t.dir, writeTemp(t.dir, 'late-quoted.csv', rows('"1",2,"x"').join('\n') + '\n'));
    assert.equal((quoted.auto as IngestResult).rowCount, 200_000);
  });

  it('inf or NaN-like values near the top decline cleanly (regression: an unhandled rejection answered 500)', async () => {
    let unhandled: unknown = null;
    const onUnhandled = (r: unknown) => (unhandled = r);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const [name, body] of [['inf.csv', 'a,b\ninf,1\n2,3\n4,5\n'], ['neg-inf.csv', 'a,b\n1,2\n-Infinity,3\n'], ['nan.csv', 'a,b\n1,2\nNAN,3\n']]) {
        const { auto } = await both(t.dir, writeTemp(t.dir, name, body));
        assert.equal(engineOf(auto), 'js', name);
      }
      await new Promise((r) => setImmediate(r));
      assert.equal(unhandled, null);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('an Int32 column that needs Int64 after the prefix, or a float after integers, declines and is typed over all rows', async () => {
    const rows = ['n,m'];
    for (let i = 0; i < 200; i++) rows.push(`${i},${i}`);
    rows.push('5000000000,2.5');
    const { auto, js } = await both(t.dir, writeTemp(t.dir, 'widen.csv', rows.join('\n') + '\n'), { prefixRows: 50 });
    assert.equal(engineOf(auto), 'js');
    assert.deepEqual((js as IngestResult).schema.columns.map((c) => c.type), ['integer', 'float']);
  });

  it('ragged rows, an unclosed quote and invalid UTF-8 after the prefix: the JavaScript path reports them', async () => {
    const head = ['a,b', ...Array.from({ length: 100 }, (_, i) => `${i},${i}`)];
    const ragged = await both(t.dir, writeTemp(t.dir, 'ragged.csv', [...head, '1,2,3', '4,5'].join('\n') + '\n'), { prefixRows: 10 });
    assert.equal((ragged.auto as { code?: string }).code, 'CSV_RAGGED_ROWS');
    const quote = await both(t.dir, writeTemp(t.dir, 'quote.csv', [...head, '"1,2', '4,5'].join('\n') + '\n'), { prefixRows: 10 });
    assert.equal(engineOf(quote.auto), 'error');
    const latin = Buffer.concat([Buffer.from(head.join('\n') + '\n'), Buffer.from([0x31, 0xe9, 0x2c, 0x32, 0x0a])]);
    const enc = await both(t.dir, writeTemp(t.dir, 'latin1.csv', latin), { prefixRows: 10 });
    assert.equal(engineOf(enc.auto), 'js');
  });

  it('options the fast path does not take keep the JavaScript path', async () => {
    const csv = writeTemp(t.dir, 'opts.csv', ['a,b', ...Array.from({ length: 50 }, (_, i) => `${i},${i / 2}`)].join('\n') + '\n');
    assert.equal(engineOf((await both(t.dir, csv, { typeOverrides: { a: 'float' } })).auto), 'js');
    assert.equal(engineOf((await both(t.dir, csv, { nullTokens: ['-1'] })).auto), 'js');
    assert.equal(engineOf((await both(t.dir, csv, { skipBadRows: true })).auto), 'js');
    const semi = writeTemp(t.dir, 'semi.csv', ['a;b', ...Array.from({ length: 50 }, (_, i) => `${i};${i},5`)].join('\n') + '\n');
    assert.equal(engineOf((await both(t.dir, semi)).auto), 'js');
  });

  it("DuckDB's number cast differs from the typing rules only on forms the checks catch (all strings of up to 5 characters of 0-9 . e E + -)", async () => {
    const alphabet = ['0', '1', '.', 'e', 'E', '+', '-'];
    const all: string[] = [];
    const grow = (s: string, n: number) => {
      if (s) all.push(s);
      if (n > 0) for (const a of alphabet) grow(s + a, n - 1);
    };
    grow('', 5);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      await con.run('CREATE TABLE v(s VARCHAR)');
      const app = await con.createAppender('v');
      for (const s of all) {
        app.appendVarchar(s);
        app.endRow();
      }
      app.closeSync();
      // the checks of verificationSql (z and u) as the fast path runs them, per value
      const spec = [{ type: 'integer' }] as ColumnPlan[];
      const { sql } = verificationSql('(SELECT s, s AS c0 FROM v)', spec, [true], true);
      const perValue = sql.replace(/bool_or\(/g, '(').replace(', count(*) FROM', ' FROM').replace(/^SELECT /, 'SELECT s, TRY_CAST(s AS DOUBLE) AS d, ');
      const rows = (await con.runAndReadAll(perValue)).getRows() as Array<[string, number | null, boolean, boolean, boolean]>;
      assert.equal(rows.length, all.length);
      let disagreements = 0;
      for (const [s, d, u, z] of rows) {
        const k = classify(s, false);
        const ours = k === Kind.Int || k === Kind.Float ? lastNumber : null;
        if (d === null) continue; // DuckDB refuses it: the strict read fails and the fast path declines
        if (ours !== null && (d === ours || (d === 0 && ours === 0))) continue;
        disagreements++;
        assert.ok(u || z, `DuckDB reads ${JSON.stringify(s)} as ${d}, the typing rules as ${ours ?? `kind ${k}`}, and no check catches it`);
      }
      assert.ok(disagreements > 50, 'the enumeration found the known disagreements (leading zeros, +-)');
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('the byte-wise text scan gives the same flags as the SQL check', async () => {
    const rows = ['a,b,c,d', '1,2,0.5,x', '-01,3,4,5', '2,1e5,007,6', '3,4,5,7.25'];
    const csv = writeTemp(t.dir, 'scan.csv', rows.join('\n') + '\n');
    const scan = await scanNumericText(csv, ',', 4);
    assert.equal(scan.needsSql, false);
    assert.deepEqual(scan.leadingZero, [true, false, true, false]);
    assert.deepEqual(scan.floatForm, [false, true, true, true]);
    assert.equal((await scanNumericText(writeTemp(t.dir, 'q.csv', 'a,b\n"1",2\n'), ',', 2)).needsSql, true);
    assert.equal((await scanNumericText(writeTemp(t.dir, 'u.csv', 'a,b\n1_0,2\n'), ',', 2)).needsSql, true);
    assert.equal((await scanNumericText(writeTemp(t.dir, 's.csv', 'a,b\n1, 2\n'), ',', 2)).needsSql, true);
    assert.equal((await scanNumericText(writeTemp(t.dir, 'crlf.csv', 'a,b\r\n1,2\r\n'), ',', 2)).needsSql, false);
    // the header is not scanned; a look-ahead across the 4 MiB read boundary still sees the digit after 0
    const big = 'h1,h2\n' + '1,2\n'.repeat((4 << 20) / 4 - 2) + '1,0' + '7\n';
    const b = await scanNumericText(writeTemp(t.dir, 'big.csv', big), ',', 2);
    assert.deepEqual(b.leadingZero, [false, true]);
  });
});
