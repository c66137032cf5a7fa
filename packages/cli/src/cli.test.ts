/** The weft CLI: formatting helpers, and upload/run against a real api process. */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApiError, type JobDoc } from './api-client.js';
import { formatApiError, metricsTables } from './format.js';
import { withDataset } from './commands/run.js';
import { findRepoRoot } from './paths.js';
import { serviceScript } from './launcher.js';

const BIN = path.join(__dirname, 'bin.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('weft CLI', function () {
  this.timeout(60_000);

  describe('formatting', () => {
    it('prints each workflow issue with its node and field', () => {
      const text = formatApiError(
        new ApiError('WORKFLOW_INVALID', 'The workflow is invalid', 400, {
          issues: [{ code: 'UNKNOWN_COLUMN', nodeId: 'data', field: 'params.target', message: 'no column "x"' }],
        }),
      );
      assert.match(text, /^error: WORKFLOW_INVALID: The workflow is invalid/);
      assert.match(text, /UNKNOWN_COLUMN at node "data" field "params.target": no column "x"/);
    });

    it('prints a metrics table per node', () => {
      const job = {
        workflow: { nodes: [{ id: 'evaluate', type: 'evaluate', params: {} }], edges: [] },
        result: { nodes: { evaluate: { metrics: { accuracy: 0.95614, confusion_matrix: [[40, 2], [3, 69]], auc: null }, notes: { auc: 'single class' } }, split: {} } },
      } as unknown as JobDoc;
      const text = metricsTables(job);
      assert.match(text, /^evaluate \(evaluate\)/);
      assert.match(text, /accuracy\s+0\.9561/);
      assert.match(text, /confusion_matrix\s+\[40 2\] \[3 69\]/);
      assert.match(text, /auc\s+n\/a {2}\(single class\)/);
      assert.doesNotMatch(text, /split/);
    });

    it('sets the dataset of every dataset node', () => {
      const g = withDataset({ nodes: [{ id: 'd', type: 'dataset', params: { datasetId: '', target: 'y' } }, { id: 's', type: 'split', params: {} }], edges: [] }, 'ds_1');
      assert.deepEqual(g.nodes[0]!.params, { datasetId: 'ds_1', target: 'y' });
      assert.deepEqual(g.nodes[1]!.params, {});
    });

    it('finds the repository examples', () => {
      const root = findRepoRoot();
      assert.ok(fs.existsSync(path.join(root, 'examples', 'workflows', 'breast_cancer.json')));
    });
  });

  describe('against a running api', () => {
    let api: ChildProcess;
    let server: string;
    let dataDir: string;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-cli-test-'));
      const port = await freePort();
      server = `http://127.0.0.1:${port}`;
      api = spawn(process.execPath, [serviceScript('@weft/api')], {
        env: { ...process.env, WEFT_DATA_DIR: dataDir, WEFT_PORT: String(port), WEFT_LOG_LEVEL: 'silent', WEFT_SCHEDULER_URL: '127.0.0.1:1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        let out = '';
        api.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('api listening on http://')) resolve();
        });
        api.once('exit', (code) => reject(new Error(`api exited with ${code}`)));
      });
      // The local owner and API key, as `weft up` creates them; later commands find them by themselves.
      const init = await runCli(['init'], { WEFT_DATA_DIR: dataDir });
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /API key {3}weft_ak_/);
    });
    after(async () => {
      const exited = new Promise((r) => api.once('exit', r));
      api.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('api exits cleanly on SIGTERM (checked in after) and `upload --json` prints one dataset document', async () => {
      const csv = path.join(dataDir, 'tiny.csv');
      fs.writeFileSync(csv, 'x,y,label\n1,2.5,a\n2,3.5,b\n3,,a\n');
      const r = await runCli(['upload', csv, '--json', '--server', server], { WEFT_DATA_DIR: dataDir });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.rowCount, 3);
      assert.equal(doc.name, 'tiny');
      assert.deepEqual(
        doc.schema.columns.map((c: { name: string; type: string }) => c.name),
        ['x', 'y', 'label'],
      );
      assert.ok(doc.schema.columns.every((c: { type?: string }) => typeof c.type === 'string'));
    });

    it('`upload` without --json prints a readable summary', async () => {
      const csv = path.join(dataDir, 'tiny2.csv');
      fs.writeFileSync(csv, 'x,label\n1,a\n2,b\n');
      const r = await runCli(['upload', csv, '--server', server, '--name', 'Tiny two'], { WEFT_DATA_DIR: dataDir });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Dataset Tiny two \(ds_/);
      assert.match(r.stdout, /2 rows, 2 columns/);
    });

    it('`upload` of a ragged CSV exits 2 with the code on stderr', async () => {
      const csv = path.join(dataDir, 'ragged.csv');
      fs.writeFileSync(csv, 'a,b\n1,2\n3\n');
      const r = await runCli(['upload', csv, '--server', server], { WEFT_DATA_DIR: dataDir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /error: CSV_RAGGED_ROWS/);
      assert.equal(r.stdout, '');
    });

    it('`run` of an invalid workflow exits 2 naming node and field', async () => {
      const wf = path.join(dataDir, 'bad.json');
      fs.writeFileSync(
        wf,
        JSON.stringify({
          nodes: [
            { id: 'data', type: 'dataset', params: { datasetId: 'ds_missing', target: 'y' } },
            { id: 'split', type: 'split', params: { testFraction: 2 } },
          ],
          edges: [{ source: 'data', target: 'split' }],
        }),
      );
      const r = await runCli(['run', wf, '--json', '--server', server], { WEFT_DATA_DIR: dataDir });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /error: WORKFLOW_INVALID/);
      assert.match(r.stderr, /node "split" field "params.testFraction"/);
      const doc = JSON.parse(r.stdout) as { error: { code: string; message: string; details: { issues: Array<{ nodeId: string; field: string }> } } };
      assert.equal(doc.error.code, 'WORKFLOW_INVALID', 'with --json a refusal is a JSON error document on stdout');
      assert.equal(typeof doc.error.message, 'string');
      assert.ok(doc.error.details.issues.some((i) => i.nodeId === 'split' && i.field === 'params.testFraction'), r.stdout);
    });

    it('keeps the local credentials private (0600), prefers --api-key and WEFT_API_KEY, and exits 2 on a bad key', async () => {
      assert.equal(fs.statSync(path.join(dataDir, 'credentials.json')).mode & 0o777, 0o600);
      const csv = path.join(dataDir, 'tiny3.csv');
      fs.writeFileSync(csv, 'x,label\n1,a\n');
      const bad = await runCli(['upload', csv, '--server', server, '--api-key', 'weft_wrong'], { WEFT_DATA_DIR: dataDir });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /UNAUTHENTICATED/);
      const env = await runCli(['upload', csv, '--server', server], { WEFT_DATA_DIR: dataDir, WEFT_API_KEY: 'weft_wrong' });
      assert.equal(env.code, 2);
      const none = await runCli(['upload', csv, '--server', server], { WEFT_DATA_DIR: path.join(dataDir, 'nowhere') });
      assert.equal(none.code, 2);
      assert.match(none.stderr, /--api-key/);
    });

    it('reports an unreachable api as UNAVAILABLE with exit 2', async () => {
      const r = await runCli(['upload', __filename, '--server', 'http://127.0.0.1:1']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /UNAVAILABLE: Cannot reach the Weft api/);
    });
  });
});
