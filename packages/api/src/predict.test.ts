/** Prediction input checks: values that do not fit their column's type are reported, not hidden. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JobEntity, ModelEntity, loadConfig, newId, objectKeys, openDatabase, type DatabaseHandle } from '@weft/common';
import { invalidValues, jsonRowLines } from './predict.js';
import { FakeScheduler, csvForm, startTestApi, type TestApi } from './test-support.js';

describe('api/predict invalid values', () => {
  it('reports the columns the model reads whose values did not fit, with the first lines', () => {
    const fresh = {
      schema: {
        columns: [
          { name: 'Cylinders', type: 'integer' as const, role: 'feature' as const, invalidCount: 2 },
          { name: 'Year', type: 'datetime' as const, role: 'feature' as const, invalidCount: 1 },
          { name: 'extra', type: 'float' as const, role: 'feature' as const, invalidCount: 4 },
          { name: 'mpg', type: 'float' as const, role: 'feature' as const, invalidCount: 1 },
          { name: 'Origin', type: 'categorical' as const, role: 'feature' as const },
        ],
      },
      warnings: [
        { code: 'INVALID_VALUES', column: 'Cylinders', rows: [3, 5], message: '' },
        { code: 'INVALID_VALUES', column: 'Year', rows: [2], message: '' },
      ],
    };
    const training = {
      target: 'mpg',
      schema: { columns: ['Cylinders', 'Year', 'mpg', 'Origin'].map((name) => ({ name, type: 'float' as const, role: 'feature' as const })) },
    };
    assert.deepEqual(invalidValues(fresh, training), {
      Cylinders: { type: 'integer', count: 2, lines: [3, 5] },
      Year: { type: 'datetime', count: 1, lines: [2] },
    });
    assert.deepEqual(invalidValues(fresh, training, (l) => l - 2).Cylinders!.rows, [1, 3]);
  });

  it('maps CSV lines back to JSON rows, values with line breaks included', () => {
    const at = jsonRowLines([{ a: 'x' }, { a: 'two\nlines', b: 1 }, { a: 'y\r\nz\r' }, { a: null }]);
    assert.deepEqual([2, 3, 5, 8].map(at), [0, 1, 2, 3]);
    assert.equal(at(4), undefined);
  });

  describe('POST /api/models/:id/predict', () => {
    let dataDir: string;
    let db: DatabaseHandle;
    let fake: FakeScheduler;
    let t: TestApi;
    let modelId: string;
    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-predict-'));
      db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dataDir }));
      fake = new FakeScheduler(db);
      t = await startTestApi({ WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: await fake.start() });
      const rows = Array.from({ length: 30 }, (_, i) => `${4 + (i % 3) * 2},${2000 + (i % 20)}-0${1 + (i % 9)}-1${i % 10},${['usa', 'europe', 'japan'][i % 3]},${20 + i}`);
      const up = await t.fetch('/api/datasets', { method: 'POST', body: csvForm(['Cylinders,Year,Origin,mpg', ...rows].join('\n') + '\n', { name: 'cars' }) });
      const ds = (await up.json()) as { id: string; schema: { columns: Array<{ name: string; type: string }> } };
      assert.equal(up.status, 201, JSON.stringify(ds));
      assert.deepEqual(ds.schema.columns.map((c) => c.type), ['integer', 'datetime', 'categorical', 'integer']);
      modelId = newId('model');
      const em = db.em();
      em.create(ModelEntity, {
        id: modelId,
        workspaceId: 'default',
        jobId: 'job_train',
        nodeId: 'model',
        nodeType: 'linear_regression',
        task: 'regression',
        target: 'mpg',
        datasetId: ds.id,
        artifactKey: 'none',
        metrics: {},
        createdAt: new Date(),
      } as never);
      await em.flush();
    });
    after(async () => {
      await t.close();
      await fake.stop();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** Plays the scheduler: completes the predict job the api submits, with one prediction per row. */
    async function completeNextJob(n: number, extra: Record<string, unknown> = {}): Promise<void> {
      for (let i = 0; i < 200; i++) {
        const jobs = await db.em().fork().find(JobEntity, { state: 'queued' });
        const job = jobs.find((j) => (j.graph as { name?: string }).name === `predict ${modelId}`);
        if (job) {
          await t.api.deps.store.put(objectKeys.predictions('default', job.id), JSON.stringify({ predictions: Array(n).fill(1), unseenCategories: {}, ...extra }), 'application/json');
          await fake.emit(job.id, { type: 'job_state', state: 'completed' });
          return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('no predict job was submitted');
    }

    it('reports "four" in a numeric column and "garbage" in a datetime column, per column with lines', async () => {
      const csv = 'Cylinders,Year,Origin\n4,2001-02-03,usa\nfour,garbage,europe\n6,2003-04-05,japan\nsix,2004-01-01,usa\n';
      const [res] = await Promise.all([t.fetch(`/api/models/${modelId}/predict`, { method: 'POST', body: csvForm(csv, {}, 'new.csv') }), completeNextJob(4)]);
      const body = (await res.json()) as any;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.invalidValues, {
        Cylinders: { type: 'integer', count: 2, lines: [3, 5] },
        Year: { type: 'datetime', count: 1, lines: [3] },
      });
      assert.deepEqual(body.unseenCategories, {});
    });

    it('passes on what the prediction job stored: cluster distances, class probabilities, missing categories', async () => {
      const rows = [{ Cylinders: 4, Year: '2001-02-03', Origin: 'usa' }, { Cylinders: 6, Year: '2003-04-05', Origin: 'japan' }];
      const stored = { distances: [0.5, 1.25], probabilities: [[0.9, 0.1], [0.2, 0.8]], classes: ['a', 'b'], missingCategories: { Origin: { count: 0 } } };
      const [res] = await Promise.all([
        t.fetch(`/api/models/${modelId}/predict`, { method: 'POST', body: JSON.stringify({ rows }), headers: { 'content-type': 'application/json' } }),
        completeNextJob(2, stored),
      ]);
      const body = (await res.json()) as any;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.distances, [0.5, 1.25]);
      assert.deepEqual(body.probabilities, [[0.9, 0.1], [0.2, 0.8]]);
      assert.deepEqual(body.classes, ['a', 'b']);
      assert.deepEqual(body.missingCategories, { Origin: { count: 0 } });
    });

    it('names the JSON rows of invalid values', async () => {
      const rows = [
        { Cylinders: 4, Year: '2001-02-03', Origin: 'usa' },
        { Cylinders: 'four', Year: '2001-02-03', Origin: 'usa' },
        { Cylinders: 6, Year: 'garbage', Origin: 'japan' },
      ];
      const [res] = await Promise.all([
        t.fetch(`/api/models/${modelId}/predict`, { method: 'POST', body: JSON.stringify({ rows }), headers: { 'content-type': 'application/json' } }),
        completeNextJob(3),
      ]);
      const body = (await res.json()) as any;
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.deepEqual(body.invalidValues, {
        Cylinders: { type: 'integer', count: 1, lines: [3], rows: [1] },
        Year: { type: 'datetime', count: 1, lines: [4], rows: [2] },
      });
    });
  });
});
