/**
 * The Socket.IO gateway: one room per job. A client emits `job:watch {jobId, afterSeq}`;
 * it is sent the stored events after `afterSeq`, then joins the job's room. The api keeps
 * ONE gRPC Watch stream per watched job (shared by every socket in the room), relays its
 * events to the room, and closes it when the room empties or the job ends.
 */
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import * as grpc from '@grpc/grpc-js';
import { JobEntity, JobEventEntity, RedisFanOut } from '@weft/common';
import {
  FINAL_JOB_STATES,
  fromGrpcError,
  isJobState,
  jobRoom,
  type ClientToServerEvents,
  type JobEventDoc,
  type JobEvent__Output,
  type ServerToClientEvents,
} from '@weft/proto';
import type { ApiDeps } from './deps.js';
import { ID_PATTERN } from './schemas.js';
import { bearerOf, requireRole, WORKSPACE_HEADER, type Principal } from './auth/principal.js';
import { eventDocFromGrpc, eventDocFromRow } from './job-doc.js';

export type WeftIo = Server<ClientToServerEvents, ServerToClientEvents>;
type WeftSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
type WatchAck = Parameters<ClientToServerEvents['job:watch']>[1];

/** What a socket carries after the handshake. */
interface SocketData {
  principal: Principal;
}

/** Reconnects of one job's Watch stream before giving up (the room is then left without live events). */
const MAX_STREAM_RETRIES = 8;
/** Stored events read per query while replaying to a late joiner. */
const REPLAY_PAGE = 1_000;

interface JobStream {
  jobId: string;
  workspaceId: string;
  /** Highest seq relayed to the room (or known stored when the stream opened). */
  lastSeq: number;
  call?: grpc.ClientReadableStream<JobEvent__Output>;
  retries: number;
  closed: boolean;
  final: boolean;
  timer?: NodeJS.Timeout;
}

/** Keeps one scheduler Watch stream per watched job and relays it to the job's room. */
export class JobWatchHub {
  private readonly streams = new Map<string, JobStream>();

  constructor(
    private readonly io: WeftIo,
    private readonly deps: ApiDeps,
  ) {
    io.of('/').adapter.on('delete-room', (room: string) => {
      if (room.startsWith('job:')) this.stop(room.slice(4));
    });
    io.on('connection', (socket) => this.onConnection(socket));
  }

  /** Number of open Watch streams (for tests and metrics). */
  get openStreams(): number {
    return this.streams.size;
  }

  private onConnection(socket: WeftSocket): void {
    socket.on('job:watch', (req, ack) => {
      const reply: WatchAck = typeof ack === 'function' ? ack : () => undefined;
      this.watch(socket, req).then(reply, (err: unknown) => {
        const we = fromGrpcError(err);
        reply({ ok: false, error: { code: we.code, message: we.message } });
      });
    });
    socket.on('job:unwatch', (req) => {
      if (req && typeof req.jobId === 'string') void socket.leave(jobRoom(req.jobId));
    });
  }

  private async watch(socket: WeftSocket, req: unknown): Promise<{ ok: true } | { ok: false; error: { code: string; message: string } }> {
    const r = (req ?? {}) as { jobId?: unknown; afterSeq?: unknown };
    if (typeof r.jobId !== 'string' || !ID_PATTERN.test(r.jobId)) {
      return { ok: false, error: { code: 'VALIDATION_FAILED', message: 'job:watch needs { jobId: string, afterSeq?: number }' } };
    }
    const afterSeq = typeof r.afterSeq === 'number' && Number.isInteger(r.afterSeq) && r.afterSeq >= 0 ? r.afterSeq : 0;
    const jobId = r.jobId;
    const principal = (socket.data as SocketData).principal;
    if (!principal || principal.expiresAtMs <= Date.now()) {
      return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'The access token of this connection has expired: reconnect with a fresh one' } };
    }
    const workspaceId = principal.workspaceId;
    const job = await this.deps.db.em().findOne(JobEntity, { id: jobId, workspaceId }, { fields: ['id', 'state', 'lastSeq'] });
    if (!job) return { ok: false, error: { code: 'NOT_FOUND', message: `Job "${jobId}" does not exist` } };

    const final = isJobState(job.state) && FINAL_JOB_STATES.has(job.state);
    const stream = final ? undefined : (this.streams.get(jobId) ?? this.start(jobId, workspaceId, job.lastSeq));
    // Replay stored events until the replay and the stream's relay meet at the same seq, then
    // join the room in that same tick: every event is delivered once, in order. (Joining while
    // the stream is behind the replay would deliver the events in between twice.)
    let cursor = afterSeq;
    for (let guard = 0; guard < 10_000; guard++) {
      const rows = await this.deps.db.em().find(JobEventEntity, { jobId, seq: { $gt: cursor } }, { orderBy: { seq: 'asc' }, limit: REPLAY_PAGE });
      for (const row of rows) socket.emit('job:event', eventDocFromRow(row));
      if (rows.length > 0) cursor = rows[rows.length - 1]!.seq;
      if (rows.length === REPLAY_PAGE) continue;
      if (!stream || stream.closed || stream.lastSeq === cursor) break;
      if (stream.lastSeq < cursor) await new Promise((res) => setTimeout(res, 20));
    }
    await socket.join(jobRoom(jobId));
    return { ok: true };
  }

  private start(jobId: string, workspaceId: string, afterSeq: number): JobStream {
    const s: JobStream = { jobId, workspaceId, lastSeq: afterSeq, retries: 0, closed: false, final: false };
    this.streams.set(jobId, s);
    this.open(s);
    return s;
  }

  private open(s: JobStream): void {
    const call = this.deps.scheduler.watch(s.jobId, s.lastSeq, s.workspaceId);
    s.call = call;
    call.on('data', (e: JobEvent__Output) => {
      const doc: JobEventDoc = eventDocFromGrpc(e);
      if (doc.seq <= s.lastSeq) return;
      s.lastSeq = doc.seq;
      s.retries = 0;
      // `local`: each api replica relays its own stream to its own sockets (no duplicates via Redis).
      this.io.local.to(jobRoom(s.jobId)).emit('job:event', doc);
      if (doc.type === 'job_state' && FINAL_JOB_STATES.has(doc.state)) s.final = true;
    });
    call.on('error', (err: grpc.ServiceError) => {
      if (s.closed) return;
      if (err.code === grpc.status.NOT_FOUND || err.code === grpc.status.INVALID_ARGUMENT) {
        this.deps.log.warn({ jobId: s.jobId, err: fromGrpcError(err).message }, 'job watch refused');
        this.stop(s.jobId);
        return;
      }
      this.retry(s, err);
    });
    call.on('end', () => {
      if (s.closed) return;
      if (s.final) this.stop(s.jobId);
      else this.retry(s, new Error('watch stream ended before the job was final'));
    });
  }

  private retry(s: JobStream, err: unknown): void {
    if (s.closed || s.timer) return;
    s.call?.removeAllListeners();
    s.call?.cancel();
    s.retries += 1;
    if (s.retries > MAX_STREAM_RETRIES) {
      this.deps.log.error({ jobId: s.jobId, err: String(err) }, 'job watch stream failed repeatedly; giving up');
      this.stop(s.jobId);
      return;
    }
    const delayMs = Math.min(10_000, 250 * 2 ** (s.retries - 1));
    this.deps.log.warn({ jobId: s.jobId, attempt: s.retries, delayMs, err: String(err) }, 'job watch stream lost; reconnecting');
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (!s.closed) this.open(s);
    }, delayMs);
  }

  /** Closes the job's Watch stream (room emptied, job final, or shutdown). */
  stop(jobId: string): void {
    const s = this.streams.get(jobId);
    if (!s) return;
    s.closed = true;
    this.streams.delete(jobId);
    if (s.timer) clearTimeout(s.timer);
    if (s.call) {
      s.call.removeAllListeners();
      s.call.on('error', () => undefined);
      s.call.cancel();
    }
  }

  /** Closes every stream. */
  close(): void {
    for (const id of [...this.streams.keys()]) this.stop(id);
  }
}

/**
 * Attaches Socket.IO (path /socket.io) to the HTTP server; with Redis fan-out configured,
 * rooms span api replicas through @socket.io/redis-adapter.
 */
export function attachSocketGateway(server: HttpServer, deps: ApiDeps): { io: WeftIo; hub: JobWatchHub } {
  const io: WeftIo = new Server(server, {
    path: '/socket.io',
    serveClient: false,
    ...(deps.cfg.corsOrigins.length > 0 ? { cors: { origin: deps.cfg.corsOrigins } } : {}),
  });
  if (deps.fanOut instanceof RedisFanOut) {
    // The adapter needs a subscriber connection of its own; it is closed with the server.
    const sub = deps.fanOut.pub.duplicate();
    sub.on('error', () => {});
    io.adapter(createAdapter(deps.fanOut.pub, sub));
    io.engine.on('close', () => sub.disconnect());
    server.once('close', () => sub.disconnect());
  }
  // Handshake: `auth: { token, workspaceId? }` (or the Authorization / X-Weft-Workspace headers).
  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; workspaceId?: unknown };
    const token = typeof auth.token === 'string' ? auth.token : bearerOf(socket.handshake.headers.authorization);
    const hdr = socket.handshake.headers[WORKSPACE_HEADER];
    const wanted = typeof auth.workspaceId === 'string' && auth.workspaceId ? auth.workspaceId : typeof hdr === 'string' && hdr ? hdr : undefined;
    deps.auth.authenticator
      .identify(token)
      .then((id) => deps.auth.authenticator.inWorkspace(id, wanted && ID_PATTERN.test(wanted) ? wanted : wanted ? '!' : undefined))
      .then((p) => {
        requireRole(p, 'viewer');
        (socket.data as SocketData).principal = p;
        next();
      })
      .catch((err: unknown) => {
        const we = fromGrpcError(err);
        const e = new Error(we.code) as Error & { data?: unknown };
        e.data = { code: we.code, message: we.message };
        next(e);
      });
  });
  return { io, hub: new JobWatchHub(io, deps) };
}
