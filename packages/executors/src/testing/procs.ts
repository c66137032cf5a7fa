/** Test helpers: spawn scheduler/executor processes, seed a dataset, talk JobService. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { DatasetEntity, loadConfig, openDatabase } from '@weft/common';
import { loadWeftProto, type Job__Output, type JobServiceClient } from '@weft/proto';

export const SCHEDULER_MAIN = path.resolve(__dirname, '../../../scheduler/dist/main.js');
export const EXECUTOR_MAIN = path.resolve(__dirname, '../main.js');

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A spawned process with its collected output. */
export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const spawned = new Set<ChildProcess>();

/** Spawns `node file` with extra env; output is collected. */
export function spawnNode(file: string, env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [file], { env: { ...process.env, WEFT_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    spawned.delete(child);
    resolve(code);
  }));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Kills every process spawned by this module that is still alive (SIGCONT first, then SIGKILL). */
export async function killAll(): Promise<void> {
  const all = [...spawned];
  for (const c of all) {
    try {
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(all.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
}

/** Waits until `pred()` is true, polling. */
export async function until(pred: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A temp data dir with one stored dataset `ds_1` (columns x float, y categorical). */
export async function seededDataDir(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-exec-'));
  const db = await openDatabase(loadConfig({ WEFT_DATA_DIR: dir }));
  const em = db.em();
  em.create(DatasetEntity, {
    id: 'ds_1',
    workspaceId: 'default',
    name: 'ds_1.csv',
    rowCount: 10,
    byteSize: 100,
    batchCount: 1,
    schema: { columns: [{ name: 'x', type: 'float', role: 'feature' }, { name: 'y', type: 'categorical', role: 'feature', categories: ['a', 'b'] }] },
    profile: { columns: { x: { count: 10, missing: 0, distinct: 10 }, y: { count: 10, missing: 0, distinct: 2 } } },
    warnings: [],
    objectKey: 'workspaces/default/datasets/ds_1/data.arrow',
    createdAt: new Date(),
  });
  await em.flush();
  await db.close();
  return dir;
}

/** dataset → split → logistic regression → evaluate, plus `extra` more model nodes. */
export function graph(extra = 0): unknown {
  const nodes: unknown[] = [
    { id: 'data', type: 'dataset', params: { datasetId: 'ds_1', target: 'y' } },
    { id: 'split', type: 'split', params: {} },
    { id: 'model', type: 'logistic_regression', params: {} },
    { id: 'eval', type: 'evaluate', params: {} },
  ];
  const edges: unknown[] = [{ source: 'data', target: 'split' }, { source: 'split', target: 'model' }, { source: 'model', target: 'eval' }];
  for (let i = 0; i < extra; i++) {
    nodes.push({ id: `m${i}`, type: 'logistic_regression', params: {} });
    edges.push({ source: 'split', target: `m${i}` });
  }
  return { nodes, edges };
}

/** JobService client with promise helpers. */
export class Jobs {
  readonly client: JobServiceClient;
  constructor(port: number) {
    this.client = new (loadWeftProto().weft.v1.JobService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }
  private call<T>(method: 'Submit' | 'Get' | 'Cancel', req: object): Promise<T> {
    return new Promise((resolve, reject) =>
      (this.client[method] as (r: object, o: grpc.CallOptions, cb: (e: Error | null, r?: T) => void) => void)(req, { deadline: Date.now() + 5_000 }, (e, r) => (e ? reject(e) : resolve(r!))),
    );
  }
  submit(g: unknown): Promise<Job__Output> {
    return this.call('Submit', { workflowJson: JSON.stringify(g) });
  }
  get(jobId: string): Promise<Job__Output> {
    return this.call('Get', { jobId });
  }
  cancel(jobId: string): Promise<Job__Output> {
    return this.call('Cancel', { jobId });
  }
  /** Polls Get until the job is final (or throws after `timeoutMs`). */
  async final(jobId: string, timeoutMs = 30_000): Promise<Job__Output> {
    let j: Job__Output | undefined;
    await until(async () => {
      try {
        j = await this.get(jobId);
      } catch {
        return false; // scheduler restarting
      }
      return ['completed', 'failed', 'cancelled'].includes(j.state);
    }, timeoutMs, `job ${jobId} to finish`);
    return j!;
  }
  close(): void {
    this.client.close();
  }
}

/** Starts a scheduler process and waits for its "listening" line. */
export async function startSchedulerProc(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Proc> {
  const p = spawnNode(SCHEDULER_MAIN, { WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, ...env });
  await Promise.race([
    until(() => p.stdout().includes('scheduler listening on'), 20_000, 'scheduler to listen'),
    p.exited.then((c) => {
      throw new Error(`scheduler exited (${c}): ${p.stderr()}`);
    }),
  ]);
  return p;
}

/** Starts an executor process (test sleep runner unless overridden). */
export function startExecutorProc(dataDir: string, port: number, env: Record<string, string> = {}): Proc {
  return spawnNode(EXECUTOR_MAIN, { WEFT_DATA_DIR: dataDir, WEFT_SCHEDULER_URL: `127.0.0.1:${port}`, WEFT_TEST_RUNNER: 'sleep', ...env });
}
