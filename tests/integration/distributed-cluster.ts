/**
 * Helpers of the distributed tests and bench: a seeded synthetic dataset written as an Arrow
 * IPC file of many record batches and registered in a fresh data directory, scheduler and
 * executor processes on loopback (always killed by `killAll`), and a JobService client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { RecordBatchFileWriter, tableFromArrays, type RecordBatch } from 'apache-arrow';
import { DatasetEntity, createObjectStore, loadConfig, openDatabase } from '@weft/common';
import { syntheticClassification, syntheticRegression } from '@weft/kernels';
import { loadWeftProto, type Job__Output, type JobServiceClient } from '@weft/proto';
import { freePort } from '../helpers/cluster.js';

const ROOT = path.resolve(__dirname, '../../..');
export const SCHEDULER_MAIN = path.join(ROOT, 'packages/scheduler/dist/main.js');
export const EXECUTOR_MAIN = path.join(ROOT, 'packages/executors/dist/main.js');

export { freePort };

/** What to generate: rows, features, batch size (rows per record batch), task. */
export interface SynthSpec {
  id: string;
  rows: number;
  features: number;
  batchRows: number;
  task: 'classification' | 'regression';
  seed?: number;
  /** Classification only: number of classes (default 2). K > 2 draws K Gaussian blobs (see `syntheticBlobs`). */
  classes?: number;
}

/**
 * Seeded K-class Gaussian blobs: each row's class is drawn uniformly, its features are
 * centre_k + N(0, 1) with centres drawn N(0, 1) per feature, so classes overlap (accuracy
 * well below 1 and the optimum is interior). mulberry32 + Box–Muller.
 */
export function syntheticBlobs(nRows: number, nFeatures: number, nClasses: number, seed: number): { X: Float64Array; y: Int32Array } {
  let a = seed >>> 0 || 1;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const centres = Array.from({ length: nClasses }, () => Array.from({ length: nFeatures }, () => gauss()));
  const X = new Float64Array(nRows * nFeatures);
  const y = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const k = Math.min(nClasses - 1, Math.floor(rand() * nClasses));
    y[i] = k;
    for (let j = 0; j < nFeatures; j++) X[i * nFeatures + j] = centres[k]![j]! + gauss();
  }
  return { X, y };
}

/**
 * Writes the seeded synthetic set (kernels' syntheticClassification / syntheticRegression:
 * features x0..x{d-1} float, target `y`) as an Arrow file of `batchRows`-row batches, puts it
 * in the data dir's object store and inserts its dataset row. Returns the batch count.
 */
export async function seedSynthetic(dataDir: string, s: SynthSpec): Promise<number> {
  const K = s.task === 'classification' ? (s.classes ?? 2) : 0;
  const data = K > 2 ? syntheticBlobs(s.rows, s.features, K, s.seed ?? 1) : s.task === 'classification' ? syntheticClassification(s.rows, s.features, s.seed ?? 1) : syntheticRegression(s.rows, s.features, s.seed ?? 1);
  const batches: RecordBatch[] = [];
  for (let start = 0; start < s.rows; start += s.batchRows) {
    const n = Math.min(s.batchRows, s.rows - start);
    const cols: Record<string, Float64Array | Int32Array> = {};
    for (let j = 0; j < s.features; j++) {
      const c = new Float64Array(n);
      for (let i = 0; i < n; i++) c[i] = data.X[(start + i) * s.features + j]!;
      cols[`x${j}`] = c;
    }
    cols.y = s.task === 'classification' ? Int32Array.from((data.y as Int32Array).subarray(start, start + n)) : Float64Array.from((data.y as Float64Array).subarray(start, start + n));
    batches.push(...tableFromArrays(cols).batches);
  }
  const bytes = RecordBatchFileWriter.writeAll(batches).toUint8Array(true);
  const cfg = loadConfig({ WEFT_DATA_DIR: dataDir });
  const objectKey = `workspaces/default/datasets/${s.id}/data.arrow`;
  await createObjectStore(cfg).put(objectKey, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const db = await openDatabase(cfg);
  const em = db.em();
  const columns = [
    ...Array.from({ length: s.features }, (_, j) => ({ name: `x${j}`, type: 'float' as const, role: 'feature' as const })),
    { name: 'y', type: s.task === 'classification' ? ('integer' as const) : ('float' as const), role: 'target' as const },
  ];
  const profile = Object.fromEntries(columns.map((c) => [c.name, { count: s.rows, missing: 0, distinct: c.name === 'y' && s.task === 'classification' ? Math.max(2, K) : s.rows }]));
  em.create(DatasetEntity, {
    id: s.id,
    workspaceId: 'default',
    name: `${s.id}.csv`,
    rowCount: s.rows,
    byteSize: bytes.byteLength,
    batchCount: batches.length,
    schema: { columns },
    profile: { columns: profile },
    warnings: [],
    objectKey,
    createdAt: new Date(),
  });
  await em.flush();
  await db.close();
  return batches.length;
}

/** dataset → split → scale → model → evaluate. */
export function trainGraph(datasetId: string, model: 'logistic_regression' | 'linear_regression', split: Record<string, unknown> = {}, seed = 7): unknown {
  return {
    seed,
    nodes: [
      { id: 'data', type: 'dataset', params: { datasetId, target: 'y' } },
      { id: 'split', type: 'split', params: { stratify: false, ...split } },
      { id: 'scale', type: 'scale', params: { method: 'standard' } },
      { id: 'model', type: model, params: model === 'logistic_regression' ? { maxIter: 200 } : {} },
      { id: 'eval', type: 'evaluate', params: {} },
    ],
    edges: [
      { source: 'data', target: 'split' },
      { source: 'split', target: 'scale' },
      { source: 'scale', target: 'model' },
      { source: 'model', target: 'eval' },
    ],
  };
}

/** A spawned process with its output. */
export interface Proc {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

const spawned = new Set<ChildProcess>();

function spawnNode(file: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [file], { env: { ...process.env, WEFT_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      spawned.delete(child);
      resolve(code);
    }),
  );
  return { child, out: () => out, exited };
}

/** Kills (SIGKILL) every process these helpers spawned that is still alive, by pid. */
export async function killAll(): Promise<void> {
  const all = [...spawned];
  for (const c of all) {
    try {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  await Promise.all(all.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
}

/** Polls `pred` every 50 ms until true. @throws Error after `timeoutMs`. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts a scheduler on `port` and waits until it listens. */
export async function startScheduler(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Proc> {
  const p = spawnNode(SCHEDULER_MAIN, { WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, ...env });
  await Promise.race([
    until(() => p.out().includes('scheduler listening on'), 30_000, 'scheduler to listen'),
    p.exited.then((c) => {
      throw new Error(`scheduler exited (${c}): ${p.out()}`);
    }),
  ]);
  return p;
}

/** Starts an executor process (real pipeline unless `WEFT_TEST_RUNNER` is in env). */
export function startExecutor(dataDir: string, port: number, env: Record<string, string> = {}): Proc {
  return spawnNode(EXECUTOR_MAIN, { WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, ...env });
}

/** JobService client (no credentials: the scheduler trusts loopback JobService calls without an internal secret). */
export class Jobs {
  readonly client: JobServiceClient;
  constructor(port: number) {
    this.client = new (loadWeftProto().weft.v1.JobService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }
  private call<T>(method: 'Submit' | 'Get', req: object): Promise<T> {
    return new Promise((resolve, reject) =>
      (this.client[method] as (r: object, o: grpc.CallOptions, cb: (e: Error | null, r?: T) => void) => void)(req, { deadline: Date.now() + 60_000 }, (e, r) => (e ? reject(e) : resolve(r!))),
    );
  }
  submit(g: unknown): Promise<Job__Output> {
    return this.call('Submit', { workflowJson: JSON.stringify(g) });
  }
  get(jobId: string): Promise<Job__Output> {
    return this.call('Get', { jobId });
  }
  /** Polls (every `everyMs`) until the job is final. */
  async final(jobId: string, timeoutMs: number, everyMs = 100): Promise<Job__Output> {
    let j: Job__Output | undefined;
    await until(async () => {
      try {
        j = await this.get(jobId);
      } catch {
        return false;
      }
      return ['completed', 'failed', 'cancelled'].includes(j.state);
    }, timeoutMs, `job ${jobId} to finish`, everyMs);
    return j!;
  }
  close(): void {
    this.client.close();
  }
}

/** A fresh temp data directory. */
export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'weft-dist-'));
}

/** The evaluator's metrics of a finished job. */
export function evalMetrics(job: Job__Output): Record<string, unknown> {
  return (JSON.parse(job.resultJson) as { nodes: Record<string, { metrics?: Record<string, unknown> }> }).nodes.eval?.metrics ?? {};
}
