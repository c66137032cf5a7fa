/** Unit tests of value classification, dates, headers, sniffing and sketches. */
import assert from 'node:assert/strict';
import { classifyDate, parseDateMs } from './datetime.js';
import { findInvalidUtf8 } from './decode.js';
import { nameColumns } from './header.js';
import { Kind } from './kinds.js';
import { HyperLogLog, hashNumber, NumberDistinct, Reservoir } from './sketch.js';
import { countHeaderFields, sniffDelimiter } from './sniff.js';
import { classify, lastNumber, parseBool, parseNumber } from './values.js';

describe('ingest: values', () => {
  it('classifies numbers, codes and overflow', () => {
    const k = (s: string) => classify(s, false);
    assert.equal(k('42'), Kind.Int);
    assert.equal(k(' -7 '), Kind.Int);
    assert.equal(k('3.25'), Kind.Float);
    assert.equal(lastNumber, 3.25);
    assert.equal(k('.5'), Kind.Float);
    assert.equal(k('1e-3'), Kind.Float);
    assert.equal(k('00501'), Kind.LeadZero);
    assert.equal(k('3E1777'), Kind.Overflow);
    assert.equal(k('12345678901234567890'), Kind.BigInt);
    assert.equal(k('-inf'), Kind.Inf);
    assert.equal(k('Infinity'), Kind.Inf);
    assert.equal(k('1,5'), Kind.Other);
    assert.equal(classify('1,5', true), Kind.Float);
    assert.equal(k('0x1F'), Kind.Other);
    assert.equal(k('1_000'), Kind.Other);
    assert.equal(k('YES'), Kind.Bool);
    assert.equal(k('n'), Kind.Bool);
    assert.equal(k('maybe'), Kind.Other);
  });

  it('parses numeric columns strictly', () => {
    assert.equal(parseNumber('12', false, true), 12);
    assert.ok(Number.isNaN(parseNumber('12.5', false, true)));
    assert.equal(parseNumber('3.0', false, true), 3); // a whole float fits an integer column
    assert.equal(parseNumber('-inf', false, false), -Infinity);
    assert.ok(Number.isNaN(parseNumber('abc', false, false)));
    assert.ok(Number.isNaN(parseNumber('', false, false)));
    assert.equal(parseBool(' True '), true);
    assert.equal(parseBool('no'), false);
    assert.equal(parseBool('1'), undefined);
  });

  it('recognises ISO, day-first and month-first dates', () => {
    assert.equal(classifyDate('1970-01-01'), Kind.DateIso);
    assert.equal(classifyDate('2024-02-30'), -1);
    assert.equal(classifyDate('2024-01-02T03:04:05Z'), Kind.DateIso);
    assert.equal(classifyDate('13/01/2024'), Kind.DateDmy);
    assert.equal(classifyDate('01/13/2024'), Kind.DateMdy);
    assert.equal(classifyDate('01/02/2024'), Kind.DateAmbig);
    assert.equal(parseDateMs('2024-01-02T03:04:05.250+01:00', 'mdy'), Date.UTC(2024, 0, 2, 2, 4, 5, 250));
    assert.equal(parseDateMs('01/02/2024', 'dmy'), Date.UTC(2024, 1, 1));
    assert.equal(parseDateMs('01/02/2024', 'mdy'), Date.UTC(2024, 0, 2));
    assert.ok(Number.isNaN(parseDateMs('13/01/2024', 'mdy')));
    assert.equal(parseDateMs('0099-01-01', 'mdy'), new Date('0099-01-01T00:00:00Z').getTime());
  });

  it('names header columns uniquely and deterministically', () => {
    const { columns, warnings } = nameColumns(['a', 'a', '', 'a_2', '', ' b ']);
    assert.deepEqual(columns.map((c) => c.name), ['a', 'a_3', 'column_3', 'a_2', 'column_5', 'b']);
    assert.equal(warnings.length, 4);
  });

  it('sniffs delimiters from consistent field counts', () => {
    assert.equal(sniffDelimiter('a;b;c\n1,5;2;3\n4;5,5;6\n', false), ';');
    assert.equal(sniffDelimiter('a,b\n"x;y",2\n', false), ',');
    assert.equal(sniffDelimiter('a\tb\n1\t2\n', false), '\t');
    assert.equal(sniffDelimiter('single\n1\n2\n', false), ',');
    assert.equal(countHeaderFields('"a,b",c\n1,2', ',', 100), 2);
    assert.equal(countHeaderFields(','.repeat(50), ',', 10), 11);
  });

  it('finds the first invalid UTF-8 byte', () => {
    assert.equal(findInvalidUtf8(Buffer.from('héllo'), true), -1);
    assert.equal(findInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]), true), 1);
    assert.equal(findInvalidUtf8(Buffer.from([0x61, 0xc3]), false), -1); // may continue in the next chunk
    assert.equal(findInvalidUtf8(Buffer.from([0x61, 0xc3]), true), 1);
    assert.equal(findInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]), true), 0); // surrogate
  });

  it('sketches: exact then approximate distinct counts; reservoir quantiles', () => {
    const d = new NumberDistinct(1000);
    for (let i = 0; i < 500; i++) d.add(i % 250);
    assert.equal(d.distinct, 250);
    assert.ok(d.exact);
    for (let i = 0; i < 100000; i++) d.add(i);
    assert.ok(!d.exact);
    assert.ok(Math.abs(d.distinct - 100000) / 100000 < 0.05, String(d.distinct));
    const h = new HyperLogLog();
    for (let i = 0; i < 10; i++) h.add(hashNumber(i));
    assert.equal(h.estimate(), 10);
    const r = new Reservoir(100);
    for (let i = 1; i <= 5; i++) r.add(i);
    assert.deepEqual(r.quantiles([0.25, 0.5, 0.75]), [2, 3, 4]);
  });
});

describe('ingest/header: unsafe names', () => {
  it('removes control and bidi-override characters and cuts long names, with a warning each (regression: echoed raw by the CLI)', async () => {
    const { nameColumns, MAX_COLUMN_NAME_LENGTH } = await import('./header.js');
    const long = 'x'.repeat(100_000);
    const r = nameColumns(['a\u001b[31m', 'b\u0007', '\u202Ey', long, 'ok']);
    assert.deepEqual(r.columns.map((c) => c.name), ['a[31m', 'b', 'y', 'x'.repeat(MAX_COLUMN_NAME_LENGTH), 'ok']);
    assert.equal(r.columns[0].originalName, 'a\\u001b[31m');
    assert.ok(r.columns[3].originalName!.length <= 1001);
    assert.equal(r.warnings.length, 4);
    assert.match(r.warnings[0].message, /control or bidirectional-override/);
    assert.match(r.warnings[3].message, /longer than 256/);
  });
});
