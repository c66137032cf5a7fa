/**
 * The api's client of the scheduler's gRPC JobService. Every unary call has a deadline and
 * every failure comes back as a WeftError (decoded from the status envelope the scheduler
 * sends, or mapped from the gRPC code for transport failures).
 */
import * as grpc from '@grpc/grpc-js';
import {
  GRPC_CHANNEL_OPTIONS,
  fromGrpcError,
  loadWeftProto,
  type JobServiceClient,
  type Job__Output,
  type JobEvent__Output,
  type ListJobsResponse__Output,
  type SubmitJobRequest,
} from '@weft/proto';
import { AUTHORIZATION_METADATA, INTERNAL_SECRET_METADATA } from '@weft/common';

export interface SchedulerClientOptions {
  /** Deadline of each unary call, in milliseconds. Default 10 000. */
  deadlineMs?: number;
  /** WEFT_INTERNAL_SECRET, sent as metadata on every call (the api acts for users it authenticated). */
  internalSecret?: string;
  /** An API key sent as `authorization` metadata instead (an internal service acting for one workspace). */
  apiKey?: string;
}

/** Promise-based JobService client with deadlines and WeftError decoding. */
export class SchedulerClient {
  readonly url: string;
  private readonly client: JobServiceClient;
  private readonly deadlineMs: number;
  private readonly metadata: grpc.Metadata;

  constructor(url: string, opts: SchedulerClientOptions = {}) {
    this.url = url;
    this.deadlineMs = opts.deadlineMs ?? 10_000;
    this.metadata = new grpc.Metadata();
    if (opts.internalSecret) this.metadata.set(INTERNAL_SECRET_METADATA, opts.internalSecret);
    if (opts.apiKey) this.metadata.set(AUTHORIZATION_METADATA, `Bearer ${opts.apiKey}`);
    const proto = loadWeftProto();
    this.client = new proto.weft.v1.JobService(url, grpc.credentials.createInsecure(), GRPC_CHANNEL_OPTIONS);
  }

  private deadline(ms = this.deadlineMs): grpc.CallOptions {
    return { deadline: Date.now() + ms };
  }

  private unary<Req, Res>(
    call: (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: grpc.requestCallback<Res>) => grpc.ClientUnaryCall,
    req: Req,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      call.call(this.client, req, this.metadata, this.deadline(), (err, res) => {
        if (err || !res) reject(fromGrpcError(err ?? new Error('empty response')));
        else resolve(res);
      });
    });
  }

  /** Submits a workflow; the scheduler validates, plans and stores the job. */
  submit(req: SubmitJobRequest): Promise<Job__Output> {
    return this.unary(this.client.Submit, req);
  }

  /** One job with its task summaries. @throws WeftError NOT_FOUND */
  get(jobId: string, workspaceId: string): Promise<Job__Output> {
    return this.unary(this.client.Get, { jobId, workspaceId });
  }

  /** A page of jobs, newest first. */
  list(req: { workspaceId: string; limit?: number; cursor?: string; state?: string }): Promise<ListJobsResponse__Output> {
    return this.unary(this.client.List, req);
  }

  /** Cancels a job (a final job is returned unchanged). */
  cancel(jobId: string, workspaceId: string): Promise<Job__Output> {
    return this.unary(this.client.Cancel, { jobId, workspaceId });
  }

  /**
   * Opens the server stream of a job's events after `afterSeq`; it ends when the job is
   * final. `deadlineMs` bounds the whole stream (default: none). Stream errors are raw
   * gRPC errors: decode them with `fromGrpcError`.
   */
  watch(jobId: string, afterSeq: number, workspaceId: string, deadlineMs?: number): grpc.ClientReadableStream<JobEvent__Output> {
    return this.client.Watch({ jobId, afterSeq, workspaceId }, this.metadata, deadlineMs ? this.deadline(deadlineMs) : {});
  }

  /** True when the scheduler's channel becomes ready within `timeoutMs`. */
  ping(timeoutMs = 1_000): Promise<boolean> {
    return new Promise((resolve) => {
      this.client.waitForReady(Date.now() + timeoutMs, (err) => resolve(!err));
    });
  }

  close(): void {
    this.client.close();
  }
}
