/** A thin promise wrapper over the ExecutorService client: metadata (secret) and a deadline on every unary call. */
import * as grpc from '@grpc/grpc-js';
import {
  EXECUTOR_SECRET_METADATA,
  GRPC_CHANNEL_OPTIONS,
  loadWeftProto,
  type Ack__Output,
  type ExecutorServiceClient,
  type HeartbeatRequest,
  type HeartbeatResponse__Output,
  type ProgressReport,
  type RegisterRequest,
  type RegisterResponse__Output,
  type TaskAssignment__Output,
  type TaskReport,
} from '@weft/proto';

export class SchedulerClient {
  private readonly raw: ExecutorServiceClient;

  constructor(
    address: string,
    private readonly secret: string | undefined,
    private readonly deadlineMs = 10_000,
  ) {
    const proto = loadWeftProto();
    this.raw = new proto.weft.v1.ExecutorService(address.replace(/^[a-z]+:\/\//, ''), grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.secret) md.set(EXECUTOR_SECRET_METADATA, this.secret);
    return md;
  }

  private unary<Req, Res>(method: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => unknown, req: Req, deadlineMs = this.deadlineMs): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(this.raw, req, this.metadata(), { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res?: Res) => (err ? reject(err) : resolve(res!)));
    });
  }

  register(req: RegisterRequest): Promise<RegisterResponse__Output> {
    return this.unary(this.raw.Register, req);
  }
  heartbeat(req: HeartbeatRequest, deadlineMs?: number): Promise<HeartbeatResponse__Output> {
    return this.unary(this.raw.Heartbeat, req, deadlineMs);
  }
  reportProgress(req: ProgressReport): Promise<Ack__Output> {
    return this.unary(this.raw.ReportProgress, req);
  }
  report(req: TaskReport): Promise<Ack__Output> {
    return this.unary(this.raw.Report, req);
  }
  /** Opens the task stream (no deadline: it lives as long as the executor). */
  streamTasks(executorId: string): grpc.ClientReadableStream<TaskAssignment__Output> {
    return this.raw.StreamTasks({ executorId }, this.metadata());
  }
  close(): void {
    this.raw.close();
  }
}
