/** Raw gRPC clients for tests: JobService and ExecutorService with promise helpers. */
import * as grpc from '@grpc/grpc-js';
import {
  EXECUTOR_SECRET_METADATA,
  loadWeftProto,
  type ExecutorServiceClient,
  type JobEvent__Output,
  type JobServiceClient,
  type TaskAssignment__Output,
} from '@weft/proto';

type Cb<T> = (err: grpc.ServiceError | null, res?: T) => void;

/** Calls a unary method as a promise. */
export function call<Req, Res>(client: grpc.Client, method: string, req: Req, md = new grpc.Metadata()): Promise<Res> {
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, (r: Req, m: grpc.Metadata, o: grpc.CallOptions, cb: Cb<Res>) => void>)[method]!;
    fn.call(client, req, md, { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res!)));
  });
}

export function jobClient(port: number): JobServiceClient {
  return new (loadWeftProto().weft.v1.JobService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function executorClient(port: number): ExecutorServiceClient {
  return new (loadWeftProto().weft.v1.ExecutorService)(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}

export function secretMetadata(secret: string): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set(EXECUTOR_SECRET_METADATA, secret);
  return md;
}

/** An open StreamTasks call whose assignments can be awaited one by one. */
export class AssignmentQueue {
  private readonly items: TaskAssignment__Output[] = [];
  private waiters: Array<(a: TaskAssignment__Output) => void> = [];
  readonly stream: grpc.ClientReadableStream<TaskAssignment__Output>;
  constructor(client: ExecutorServiceClient, executorId: string, md = new grpc.Metadata()) {
    this.stream = client.StreamTasks({ executorId }, md);
    this.stream.on('data', (a: TaskAssignment__Output) => {
      const w = this.waiters.shift();
      if (w) w(a);
      else this.items.push(a);
    });
    this.stream.on('error', () => {});
  }
  next(timeoutMs = 5_000): Promise<TaskAssignment__Output> {
    const a = this.items.shift();
    if (a) return Promise.resolve(a);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no assignment in time')), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }
  close(): void {
    this.stream.cancel();
  }
}

/** Reads a whole Watch stream (it ends after the job's final event). */
export function watchAll(client: JobServiceClient, jobId: string, afterSeq = 0): Promise<JobEvent__Output[]> {
  return new Promise((resolve, reject) => {
    const out: JobEvent__Output[] = [];
    const s = client.Watch({ jobId, afterSeq });
    s.on('data', (e: JobEvent__Output) => out.push(e));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
