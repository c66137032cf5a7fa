/**
 * Test fixtures: a real api on a temp data dir and a free port, and a fake scheduler
 * (an in-memory gRPC JobService that writes jobs and events to the same database, as the
 * real scheduler does) for job routes and the Socket.IO gateway.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { JobEntity, JobEventEntity, loadConfig, newId, type Config, type DatabaseHandle } from '@weft/common';
import { loadWeftProto, toGrpcError, WeftError, type Job, type JobEvent, type JobServiceHandlers, type JobState } from '@weft/proto';
import { startApi, type ApiHandle } from './server.js';
import { ensureLocalOwner } from './auth/bootstrap.js';

export interface TestApi {
  api: ApiHandle;
  url: string;
  cfg: Config;
  dataDir: string;
  /** An owner API key of workspace `default` (the local owner's). */
  apiKey: string;
  /** `Authorization` header with `apiKey`. */
  headers: Record<string, string>;
  /** fetch against the api with `headers` added (explicit headers win). */
  fetch(p: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the api on 127.0.0.1:0 with a fresh temp data dir (unless `env.WEFT_DATA_DIR`); `env` adds WEFT_* variables. */
export async function startTestApi(env: Record<string, string> = {}): Promise<TestApi> {
  const dataDir = env.WEFT_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'weft-api-test-'));
  const cfg = loadConfig({
    WEFT_DATA_DIR: dataDir,
    WEFT_HOST: '127.0.0.1',
    WEFT_PORT: '0',
    WEFT_LOG_LEVEL: 'silent',
    WEFT_SCHEDULER_URL: '127.0.0.1:1',
    ...env,
  });
  const api = await startApi(cfg, { deps: { webDir: undefined } });
  const { credentials } = await ensureLocalOwner(cfg, { db: api.deps.db });
  const headers = { authorization: `Bearer ${credentials.apiKey}` };
  return {
    api,
    url: api.url,
    cfg,
    dataDir,
    apiKey: credentials.apiKey,
    headers,
    fetch: (p, init = {}) => fetch(api.url + p, { ...init, headers: { ...headers, ...((init.headers as Record<string, string> | undefined) ?? {}) } }),
    close: async () => {
      await api.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JobService that keeps jobs in the shared database and lets tests push events. */
export class FakeScheduler {
  readonly server = new grpc.Server();
  port = 0;
  /** Open Watch calls, by job id. */
  readonly watchers = new Map<string, Set<grpc.ServerWritableStream<unknown, JobEvent>>>();
  watchCalls = 0;

  constructor(private readonly db: DatabaseHandle) {
    const proto = loadWeftProto();
    const handlers: JobServiceHandlers = {
      Submit: (call, cb) => {
        this.createJob(JSON.parse(call.request.workflowJson || '{}'), 'queued', call.request.workspaceId || 'default').then(
          (id) => this.toJob(id).then((j) => cb(null, j)),
          (err: unknown) => cb(toGrpcError(err)),
        );
      },
      Get: (call, cb) => {
        this.toJob(call.request.jobId, call.request.workspaceId).then(
          (j) => cb(null, j),
          (err: unknown) => cb(toGrpcError(err)),
        );
      },
      List: (_call, cb) => cb(null, { jobs: [], nextCursor: '' }),
      Cancel: (call, cb) => {
        this.toJob(call.request.jobId, call.request.workspaceId).then(
          (j) => cb(null, j),
          (err: unknown) => cb(toGrpcError(err)),
        );
      },
      Watch: (call) => {
        this.watchCalls += 1;
        const id = call.request.jobId;
        let set = this.watchers.get(id);
        if (!set) this.watchers.set(id, (set = new Set()));
        set.add(call as never);
        call.on('cancelled', () => set!.delete(call as never));
        call.on('close', () => set!.delete(call as never));
      },
    };
    this.server.addService(proto.weft.v1.JobService.service, handlers);
  }

  /** Binds on a free loopback port; returns `host:port`. */
  async start(): Promise<string> {
    this.port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    return `127.0.0.1:${this.port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }

  /** Open Watch streams of a job. */
  openWatches(jobId: string): number {
    return this.watchers.get(jobId)?.size ?? 0;
  }

  /** Inserts a queued job row (workspace "default" unless given). */
  async createJob(graph: unknown, state: JobState = 'queued', workspaceId = 'default'): Promise<string> {
    const em = this.db.em();
    const id = newId('job');
    em.create(JobEntity, {
      id,
      workspaceId,
      workflowId: null,
      graph: graph as never,
      state,
      seed: 42,
      idempotencyKey: null,
      errorCode: null,
      errorMessage: null,
      result: { nodes: {} },
      lastSeq: 0,
      createdAt: new Date(),
      startedAt: null,
      finishedAt: null,
    });
    await em.flush();
    return id;
  }

  /** Stores an event (database first) and then streams it to the job's watchers. */
  async emit(jobId: string, payload: { type: string } & Record<string, unknown>): Promise<number> {
    const em = this.db.em();
    const job = await em.findOneOrFail(JobEntity, { id: jobId });
    job.lastSeq += 1;
    const seq = job.lastSeq;
    if (payload.type === 'job_state') job.state = payload.state as JobState;
    const ts = new Date();
    em.create(JobEventEntity, { jobId, seq, type: payload.type, payload, ts });
    await em.flush();
    for (const w of this.watchers.get(jobId) ?? []) {
      w.write({ jobId, seq, type: payload.type, payloadJson: JSON.stringify(payload), tsMs: ts.getTime() });
      if (payload.type === 'job_state' && ['completed', 'failed', 'cancelled'].includes(String(payload.state))) w.end();
    }
    return seq;
  }

  private async toJob(id: string, workspaceId?: string): Promise<Job> {
    const row = await this.db.em().findOne(JobEntity, { id });
    if (!row || (workspaceId && row.workspaceId !== workspaceId)) throw new WeftError('NOT_FOUND', `Job "${id}" does not exist`);
    return {
      id: row.id,
      state: row.state,
      workflowId: row.workflowId ?? '',
      workflowJson: JSON.stringify(row.graph),
      resultJson: JSON.stringify(row.result),
      createdAtMs: new Date(row.createdAt).getTime(),
      startedAtMs: 0,
      finishedAtMs: 0,
      workspaceId: row.workspaceId,
      tasks: [],
    };
  }
}

/** Minimal CSV fixtures. */
export const CSV = {
  iris: 'sepal_length,sepal_width,species\n5.1,3.5,setosa\n4.9,3.0,setosa\n6.2,2.9,versicolor\n5.9,3.0,virginica\n6.7,3.1,versicolor\n',
  ragged: 'a,b,c\n1,2,3\n4,5\n6,7,8\n',
};

/** A multipart form with a CSV file (and optional fields). */
export function csvForm(csv: string, fields: Record<string, string> = {}, fileName = 'iris.csv'): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([csv], { type: 'text/csv' }), fileName);
  return form;
}
