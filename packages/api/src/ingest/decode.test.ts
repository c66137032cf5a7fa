/** Encodings: UTF-16 with and without a byte-order mark, binary files; unit and ingest level. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDecoder, findInvalidUtf16 } from './decode.js';
import { ingestCsvFile } from './index.js';
import { detectUtf16, sniffFile } from './sniff.js';
import { ingest, rejectsWith, tempDir, values, writeTemp } from './test-helpers.js';

/** `text` in UTF-16BE bytes. */
function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** Runs bytes through a decoder in the given chunks; resolves to the UTF-8 text or rejects. */
async function decodeChunks(encoding: 'utf-16le' | 'utf-16be', chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    createDecoder(encoding),
    new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }),
  );
  return Buffer.concat(out).toString('utf8');
}

interface Failure {
  code: string;
  message: string;
  details: unknown;
}

/** The error {@link decodeChunks} rejects with; fails if it resolves. */
async function decodeError(encoding: 'utf-16le' | 'utf-16be', chunks: Buffer[]): Promise<Failure> {
  try {
    await decodeChunks(encoding, chunks);
  } catch (e) {
    return e as Failure;
  }
  throw new Error('decoded without an error');
}

const MIXED_TEXT = 'name,city,n\nJosé,München,1\n張三,北京,2\nZoë,😀 emoji,3\n';
const CJK_TEXT = '名字,城市,备注\n张三,北京,一二三四五六七八九十\n李四,上海,东南西北中发白\n王五,广州,春夏秋冬\n';

describe('ingest/sniff: UTF-16 without a byte-order mark', () => {
  it('ASCII-heavy text is UTF-16LE or UTF-16BE from its zero bytes', () => {
    const text = 'id,score,label\n1,0.5,cat\n2,0.25,dog\n';
    assert.equal(detectUtf16(Buffer.from(text, 'utf16le')), 'utf-16le');
    assert.equal(detectUtf16(utf16be(text)), 'utf-16be');
    assert.equal(detectUtf16(Buffer.from(MIXED_TEXT, 'utf16le')), 'utf-16le');
    assert.equal(detectUtf16(utf16be(MIXED_TEXT)), 'utf-16be');
    assert.equal(detectUtf16(Buffer.from('a', 'utf16le')), 'utf-16le'); // one character
    // an odd head length (a cut) does not matter
    assert.equal(detectUtf16(Buffer.from(text, 'utf16le').subarray(0, 25)), 'utf-16le');
  });

  it('text that is mostly CJK is still found (its delimiters and line breaks are ASCII)', () => {
    assert.equal(detectUtf16(Buffer.from(CJK_TEXT, 'utf16le')), 'utf-16le');
    assert.equal(detectUtf16(utf16be(CJK_TEXT)), 'utf-16be');
  });

  it('8-bit text, random bytes, 16-bit binary numbers, UTF-32 and NUL-padded data are not UTF-16', () => {
    assert.equal(detectUtf16(Buffer.from('id,x\n1,2\n', 'utf8')), null);
    assert.equal(detectUtf16(Buffer.from('name\nJosé\n', 'latin1')), null);
    assert.equal(detectUtf16(Buffer.alloc(0)), null);
    for (let k = 0; k < 20; k++) assert.equal(detectUtf16(randomBytes(4096)), null);
    const int16 = Buffer.alloc(2048);
    for (let i = 0; i < 1024; i++) int16.writeUInt16LE(i % 200, 2 * i); // small counts: U+0000..U+00C7
    assert.equal(detectUtf16(int16), null);
    assert.equal(detectUtf16(Buffer.from(Array.from('id,x\n1,2\n', (c) => [c.charCodeAt(0), 0, 0, 0]).flat())), null); // UTF-32LE
    assert.equal(detectUtf16(Buffer.concat([Buffer.from('a,b\n'), Buffer.alloc(100)])), null);
    assert.equal(detectUtf16(Buffer.from('a\u0000b\u0000\u0000\u0000c\u0000', 'latin1')), null); // a U+0000 unit
  });

  it('sniffFile reports the encoding and sniffs the delimiter of the decoded head', async () => {
    const t = tempDir();
    try {
      const le = await sniffFile(writeTemp(t.dir, 'le.csv', Buffer.from('a;b\r\n1;2\r\n', 'utf16le')), { maxColumns: 100 });
      assert.deepEqual([le.encoding, le.delimiter, le.headerFields, le.newline], ['utf-16le', ';', 2, '\r\n']);
      const be = await sniffFile(writeTemp(t.dir, 'be.csv', utf16be('a\tb\tc\n1\t2\t3\n')), { maxColumns: 100 });
      assert.deepEqual([be.encoding, be.delimiter, be.headerFields], ['utf-16be', '\t', 3]);
      const u8 = await sniffFile(writeTemp(t.dir, 'u8.csv', 'a,b\n1,2\n'), { maxColumns: 100 });
      assert.equal(u8.encoding, 'utf8');
    } finally {
      t.cleanup();
    }
  });
});

describe('ingest/decode: UTF-16 decoder', () => {
  it('finds the first unpaired surrogate', () => {
    const le = (units: number[]) => Buffer.from(new Uint16Array(units).buffer);
    assert.equal(findInvalidUtf16(le([0x61, 0xd83d, 0xde00, 0x62]), true), -1);
    assert.equal(findInvalidUtf16(le([0x61, 0xde00, 0x62]), true), 2); // lone low surrogate
    assert.equal(findInvalidUtf16(le([0x61, 0x62, 0xd83d, 0x63]), true), 4); // high not followed by low
    assert.equal(findInvalidUtf16(le([0x61, 0xd83d]), true), 2); // high at the end
    assert.equal(findInvalidUtf16(le([0x61, 0xde00]).swap16(), false), 2);
  });

  it('gives the same text however the bytes are cut into chunks (split code units and surrogate pairs)', async () => {
    for (const [enc, bytes] of [['utf-16le', Buffer.from(MIXED_TEXT, 'utf16le')], ['utf-16be', utf16be(MIXED_TEXT)]] as const) {
      for (let cut = 0; cut <= bytes.length; cut++) {
        assert.equal(await decodeChunks(enc, [bytes.subarray(0, cut), bytes.subarray(cut)]), MIXED_TEXT, `${enc} cut at ${cut}`);
      }
      const ones = Array.from(bytes, (b) => Buffer.from([b]));
      assert.equal(await decodeChunks(enc, ones), MIXED_TEXT, `${enc} byte by byte`);
    }
  });

  it('drops a byte-order mark at the start of the file only', async () => {
    const bom = Buffer.from('\ufeffa,b\n', 'utf16le');
    assert.equal(await decodeChunks('utf-16le', [bom]), 'a,b\n');
    const mid = Buffer.from('a,b\n', 'utf16le');
    assert.equal(await decodeChunks('utf-16le', [mid, Buffer.from('\ufeffc\n', 'utf16le')]), 'a,b\n\ufeffc\n');
  });

  it('an unpaired surrogate, an odd last byte or a U+0000 names its byte offset in the file', async () => {
    const head = Buffer.from('a,b\n1,2\n', 'utf16le'); // 16 bytes
    const lone = Buffer.concat([head, Buffer.from([0x3d, 0xd8, 0x61, 0x00])]);
    for (const cut of [0, 7, 16, 17, 18, 19]) {
      const e = await decodeError('utf-16le', [lone.subarray(0, cut), lone.subarray(cut)]);
      assert.equal(e.code, 'CSV_ENCODING', `cut ${cut}`);
      assert.deepEqual(e.details, { offset: 16, encoding: 'utf-16le' });
      assert.match(e.message, /unpaired surrogate at byte 16/);
    }
    const atEnd = await decodeError('utf-16be', [utf16be('a,b\n'), Buffer.from([0xd8, 0x3d])]);
    assert.deepEqual([atEnd.code, atEnd.details], ['CSV_ENCODING', { offset: 8, encoding: 'utf-16be' }]);
    const odd = await decodeError('utf-16le', [head, Buffer.from([0x61])]);
    assert.equal(odd.code, 'CSV_ENCODING');
    assert.deepEqual(odd.details, { offset: 16, encoding: 'utf-16le' });
    assert.match(odd.message, /ends inside a 2-byte code unit at byte 16/);
    const nul = await decodeError('utf-16le', [head, Buffer.from([0x61, 0, 0, 0])]);
    assert.deepEqual([nul.code, nul.details], ['CSV_BINARY', { reason: 'NUL character', offset: 18 }]);
  });
});

describe('ingest: UTF-16 files and binary files', function () {
  this.timeout(60_000);
  const t = tempDir();
  after(t.cleanup);
  const out = (n: string) => path.join(t.dir, `${n}.arrow`);

  it('UTF-16LE and UTF-16BE without a BOM give the same table as the UTF-8 file', async () => {
    const utf8 = await ingest(t.dir, writeTemp(t.dir, 'mixed-u8.csv', MIXED_TEXT));
    for (const [name, bytes] of [['le', Buffer.from(MIXED_TEXT, 'utf16le')], ['be', utf16be(MIXED_TEXT)], ['le-bom', Buffer.from('\ufeff' + MIXED_TEXT, 'utf16le')], ['be-bom', utf16be('\ufeff' + MIXED_TEXT)]] as const) {
      const { result, table } = await ingest(t.dir, writeTemp(t.dir, `mixed-${name}.csv`, bytes));
      assert.deepEqual(result.schema, utf8.result.schema, name);
      assert.deepEqual(values(table, 'name'), ['José', '張三', 'Zoë'], name);
      assert.deepEqual(values(table, 'city'), ['München', '北京', '😀 emoji'], name);
      assert.deepEqual(values(table, 'n'), [1, 2, 3], name);
      assert.ok(!JSON.stringify(values(table, 'city')).includes('\ufffd'));
    }
  });

  it('a CJK-heavy UTF-16 file without a BOM, CRLF', async () => {
    for (const [name, bytes] of [['le', Buffer.from(CJK_TEXT.replaceAll('\n', '\r\n'), 'utf16le')], ['be', utf16be(CJK_TEXT.replaceAll('\n', '\r\n'))]] as const) {
      const { result, table } = await ingest(t.dir, writeTemp(t.dir, `cjk-${name}.csv`, bytes));
      assert.deepEqual(result.schema.columns.map((c) => c.name), ['名字', '城市', '备注'], name);
      assert.deepEqual(values(table, '城市'), ['北京', '上海', '广州'], name);
    }
  });

  it('a UTF-16LE file without a BOM larger than the read chunks, a surrogate pair on every line', async () => {
    const lines = ['id,word,x'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},w😀${i % 97},${i / 4}`);
    const text = lines.join('\n') + '\n';
    const { result, table } = await ingest(t.dir, writeTemp(t.dir, 'big-u16.csv', Buffer.from(text, 'utf16le'))); // ~2.7 MB
    assert.equal(result.rowCount, 60_000);
    assert.deepEqual(result.schema.columns.map((c) => c.type), ['integer', 'categorical', 'float']);
    const w = values(table, 'word');
    assert.equal(w[59_999], `w😀${59_999 % 97}`);
    assert.equal(values(table, 'x')[59_999], 59_999 / 4);
  });

  it('invalid UTF-16 far into a BOM-less file → CSV_ENCODING naming the byte offset; no Arrow file left', async () => {
    const head = Buffer.from('a,b\n' + '1,2\n'.repeat(100_000), 'utf16le');
    const bytes = Buffer.concat([head, Buffer.from([0x00, 0xdc]), Buffer.from(',1\n', 'utf16le')]);
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'bad-u16.csv', bytes), out('bad-u16')), 'CSV_ENCODING');
    assert.deepEqual(err.details, { offset: head.length, encoding: 'utf-16le' });
    assert.equal(existsSync(out('bad-u16')), false);
  });

  it('binary files stay CSV_BINARY: random bytes, PNG, ZIP, 16-bit samples, a NUL-padded text', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]), Buffer.alloc(64, 0x41)]);
    assert.match((await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'img.png', png), out('png')), 'CSV_BINARY')).message, /PNG/);
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('a\0b\0c\0d\0'.repeat(50), 'latin1')]); // a UTF-16-like body
    assert.match((await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'book.xlsx', zip), out('zip')), 'CSV_BINARY')).message, /ZIP/);
    for (let k = 0; k < 5; k++) await rejectsWith(ingestCsvFile(writeTemp(t.dir, `rand${k}.csv`, randomBytes(10_000)), out('rand')), 'CSV_BINARY');
    const samples = Buffer.alloc(8192);
    for (let i = 0; i < 4096; i++) samples.writeInt16LE(Math.round(100 * Math.sin(i / 7)), 2 * i);
    await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'audio.raw', samples), out('raw')), 'CSV_BINARY');
    const padded = Buffer.concat([Buffer.from('id,x\n1,2\n'), Buffer.alloc(4096)]);
    const err = await rejectsWith(ingestCsvFile(writeTemp(t.dir, 'padded.csv', padded), out('padded')), 'CSV_BINARY');
    assert.deepEqual(err.details, { reason: 'NUL byte', offset: 9 });
  });
});
