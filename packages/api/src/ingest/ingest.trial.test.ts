/**
 * Regressions from a new-user trial: one stray byte in a UTF-8 file, the line of an unclosed
 * quote, and options naming columns the file does not have.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findUtf8Sequence, locateByte } from './decode.js';
import { ingestCsvFile } from './index.js';
import { unknownColumns } from './options.js';
import { ingest, rejectsWith, tempDir, values, writeTemp } from './test-helpers.js';

interface MixedDetails {
  offset: number;
  line: number;
  byte: number;
  utf8At: number;
}

describe('ingest: encoding — UTF-8 mixed with other bytes is refused, Windows-1252 is warned', () => {
  const t = tempDir();
  after(t.cleanup);
  const out = (n: string) => path.join(t.dir, `${n}.arrow`);
  const header = Buffer.from('name,n\n');
  const rows = Buffer.from('café,1\n'.repeat(60_000)); // 8 bytes a row

  for (const [where, rowIndex] of [
    ['before every UTF-8 character', 0],
    ['in the middle', 30_000],
    ['after every UTF-8 character', 60_000],
  ] as const) {
    it(`60,000 UTF-8 rows and one 0xFF ${where} → CSV_ENCODING naming byte and line, never mojibake`, async () => {
      const at = header.length + rowIndex * 8;
      const bytes = Buffer.concat([rows.subarray(0, at - header.length), Buffer.from([0xff]), rows.subarray(at - header.length)]);
      const file = writeTemp(t.dir, `mixed-${rowIndex}.csv`, Buffer.concat([header, bytes]));
      const err = await rejectsWith(ingestCsvFile(file, out(`mixed-${rowIndex}`)), 'CSV_ENCODING');
      const d = err.details as MixedDetails;
      assert.equal(d.offset, at);
      assert.equal(d.line, rowIndex + 2);
      assert.equal(d.byte, 0xff);
      assert.equal(d.utf8At, rowIndex === 0 ? at + 4 : header.length + 3);
      assert.match(err.message, new RegExp(`byte 0xFF at byte ${at} \\(line ${rowIndex + 2}\\)`));
      assert.match(err.message, /mixes UTF-8/);
      assert.equal(existsSync(out(`mixed-${rowIndex}`)), false);
    });
  }

  it('the only UTF-8 character straddles a 1 MiB read boundary after the invalid byte → still refused', async () => {
    const head = Buffer.from('a,b\n\xff,1\n', 'latin1');
    const fill = Buffer.from('x,1\n'.repeat(Math.ceil((1 << 20) / 4)));
    const pre = Buffer.concat([head, fill]).subarray(0, (1 << 20) - 1);
    const bytes = Buffer.concat([pre, Buffer.from('é,2\n')]); // C3 at 1 MiB − 1, A9 at 1 MiB
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'straddle.csv', bytes), out('straddle')), 'CSV_ENCODING');
    assert.equal((err.details as MixedDetails).offset, 4);
    assert.equal((err.details as MixedDetails).utf8At, (1 << 20) - 1);
  });

  it('UTF-8 "Á" (C3 81, 0x81 undefined in Windows-1252) with a stray byte → mixed, not "neither"', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\n\xe9x,1\n', 'latin1'), Buffer.from('Á,2\n')]);
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'a-acute.csv', bytes), out('a-acute')), 'CSV_ENCODING');
    assert.deepEqual(err.details, { offset: 4, line: 2, byte: 0xe9, utf8At: 9, reason: 'mixed UTF-8 and non-UTF-8 bytes' });
  });

  it('a UTF-8 BOM then a stray byte is refused (the BOM is UTF-8)', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b\n1,\x92\n', 'latin1')]);
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'bom-stray.csv', bytes), out('bom-stray')), 'CSV_ENCODING');
    assert.equal((err.details as MixedDetails).offset, 9);
    assert.equal((err.details as MixedDetails).line, 2);
  });

  it('a genuine Windows-1252 file (“hi”, €5, café) is read as Windows-1252 with ENCODING_WINDOWS_1252', async () => {
    const text = 'name,price,note\ncaf\xe9,\x805,\x93hi\x94\nna\xefve,\xa33,ok\n';
    const bytes = Buffer.from(text, 'latin1');
    const big = Buffer.concat([Buffer.from('name,price,note\n'), Buffer.from('plain,p,x\n'.repeat(70_000)), bytes.subarray(16)]);
    for (const [name, b, first] of [
      ['w1252.csv', bytes, 19],
      ['w1252-late.csv', big, 16 + 700_000 + 3],
    ] as const) {
      const { result, table } = await ingest(t.dir, writeTemp(t.dir, name, b));
      const n = values(table, 'name');
      assert.deepEqual(n.slice(-2), ['café', 'naïve']);
      assert.deepEqual(values(table, 'price').slice(-2), ['€5', '£3']);
      assert.deepEqual(values(table, 'note').slice(-2), ['“hi”', 'ok']);
      const w = result.warnings.find((x) => x.code === 'ENCODING_WINDOWS_1252');
      assert.ok(w, `${name}: ${JSON.stringify(result.warnings)}`);
      assert.match(w.message, new RegExp(`byte \\(0xE9\\) at byte ${first},`));
      assert.deepEqual(w.rows, [name === 'w1252.csv' ? 2 : 70_002]);
    }
    // a clean UTF-8 file has no encoding warning
    const u = await ingest(t.dir, writeTemp(t.dir, 'u8.csv', 'name\ncafé\n'));
    assert.ok(!u.result.warnings.some((x) => x.code === 'ENCODING_WINDOWS_1252'));
  });

  it('findUtf8Sequence finds only complete, valid multi-byte sequences; locateByte counts LF, CRLF and CR lines', async () => {
    assert.equal(findUtf8Sequence(Buffer.from('caf\xe9 \x93hi\x94 \xc3', 'latin1')), -1);
    assert.equal(findUtf8Sequence(Buffer.from('ab€')), 2);
    assert.equal(findUtf8Sequence(Buffer.from([0xc0, 0x80, 0xed, 0xa0, 0x80, 0x41])), -1); // overlong, surrogate
    assert.equal(findUtf8Sequence(Buffer.from([0x41, 0xf0, 0x9f, 0x98, 0x80])), 1);
    const f = writeTemp(t.dir, 'lines.csv', Buffer.from('a\r\nb\rc\nd\xff', 'latin1'));
    assert.deepEqual(await locateByte(f, 8), { line: 4, byte: 0xff });
    assert.deepEqual(await locateByte(f, 9), { line: 4, byte: -1 });
    assert.deepEqual(await locateByte(f, 0), { line: 1, byte: 0x61 });
  });
});

describe('ingest: an unclosed quote names the line where it opened', () => {
  const t = tempDir();
  after(t.cleanup);
  const out = (n: string) => path.join(t.dir, `${n}.arrow`);

  for (const [nl, quoteLine] of [
    ['\n', 2],
    ['\n', 150_002],
    ['\r\n', 2],
    ['\r\n', 150_002],
  ] as const) {
    it(`1,"x,3 at line ${quoteLine} of a 200,001-line ${nl === '\n' ? 'LF' : 'CRLF'} file`, async () => {
      const lines = ['a,b,c'];
      for (let i = 2; i <= 200_001; i++) lines.push(i === quoteLine ? '1,"x,3' : `${i},y,3`);
      const file = writeTemp(t.dir, `quote-${quoteLine}.csv`, lines.join(nl) + nl);
      const err = await rejectsWith(ingestCsvFile(file, out(`q${quoteLine}`)), 'CSV_PARSE_ERROR');
      const d = err.details as { line: number; row: number; endLine: number };
      assert.equal(d.line, quoteLine);
      assert.equal(d.row, quoteLine - 1);
      assert.match(err.message, new RegExp(`^CSV syntax error at line ${quoteLine}: the quote opened at line ${quoteLine} is never closed`));
      assert.ok(d.endLine >= 200_001, JSON.stringify(d));
    });
  }

  it('blank and whitespace lines before the unclosed record are counted', async () => {
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'blanks.csv', 'a,b\n1,2\n\n  \n\n3,"x\n4,5\n'), out('blanks')), 'CSV_PARSE_ERROR');
    assert.equal((err.details as { line: number }).line, 6);
    const e2 = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'first.csv', '\n\n"a,b\n1,2\n'), out('first')), 'CSV_PARSE_ERROR');
    assert.equal((e2.details as { line: number }).line, 3);
  });

  it('a runaway quote over the record limit names the line where its record starts', async () => {
    const q = writeTemp(t.dir, 'runaway.csv', `id,text\n1,ok\n2,"${'y\n'.repeat(20000)}`);
    const err = await rejectsWith(ingestCsvFile(q, out('run'), { maxFieldBytes: 1000 }), 'CSV_FIELD_TOO_LONG');
    assert.equal((err.details as { line: number }).line, 3);
  });
});

describe('ingest: columnNullTokens / typeOverrides naming unknown columns → UNKNOWN_COLUMN', () => {
  const t = tempDir();
  after(t.cleanup);
  const out = (n: string) => path.join(t.dir, `${n}.arrow`);
  const csv = () => writeTemp(t.dir, 'h.csv', 'Price,colour, qty ,x,x,\n1,red,2,a,b,c\n3,blue,4,d,e,f\n');

  it('an unknown name is refused with the option, the names and the closest existing names', async () => {
    const err = await rejectsWith(ingestCsvFile(csv(), out('u1'), { typeOverrides: { price: 'float', color: 'categorical', zzz: 'text' } }), 'UNKNOWN_COLUMN');
    assert.deepEqual(err.details, { option: 'typeOverrides', columns: ['price', 'color', 'zzz'], suggestions: { price: ['Price'], color: ['colour'] } });
    assert.match(err.message, /typeOverrides/);
    assert.match(err.message, /"color" \(did you mean "colour"\?\)/);
    assert.equal(existsSync(out('u1')), false);
    const e2 = await rejectsWith(ingestCsvFile(csv(), out('u2'), { columnNullTokens: { ' qty ': ['-'] } }), 'UNKNOWN_COLUMN');
    assert.deepEqual(e2.details, { option: 'columnNullTokens', columns: [' qty '], suggestions: { ' qty ': ['qty'] } });
  });

  it('final (renamed) names are accepted; the options still apply', async () => {
    const { result, table } = await ingest(t.dir, csv(), { typeOverrides: { qty: 'text', x_2: 'categorical' }, columnNullTokens: { column_6: ['c'] } });
    assert.deepEqual(result.schema.columns.map((c) => c.name), ['Price', 'colour', 'qty', 'x', 'x_2', 'column_6']);
    assert.equal(result.schema.columns[2].type, 'text');
    assert.deepEqual(values(table, 'column_6'), [null, 'f']);
  });

  it('unknownColumns: case/space matches, edit distance, original header cells', () => {
    const r = unknownColumns(['age', 'Agee', 'sallary', 'nothing_like_it', ''], ['age', 'salary', 'x_2', 'column_5'], ['age', 'salary', 'x', '']);
    assert.deepEqual(r.unknown, ['Agee', 'sallary', 'nothing_like_it', '']);
    assert.deepEqual(r.suggestions, { Agee: ['age'], sallary: ['salary'], '': ['column_5'] });
  });
});
