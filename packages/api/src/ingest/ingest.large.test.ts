/** A generated 200,000-row file: batches, exact profile facts, bounded memory. */
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readFileSync } from 'node:fs';
import { ingestCsvFile } from './index.js';
import { tempDir } from './test-helpers.js';

const ROWS = 200_000;

async function generate(file: string): Promise<void> {
  const out = createWriteStream(file);
  out.write('id,x,cat,flag,when,note\n');
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const x = i % 10 === 0 ? '' : ((i % 1000) / 4).toString();
    const day = String((i % 28) + 1).padStart(2, '0');
    chunk += `${i},${x},c${i % 7},${i % 3 === 0 ? 'yes' : 'no'},2020-02-${day},"note, ${i}"\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

describe('ingest: 200k generated rows', function () {
  this.timeout(180_000);
  const t = tempDir();
  after(t.cleanup);

  it('streams into 65,536-row batches with exact counts and bounded memory', async () => {
    const csv = path.join(t.dir, 'big.csv');
    await generate(csv);
    const arrow = path.join(t.dir, 'big.arrow');
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const iv = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
    const r = await ingestCsvFile(csv, arrow);
    clearInterval(iv);
    assert.equal(r.rowCount, ROWS);
    assert.equal(r.batchCount, Math.ceil(ROWS / 65536));
    assert.deepEqual(r.schema.columns.map((c) => c.type), ['integer', 'float', 'categorical', 'boolean', 'datetime', 'identifier']);
    const x = r.profile.columns.x;
    assert.equal(x.missing, ROWS / 10);
    assert.equal(x.count, ROWS - ROWS / 10);
    assert.equal(r.profile.columns.flag.trueCount, Math.ceil(ROWS / 3));
    const distinct = r.profile.columns.id.distinct!; // exact up to 65,536, then HyperLogLog (≈1.6 % error)
    assert.ok(Math.abs(distinct - ROWS) / ROWS < 0.05, String(distinct));
    // The whole file as JS row objects would take hundreds of MB; the heap stays far below.
    const grownMb = (peak - before) / 2 ** 20;
    assert.ok(grownMb < 200, `heap grew by ${grownMb.toFixed(0)} MB`);
    const table = tableFromIPC(readFileSync(arrow));
    assert.equal(table.numRows, ROWS);
    assert.equal(table.batches.length, 4);
    const xv = table.getChild('x')!;
    assert.equal(xv.isValid(0), false);
    assert.equal(xv.get(1), 0.25);
    assert.equal(table.getChild('note')!.get(ROWS - 1), `note, ${ROWS - 1}`);
  });
});
