import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WeftError } from '@weft/proto';
import { ingestCsvFileInWorker } from './in-worker.js';

describe('ingest in a worker thread', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-ingest-worker-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the event loop free while a wide file is typed and profiled (regression: api froze on 10,000 columns)', async () => {
    const cols = 3000;
    const header = Array.from({ length: cols }, (_, j) => `c${j}`).join(',');
    const rows = Array.from({ length: 20 }, (_, i) => Array.from({ length: cols }, (_, j) => ((i * 31 + j * 7) % 97) / 7).join(','));
    const csv = path.join(dir, 'wide.csv');
    fs.writeFileSync(csv, [header, ...rows].join('\n') + '\n');
    let ticks = 0;
    let worstGapMs = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      worstGapMs = Math.max(worstGapMs, now - last);
      last = now;
      ticks++;
    }, 10);
    try {
      const r = await ingestCsvFileInWorker(csv, path.join(dir, 'wide.arrow'), {});
      assert.equal(r.schema.columns.length, cols);
      assert.equal(r.rowCount, 20);
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0);
    assert.ok(worstGapMs < 1000, `event loop blocked for ${worstGapMs} ms`);
  });

  it('rebuilds WeftErrors with their code and details', async () => {
    const csv = path.join(dir, 'ragged.csv');
    fs.writeFileSync(csv, 'a,b\n1,2\n3,4,5\n');
    await assert.rejects(ingestCsvFileInWorker(csv, path.join(dir, 'ragged.arrow')), (e: unknown) => e instanceof WeftError && e.code === 'CSV_RAGGED_ROWS' && e.details !== undefined);
    assert.equal(fs.existsSync(path.join(dir, 'ragged.arrow')), false, 'no partial Arrow file left');
  });

  it('stops when the signal aborts', async () => {
    const csv = path.join(dir, 'big.csv');
    fs.writeFileSync(csv, 'a,b\n' + '1,2\n'.repeat(200_000));
    const ac = new AbortController();
    const p = ingestCsvFileInWorker(csv, path.join(dir, 'big.arrow'), { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('client went away')), 20);
    await assert.rejects(p, /client went away/);
  });
});
