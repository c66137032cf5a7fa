/** Dates: month names, two-digit years, the day/month order per column; unit and ingest level. */
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { classifyDate, fullYear, monthNumber, parseDateMs } from './datetime.js';
import { Kind } from './kinds.js';
import { ingest, tempDir, values, writeTemp } from './test-helpers.js';
import { classify } from './values.js';

const DATE_KINDS = new Set<number>([Kind.DateIso, Kind.DateAmbig, Kind.DateDmy, Kind.DateMdy]);
const jan5 = Date.UTC(2020, 0, 5);

describe('ingest/datetime: month names', () => {
  it('every form, any case, full names and abbreviations, classify as order-free dates and parse to the same UTC ms', () => {
    const forms = [
      '05-Jan-2020', '5-Jan-2020', '05/Jan/2020', '05.Jan.2020', '5 Jan 2020', '5 Jan. 2020', '5 January 2020', '05-JAN-2020', '05-january-2020',
      'Jan 5, 2020', 'Jan 5 2020', 'Jan 5,2020', 'January 5, 2020', 'JANUARY 05, 2020', 'jan. 5, 2020', 'Jan-05-2020', 'Jan/5/2020',
      '2020-Jan-05', '2020/jan/5', '2020.Jan.05', '2020 January 05',
      '05-Jan-20', '5 Jan 20', 'Jan 5, 20',
    ];
    for (const s of forms) {
      assert.equal(classify(s, false), Kind.DateIso, s);
      assert.equal(classify(` ${s} `, false), Kind.DateIso, `padded ${s}`);
      assert.equal(parseDateMs(s, 'dmy'), jan5, `${s} dmy`);
      assert.equal(parseDateMs(s, 'mdy'), jan5, `${s} mdy`);
    }
  });

  it('all twelve months and their names, Sept too; unknown words are not months', () => {
    const names = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
    names.forEach((name, i) => {
      assert.equal(monthNumber(name), i + 1);
      assert.equal(monthNumber(name.slice(0, 3).toUpperCase()), i + 1);
      assert.equal(parseDateMs(`28 ${name} 2021`, 'mdy'), Date.UTC(2021, i, 28), name);
      assert.equal(parseDateMs(`${name.slice(0, 3)} 28, 2021`, 'dmy'), Date.UTC(2021, i, 28), name);
    });
    assert.equal(parseDateMs('Sept 30, 2021', 'mdy'), Date.UTC(2021, 8, 30));
    for (const w of ['Janu', 'Mayo', 'Ju', 'Marc', 'decembre', '']) assert.equal(monthNumber(w), 0, w);
    for (const s of ['Janu 5, 2020', 'Mayor 5, 2020', 'March madness', 'Jan 2020', 'Jan 5th, 2020', '5 Jan, 2020 x', 'Dec 5 2020 extra', 'market 5, 2020']) {
      assert.equal(classify(s, false), Kind.Other, s);
      assert.ok(Number.isNaN(parseDateMs(s, 'mdy')), s);
    }
  });

  it('a time part as the other forms take it: HH:MM, :SS, a fraction; impossible times do not fit', () => {
    assert.equal(parseDateMs('05-Jan-2020 13:45', 'mdy'), Date.UTC(2020, 0, 5, 13, 45));
    assert.equal(parseDateMs('Jan 5, 2020 01:02:03.25', 'mdy'), Date.UTC(2020, 0, 5, 1, 2, 3, 250));
    assert.equal(parseDateMs('2020-Jan-05T23:59:59', 'dmy'), Date.UTC(2020, 0, 5, 23, 59, 59));
    assert.equal(parseDateMs('5 Jan 20 7:05', 'dmy'), Date.UTC(2020, 0, 5, 7, 5));
    for (const s of ['05-Jan-2020 24:00', 'Jan 5, 2020 12:60', '2020-Jan-05 10:00:61']) {
      assert.equal(classifyDate(s), -1, s);
      assert.ok(Number.isNaN(parseDateMs(s, 'mdy')), s);
    }
  });

  it('impossible days do not fit (never rolled over): 31-Feb-2020, 29-Feb-2021, Apr 31; 29-Feb-2020 does', () => {
    for (const s of ['31-Feb-2020', '30 Feb 2020', '29-Feb-2021', 'Apr 31, 2020', '2020-Jun-31', '00-Jan-2020', '32-Jan-2020', 'Feb 29, 21']) {
      assert.equal(classifyDate(s), -1, s);
      assert.equal(classify(s, false), Kind.Other, s);
      assert.ok(Number.isNaN(parseDateMs(s, 'dmy')), s);
      assert.ok(Number.isNaN(parseDateMs(s, 'mdy')), s);
    }
    assert.equal(parseDateMs('29-Feb-2020', 'mdy'), Date.UTC(2020, 1, 29));
    assert.equal(parseDateMs('29-Feb-00', 'mdy'), Date.UTC(2000, 1, 29)); // 2000 is a leap year
  });
});

describe('ingest/datetime: two-digit years', () => {
  it('the POSIX strptime %y pivot: 69–99 → 1969–1999, 00–68 → 2000–2068; four digits as written', () => {
    assert.equal(fullYear('00'), 2000);
    assert.equal(fullYear('20'), 2020);
    assert.equal(fullYear('68'), 2068);
    assert.equal(fullYear('69'), 1969);
    assert.equal(fullYear('99'), 1999);
    assert.equal(fullYear('0099'), 99);
    assert.equal(fullYear('2020'), 2020);
    assert.equal(parseDateMs('12/31/68', 'mdy'), Date.UTC(2068, 11, 31));
    assert.equal(parseDateMs('01/01/69', 'mdy'), Date.UTC(1969, 0, 1));
    assert.equal(parseDateMs('05-Jan-99', 'mdy'), Date.UTC(1999, 0, 5));
    assert.equal(parseDateMs('Jan 5, 00', 'mdy'), Date.UTC(2000, 0, 5));
  });

  it('numeric forms with /, - or . keep the per-column day/month order', () => {
    assert.equal(classifyDate('05/01/20'), Kind.DateAmbig);
    assert.equal(classifyDate('5-1-99'), Kind.DateAmbig);
    assert.equal(classifyDate('13.01.20'), Kind.DateDmy);
    assert.equal(classifyDate('01/13/20'), Kind.DateMdy);
    assert.equal(classify('5-1-99', false), Kind.DateAmbig);
    assert.equal(parseDateMs('05/01/20', 'dmy'), Date.UTC(2020, 0, 5));
    assert.equal(parseDateMs('05/01/20', 'mdy'), Date.UTC(2020, 4, 1));
    assert.equal(parseDateMs('5-1-99', 'dmy'), Date.UTC(1999, 0, 5));
    assert.equal(parseDateMs('5-1-99 10:30', 'mdy'), Date.UTC(1999, 4, 1, 10, 30));
    assert.ok(Number.isNaN(parseDateMs('13/01/20', 'mdy')));
    // a 2-digit year is the last part only; one or three digits are no year
    for (const s of ['29/02/21', '5-1-9', '5-1-999', '20-13-05', '5/1-20', '123/1/20']) assert.equal(classifyDate(s), -1, s);
  });

  it('numbers are never dates; every string of up to 5 characters of 0-9 . e E + - is no date, and longer ones that are dates are not numbers to DuckDB', async () => {
    const short: string[] = [];
    const long: string[] = [];
    const grow = (s: string, n: number, alphabet: string[]) => {
      if (s.length > 0 && s.length <= 5) short.push(s);
      else if (s.length > 5 && DATE_KINDS.has(classify(s, false))) long.push(s);
      if (n > 0) for (const a of alphabet) grow(s + a, n - 1, alphabet);
    };
    grow('', 5, ['0', '1', '.', 'e', 'E', '+', '-']);
    grow('', 7, ['0', '1', '3', '9', '.', '-', 'e']);
    for (const s of short) assert.ok(!DATE_KINDS.has(classify(s, false)), s);
    assert.ok(long.length > 500, String(long.length)); // e.g. 1-1-99, 01.3.00
    // the DuckDB fast path reads only what DuckDB casts to a number: none of these
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      await con.run('CREATE TABLE v(s VARCHAR)');
      const app = await con.createAppender('v');
      for (const s of long) {
        app.appendVarchar(s);
        app.endRow();
      }
      app.closeSync();
      const rows = (await con.runAndReadAll('SELECT s FROM v WHERE TRY_CAST(s AS DOUBLE) IS NOT NULL')).getRows();
      assert.deepEqual(rows, []);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });
});

describe('ingest/datetime: through ingest', function () {
  this.timeout(60_000);
  const t = tempDir();
  after(t.cleanup);
  const csv = (name: string, header: string, rows: string[]) => writeTemp(t.dir, name, [header, ...rows].join('\n') + '\n');

  it('a column of month-name dates in every form, mixed with ISO dates and datetimes, is datetime with exact values', async () => {
    const cells = ['05-Jan-2020', '"Jan 5, 2020"', '"January 5, 2020"', '5 Jan 2020', '2020-Jan-05', '05/Jan/2020', '2020-01-05', '05-jan-20', '"Jan 5, 2020 10:30"', '2020-01-05T10:30:00Z', ''];
    const { result, table } = await ingest(t.dir, csv('named.csv', 'id,d', cells.map((c, i) => `${i},${c}`)));
    const col = result.schema.columns.find((c) => c.name === 'd')!;
    assert.equal(col.type, 'datetime');
    assert.equal(col.invalidCount ?? 0, 0);
    const at1030 = Date.UTC(2020, 0, 5, 10, 30);
    assert.deepEqual(values(table, 'd'), [jan5, jan5, jan5, jan5, jan5, jan5, jan5, jan5, at1030, at1030, null]);
    assert.equal(result.profile.columns.d.missing, 1);
    assert.equal(result.profile.columns.d.min, '2020-01-05T00:00:00.000Z');
  });

  it('31-Feb-2020 in a month-name column is counted invalid and stored null, never coerced', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => `${i},${1 + (i % 28)}-Feb-2020`);
    rows[70] = '70,31-Feb-2020';
    const { result, table } = await ingest(t.dir, csv('feb31.csv', 'id,d', rows));
    const col = result.schema.columns.find((c) => c.name === 'd')!;
    assert.equal(col.type, 'datetime');
    assert.equal(col.invalidCount, 1);
    const w = result.warnings.find((x) => x.code === 'INVALID_VALUES' && x.column === 'd')!;
    assert.deepEqual(w.rows, [72]); // line 72: header is line 1
    const d = values(table, 'd');
    assert.equal(d[70], null);
    assert.equal(d[69], Date.UTC(2020, 1, 14)); // 1 + 69 % 28
  });

  it('two-digit years: day-first decided from one value past the prefix, every row parsed with the pivot', async () => {
    // rows ambiguous except one (13/01/99, row 150): day-first for the whole column
    const rows = Array.from({ length: 300 }, (_, i) => `${i},${String(1 + (i % 12)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${i % 2 ? '99' : '20'}`);
    rows[150] = '150,13/01/99';
    rows.push('300,05/01/20', '301,5-1-68');
    // a 10-row prefix and 100-row batches: the order changes after the prefix, at a batch boundary
    for (const opts of [{ prefixRows: 10, batchRows: 100 }, {}]) {
      const { result, table } = await ingest(t.dir, csv('yy-dmy.csv', 'id,d', rows), opts);
      assert.equal(result.schema.columns[1].type, 'datetime');
      assert.equal(result.schema.columns[1].invalidCount ?? 0, 0);
      const d = values(table, 'd');
      assert.equal(d[0], Date.UTC(2020, 0, 1));
      assert.equal(d[1], Date.UTC(1999, 1, 2));
      assert.equal(d[150], Date.UTC(1999, 0, 13));
      assert.equal(d[300], Date.UTC(2020, 0, 5)); // day-first
      assert.equal(d[301], Date.UTC(2068, 0, 5));
    }
    // the same ambiguous rows alone are month-first (the pandas default)
    const amb = await ingest(t.dir, csv('yy-mdy.csv', 'id,d', ['0,05/01/20', '1,5-1-99', '2,12.31.69']));
    assert.equal(amb.result.schema.columns[1].type, 'datetime');
    assert.deepEqual(values(amb.table, 'd'), [Date.UTC(2020, 4, 1), Date.UTC(1999, 4, 1), Date.UTC(1969, 11, 31)]);
  });

  it('a large file (past the 50,000-row prefix): month names and two-digit years typed over all rows', async () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const rows = Array.from({ length: 70_000 }, (_, i) => `${i},${1 + (i % 28)}-${months[i % 12]}-${String(i % 100).padStart(2, '0')},${String(1 + (i % 12)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/2020`);
    // past the prefix, in the first 65,536-row batch: the second column is day-first from this value
    rows[60_000] = '60000,"Dec 31, 1999",25/12/2020';
    const { result, table } = await ingest(t.dir, csv('large-dates.csv', 'id,named,num', rows));
    assert.deepEqual(result.schema.columns.map((c) => c.type), ['integer', 'datetime', 'datetime']);
    assert.deepEqual(result.schema.columns.map((c) => c.invalidCount ?? 0), [0, 0, 0]);
    const named = values(table, 'named');
    for (const i of [0, 68, 69, 59_999, 69_999]) {
      const yy = i % 100;
      assert.equal(named[i], Date.UTC(yy >= 69 ? 1900 + yy : 2000 + yy, i % 12, 1 + (i % 28)), `row ${i}`);
    }
    assert.equal(named[60_000], Date.UTC(1999, 11, 31));
    const num = values(table, 'num');
    assert.equal(num[1], Date.UTC(2020, 1, 2)); // 02/02/2020
    assert.equal(num[60_000], Date.UTC(2020, 11, 25));
  });
});

describe('ingest/datetime: an undecided day/month order is reported', function () {
  this.timeout(30_000);
  let t: ReturnType<typeof tempDir>;
  before(() => (t = tempDir()));
  after(() => t.cleanup());

  it('DATE_ORDER_ASSUMED when no value decides the order; none when one does', async () => {
    const ambiguous = ['d,x', '01/02/2020,1', '03/04/2020,2', '05/06/2021,3'].join('\n') + '\n';
    const a = await ingest(t.dir, writeTemp(t.dir, 'ambiguous.csv', ambiguous));
    const w = a.result.warnings.find((x) => x.code === 'DATE_ORDER_ASSUMED');
    assert.ok(w, JSON.stringify(a.result.warnings));
    assert.equal(w.column, 'd');
    assert.equal(new Date(Number(values(a.table, 'd')[0])).toISOString().slice(0, 10), '2020-01-02');
    const decided = await ingest(t.dir, writeTemp(t.dir, 'decided.csv', ambiguous + '25/12/2020,4\n'));
    assert.equal(decided.result.warnings.find((x) => x.code === 'DATE_ORDER_ASSUMED'), undefined);
    assert.equal(new Date(Number(values(decided.table, 'd')[0])).toISOString().slice(0, 10), '2020-02-01');
    const iso = await ingest(t.dir, writeTemp(t.dir, 'iso.csv', 'd,x\n2020-01-02,1\n2020-03-04,2\n'));
    assert.equal(iso.result.warnings.find((x) => x.code === 'DATE_ORDER_ASSUMED'), undefined);
  });
});
