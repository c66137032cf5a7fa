/** The papaparse record reader gives exactly csv-parse's records and lines, or hands the file over to csv-parse. */
import assert from 'node:assert/strict';
import { readRecords, UseFullParser, type RecordSourceOptions } from './records.js';
import { tempDir, writeTemp } from './test-helpers.js';

type Rec = [string[], number];

async function read(file: string, parser: 'papaparse' | 'csv-parse', newline: '\n' | '\r\n' = '\n'): Promise<Rec[] | UseFullParser> {
  const o: RecordSourceOptions = { encoding: 'utf8', delimiter: ',', maxRecordBytes: 8 << 20, maxFieldBytes: 1 << 20, parser, newline };
  const out: Rec[] = [];
  try {
    await readRecords<never>(file, o, (fields, line) => {
      out.push([fields, line]);
      return null;
    });
  } catch (e) {
    if (e instanceof UseFullParser) return e;
    throw e;
  }
  // csv-parse skips empty lines itself; the ingest skips blank records from either parser
  return out.filter(([f]) => !(f.length === 1 && f[0].trim() === ''));
}

describe('ingest: papaparse records = csv-parse records', () => {
  const t = tempDir();
  after(t.cleanup);

  it('LF and CRLF files: quotes, doubled quotes, embedded newlines, BOM, blank lines; same records and end lines', async () => {
    const body = 'id,note,x\n1,"a\nb, c",2\n\n2,"say ""hi""",3\n3,plain,\n   \n4,"",5\n\n\n';
    for (const [name, text, nl] of [
      ['lf.csv', '\ufeff' + body, '\n'],
      ['crlf.csv', body.replace(/\n/g, '\r\n'), '\r\n'],
      ['noquote.csv', 'a,b\n1,2\n3,4', '\n'],
    ] as const) {
      const f = writeTemp(t.dir, name, text);
      const full = await read(f, 'csv-parse');
      const fast = await read(f, 'papaparse', nl);
      assert.ok(Array.isArray(fast) && Array.isArray(full), `${name}: ${(fast as Error).message}`);
      assert.deepEqual(fast.map((r) => r[0]), full.map((r) => r[0]), name);
      // end lines: csv-parse counts a CRLF inside quotes as two lines; papaparse's reader counts it once
      if (name !== 'noquote.csv') assert.deepEqual(fast.map((r) => r[1]), [1, 3, 5, 6, 8], name);
      if (name === 'lf.csv') assert.deepEqual(full.map((r) => r[1]), [1, 3, 5, 6, 8]);
    }
  });

  it('records spanning 1 MiB chunks: same records and lines', async () => {
    let s = 'id,text,v\n';
    let i = 0;
    while (s.length < 3.5 * (1 << 20)) {
      const k = i % 7;
      const text = k === 0 ? `"line1\nline2, ""q"" ${i}"` : k === 1 ? `"${'x'.repeat(3000)},${i}"` : k === 2 ? '' : `t${i}`;
      s += `${i},${text},${(i * 0.5).toFixed(1)}\n`;
      i++;
    }
    const f = writeTemp(t.dir, 'big.csv', s);
    const full = await read(f, 'csv-parse');
    const fast = await read(f, 'papaparse');
    assert.ok(Array.isArray(fast));
    assert.equal(fast.length, full instanceof Array ? full.length : -1);
    assert.deepEqual(fast, full);
  });

  it('hands over to csv-parse: mixed or CR line endings, LF inside quotes of a CRLF file, unclosed quote', async () => {
    const cases: Array<[string, string, '\n' | '\r\n']> = [
      ['mixed.csv', 'a,b\r1,2\n3,4\r\n5,6\n', '\n'],
      ['mixed2.csv', 'a,b\r\n1,2\n3,4\r\n', '\r\n'],
      ['cr.csv', 'a,b\r\n1,2\r3,4\r\n', '\r\n'],
      ['crlf-lf-in-quotes.csv', 'a,b\r\n1,"x\ny"\r\n', '\r\n'],
      ['unclosed.csv', 'a,b\n1,"open\n2,3\n', '\n'],
    ];
    for (const [name, text, nl] of cases) {
      const r = await read(writeTemp(t.dir, name, text), 'papaparse', nl);
      assert.ok(r instanceof UseFullParser, name);
    }
  });
});
