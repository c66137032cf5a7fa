/**
 * End to end through separate processes: scheduler, two executors and the api, driven by the
 * weft CLI, REST and Socket.IO exactly as a user would.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io } from 'socket.io-client';
import { Cluster, ROOT, startCluster } from '../helpers/cluster.js';

/** Authorization header of the cluster's local owner (set in `before`). */
let auth: Record<string, string> = {};

async function uploadFile(url: string, file: string, name = path.basename(file)): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('file', new Blob([fs.readFileSync(file)]), name);
  const r = await fetch(`${url}/api/datasets`, { method: 'POST', body: form, headers: auth });
  return { status: r.status, body: await r.json() };
}

async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

function workflow(name: string, datasetId: string): any {
  const g = JSON.parse(fs.readFileSync(path.join(ROOT, `examples/workflows/${name}.json`), 'utf8'));
  for (const n of g.nodes) if (n.type === 'dataset') n.params.datasetId = datasetId;
  return g;
}

describe('end to end: scheduler + 2 executors + api as separate processes', function () {
  this.timeout(180_000);
  let c: Cluster;
  let tmp: string;

  before(async () => {
    c = await startCluster({ executors: 2 });
    auth = c.headers;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-e2e-'));
  });
  after(async () => {
    await c?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cases = [
    { name: 'breast_cancer', check: (m: any) => assert.ok(m.accuracy >= 0.95, `accuracy ${m.accuracy}`), keys: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss', 'confusion_matrix'] },
    { name: 'iris', check: (m: any) => assert.ok(m.accuracy >= 0.9, `accuracy ${m.accuracy}`), keys: ['accuracy', 'f1', 'roc_auc', 'confusion_matrix'] },
    { name: 'diabetes', check: (m: any) => assert.ok(m.r2 >= 0.3, `r2 ${m.r2}`), keys: ['r2', 'rmse', 'mae'] },
  ];
  const models: Record<string, string> = {};
  for (const tc of cases) {
    it(`weft run examples/workflows/${tc.name}.json --data … --json completes with the expected metrics`, async () => {
      const r = await c.cli(['run', `examples/workflows/${tc.name}.json`, '--data', `examples/datasets/${tc.name}.csv`, '--json']);
      assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-3000)}`);
      const job = JSON.parse(r.stdout);
      assert.equal(job.state, 'completed');
      const m = job.result.nodes.evaluate.metrics;
      for (const k of tc.keys) assert.ok(k in m, `metric ${k} present`);
      tc.check(m);
      assert.ok(job.result.nodes.model.modelId, 'the model node names its stored model');
      models[tc.name] = job.result.nodes.model.modelId;
    });
  }

  it('streams live progress over Socket.IO: per-epoch loss, node states, then the final job state', async () => {
    const up = await uploadFile(c.url, path.join(ROOT, 'examples/datasets/breast_cancer.csv'));
    assert.equal(up.status, 201);
    const sub = await postJson(`${c.url}/api/jobs`, { workflow: workflow('breast_cancer', up.body.id) });
    assert.equal(sub.status, 201, JSON.stringify(sub.body));
    const socket = io(c.url, { transports: ['websocket'], forceNew: true, auth: { token: c.apiKey } });
    const events: any[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no final state; got ${events.map((e) => e.type).join(',')}`)), 60_000);
        socket.on('job:event', (e: any) => {
          events.push(e);
          if (e.type === 'job_state' && ['completed', 'failed', 'cancelled'].includes(e.state)) {
            clearTimeout(t);
            resolve();
          }
        });
        socket.emit('job:watch', { jobId: sub.body.id, afterSeq: 0 }, (ack: any) => {
          if (!ack?.ok) reject(new Error(JSON.stringify(ack)));
        });
      });
    } finally {
      socket.close();
    }
    assert.equal(events[events.length - 1].state, 'completed');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'events arrive in sequence order');
    assert.ok(events.some((e) => e.type === 'progress' && e.nodeId === 'model' && typeof e.loss === 'number' && e.epoch >= 1), 'per-epoch loss');
    assert.ok(events.some((e) => e.type === 'node_state' && e.nodeId === 'model' && e.state === 'running'));
    assert.ok(events.some((e) => e.type === 'node_result' && e.nodeId === 'evaluate'));
  });

  it('predicts with a trained model, applying its fitted preprocessing', async () => {
    const modelId = models.breast_cancer;
    assert.ok(modelId, 'breast_cancer model trained above');
    const lines = fs.readFileSync(path.join(ROOT, 'examples/datasets/breast_cancer.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const t = header.indexOf('diagnosis');
    const rows = [lines[0], ...lines.slice(1, 11)].map((l) => l.split(',').filter((_, j) => j !== t).join(','));
    const file = path.join(tmp, 'to-predict.csv');
    fs.writeFileSync(file, rows.join('\n') + '\n');
    const r = await c.cli(['predict', modelId, file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.predictions.length, 10);
    const truth = lines.slice(1, 11).map((l) => l.split(',')[t]);
    const agree = out.predictions.filter((p: string, i: number) => p === truth[i]).length;
    assert.ok(agree >= 9, `predictions ${out.predictions} vs ${truth}`);
  });

  it('datetime features, clipping, ordinal and target encoding, variance threshold: weft run trains, REST JSON rows and weft predict replay the saved steps', async () => {
    // y = 1.5·x1 + a city effect + 3 in the afternoon (UTC) + grade index; `flat` is constant.
    let a = 12345;
    const rand = () => ((a = (a * 1103515245 + 12345) % 2147483648) / 2147483648);
    const cities = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
    const grades = ['low', 'mid', 'high'];
    const lines = ['when,city,grade,x1,flat,y'];
    for (let i = 0; i < 400; i++) {
      const when = new Date(Date.UTC(2018, 0, 1) + Math.floor(rand() * 5 * 365 * 86_400_000));
      const c = Math.floor(rand() * cities.length);
      const g = Math.floor(rand() * 3);
      const x1 = rand() * 10 - 5;
      const y = 1.5 * x1 + [0, 4, -3, 8, 1, -6][c]! + (when.getUTCHours() >= 12 ? 3 : 0) + g + rand() * 0.2;
      lines.push([i % 37 === 5 ? '' : when.toISOString().replace('.000', ''), cities[c], grades[g], i === 11 ? 500 : x1.toFixed(4), 7, y.toFixed(4)].join(','));
    }
    const data = path.join(tmp, 'steps.csv');
    fs.writeFileSync(data, lines.join('\n') + '\n');
    const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({ id, type, params });
    const nodes = [
      node('data', 'dataset', { datasetId: '', target: 'y' }),
      node('split', 'split', { testFraction: 0.2, seed: 7 }),
      node('dt', 'datetime_features', { features: ['hour', 'day_of_week', 'month'] }),
      node('clip', 'clip', { lowerQuantile: 0.01, upperQuantile: 0.99 }),
      node('ord', 'ordinal', { columns: ['grade'] }),
      node('te', 'target_encode', { columns: ['city'] }),
      node('imp', 'impute'),
      node('vt', 'variance_threshold'),
      node('scale', 'scale'),
      node('model', 'linear_regression'),
      node('evaluate', 'evaluate'),
    ];
    const wf = path.join(tmp, 'steps.json');
    fs.writeFileSync(wf, JSON.stringify({ name: 'new preprocessing nodes', seed: 7, nodes, edges: nodes.slice(1).map((n, i) => ({ source: nodes[i]!.id, target: n.id })) }));
    const r = await c.cli(['run', wf, '--data', data, '--json']);
    assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-3000)}`);
    const job = JSON.parse(r.stdout);
    assert.equal(job.state, 'completed', job.errorMessage);
    assert.ok(job.result.nodes.evaluate.metrics.r2 > 0.8, JSON.stringify(job.result.nodes.evaluate.metrics));
    const modelId = job.result.nodes.model.modelId;

    const rows = [
      { when: '2024-06-01T15:30:00Z', city: 'c3', grade: 'high', x1: 1, flat: 7 },
      { when: '2024-06-01T03:30:00Z', city: 'c3', grade: 'high', x1: 1, flat: 7 },
      { when: null, city: 'nowhere', grade: 'top', x1: 0, flat: 7 },
    ];
    const rest = await postJson(`${c.url}/api/models/${modelId}/predict`, { rows });
    assert.equal(rest.status, 200, JSON.stringify(rest.body));
    const [afternoon, night, unknown] = rest.body.predictions as number[];
    assert.ok([afternoon, night, unknown].every((p) => Number.isFinite(p)), JSON.stringify(rest.body));
    assert.ok(afternoon! - night! > 1.5, `the hour feature reaches the model: ${afternoon} vs ${night}`);
    assert.equal(rest.body.unseenCategories.city.count, 1);

    const file = path.join(tmp, 'steps-predict.csv');
    fs.writeFileSync(file, ['when,city,grade,x1,flat', '2024-06-01T15:30:00Z,c3,high,1,7', '2024-06-01T03:30:00Z,c3,high,1,7', ',nowhere,top,0,7'].join('\n') + '\n');
    const cli = await c.cli(['predict', modelId, file, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(JSON.parse(cli.stdout).predictions, rest.body.predictions);
  });

  describe('bad input is refused with a clear error', () => {
    it('a ragged CSV gets 400 CSV_RAGGED_ROWS naming each bad line and its field count', async () => {
      const r = await uploadFile(c.url, path.join(ROOT, 'tests/cases/ingest/08-ragged-rows.csv'));
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'CSV_RAGGED_ROWS');
      assert.match(r.body.error.message, /line \d+/i);
    });
    it('an empty file gets 400 CSV_EMPTY', async () => {
      const f = path.join(tmp, 'empty.csv');
      fs.writeFileSync(f, '');
      const r = await uploadFile(c.url, f);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'CSV_EMPTY');
    });
    it('a binary file gets 400 CSV_BINARY', async () => {
      const f = path.join(tmp, 'binary.csv');
      const bytes = Buffer.alloc(4096);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
      fs.writeFileSync(f, bytes);
      const r = await uploadFile(c.url, f);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'CSV_BINARY');
    });
    it('nothing is stored by refused uploads', async () => {
      const r = await fetch(`${c.url}/api/datasets`, { headers: auth });
      const list = (await r.json()) as any;
      const items = Array.isArray(list) ? list : list.items ?? list.datasets;
      assert.ok(Array.isArray(items));
      assert.ok(!items.some((d: any) => /empty|binary|ragged/.test(d.name)), 'no dataset row for refused uploads');
    });
    it('a header-only file uploads, but training on it is refused with DATASET_EMPTY', async () => {
      const f = path.join(tmp, 'header-only.csv');
      fs.writeFileSync(f, 'a,b,label\n');
      const up = await uploadFile(c.url, f);
      assert.equal(up.status, 201, JSON.stringify(up.body));
      assert.equal(up.body.rowCount, 0);
      const g = {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: up.body.id, target: 'label' } },
          { id: 'split', type: 'split', params: {} },
          { id: 'model', type: 'linear_regression', params: {} },
        ],
        edges: [
          { source: 'data', target: 'split' },
          { source: 'split', target: 'model' },
        ],
      };
      const sub = await postJson(`${c.url}/api/jobs`, { workflow: g });
      assert.equal(sub.status, 400, JSON.stringify(sub.body));
      assert.ok(['DATASET_EMPTY', 'WORKFLOW_INVALID'].includes(sub.body.error.code), JSON.stringify(sub.body));
      assert.match(JSON.stringify(sub.body), /no rows|empty/i);
    });
    it('a single-class target is refused before training with TARGET_SINGLE_CLASS naming the column and value; no model stored', async () => {
      const up = await uploadFile(c.url, path.join(ROOT, 'tests/cases/ingest/17-single-class.csv'));
      assert.equal(up.status, 201, JSON.stringify(up.body));
      const cols = up.body.schema.columns.map((x: any) => x.name);
      const target = cols[cols.length - 1];
      const before = (await (await fetch(`${c.url}/api/models`, { headers: auth })).json()) as any;
      const g = {
        nodes: [
          { id: 'data', type: 'dataset', params: { datasetId: up.body.id, target } },
          { id: 'split', type: 'split', params: {} },
          { id: 'impute', type: 'impute', params: {} },
          { id: 'model', type: 'logistic_regression', params: {} },
        ],
        edges: [
          { source: 'data', target: 'split' },
          { source: 'split', target: 'impute' },
          { source: 'impute', target: 'model' },
        ],
      };
      const sub = await postJson(`${c.url}/api/jobs`, { workflow: g });
      assert.equal(sub.status, 400, JSON.stringify(sub.body));
      assert.equal(sub.body.error.code, 'TARGET_SINGLE_CLASS');
      assert.ok(sub.body.error.message.includes(target), sub.body.error.message);
      const after = (await (await fetch(`${c.url}/api/models`, { headers: auth })).json()) as any;
      assert.deepEqual(after, before);
    });
    it('a workflow with a cycle is rejected naming a node on the cycle', async () => {
      const up = await uploadFile(c.url, path.join(ROOT, 'examples/datasets/iris.csv'));
      const g = workflow('iris', up.body.id);
      g.edges.push({ source: 'scale', target: 'impute', targetHandle: 'split' });
      g.edges = g.edges.filter((e: any) => !(e.source === 'split' && e.target === 'impute'));
      const v = await postJson(`${c.url}/api/workflows/validate`, { graph: g });
      assert.equal(v.body.valid, false);
      const cyc = v.body.issues.find((i: any) => i.code === 'CYCLE');
      assert.ok(cyc && ['impute', 'scale'].includes(cyc.nodeId), JSON.stringify(v.body));
      const sub = await postJson(`${c.url}/api/jobs`, { workflow: g });
      assert.equal(sub.status, 400);
      assert.equal(sub.body.error.code, 'WORKFLOW_INVALID');
    });
    it('a workflow naming an unknown column is rejected naming the node and field', async () => {
      const up = await uploadFile(c.url, path.join(ROOT, 'examples/datasets/iris.csv'));
      const g = workflow('iris', up.body.id);
      g.nodes.find((n: any) => n.id === 'scale').params.columns = ['petal size'];
      const v = await postJson(`${c.url}/api/workflows/validate`, { graph: g });
      assert.equal(v.body.valid, false);
      const issue = v.body.issues.find((i: any) => i.code === 'UNKNOWN_COLUMN');
      assert.equal(issue.nodeId, 'scale');
      assert.equal(issue.field, 'params.columns.0');
    });
  });
});
