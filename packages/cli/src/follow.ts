/**
 * Following a job: Socket.IO `job:watch` (replay from the last seen seq after reconnects),
 * events de-duplicated by seq, and a slow REST poll as a safety net. Progress goes to a
 * view: a cli-progress bar on a terminal, plain lines otherwise, or nothing.
 */
import { io, type Socket } from 'socket.io-client';
import cliProgress from 'cli-progress';
import { FINAL_JOB_STATES, type ClientToServerEvents, type JobEventDoc, type JobState, type ServerToClientEvents } from '@weft/proto';
import { ApiError, type ApiClient } from './api-client.js';

/** Where progress is shown. */
export interface ProgressView {
  event(e: JobEventDoc): void;
  stop(): void;
}

/** Shows nothing (`--json`). */
export class SilentView implements ProgressView {
  event(): void {}
  stop(): void {}
}

/** Tracks per-node completion so views can show overall progress. */
class NodeProgress {
  private readonly done = new Set<string>();
  private readonly fraction = new Map<string, number>();
  current = '';
  detail = '';
  constructor(readonly total: number) {}
  update(e: JobEventDoc): void {
    if (e.type === 'node_state') {
      this.current = e.nodeId;
      if (e.state === 'completed' || e.state === 'failed' || e.state === 'cancelled') this.done.add(e.nodeId);
      this.detail = `${e.nodeId} ${e.state}`;
    } else if (e.type === 'node_result') {
      this.done.add(e.nodeId);
    } else if (e.type === 'progress') {
      this.current = e.nodeId;
      if (e.fraction !== undefined) this.fraction.set(e.nodeId, e.fraction);
      const parts = [e.nodeId, e.phase];
      if (e.epoch !== undefined) parts.push(`epoch ${e.epoch}${e.epochs ? `/${e.epochs}` : ''}`);
      if (e.loss !== undefined) parts.push(`loss ${e.loss.toFixed(4)}`);
      if (e.rowsPerSec !== undefined) parts.push(`${Math.round(e.rowsPerSec)} rows/s`);
      this.detail = parts.join(' ');
    } else if (e.type === 'job_state') {
      this.detail = `job ${e.state}`;
      if (e.state === 'completed') for (let i = 0; i < this.total; i++) this.done.add(`#${i}`);
    }
  }
  get value(): number {
    let v = Math.min(this.done.size, this.total);
    for (const [id, f] of this.fraction) if (!this.done.has(id)) v += f;
    return Math.min(v, this.total);
  }
}

/** A progress bar (cli-progress) over the workflow's nodes. */
export class BarView implements ProgressView {
  private readonly bar: cliProgress.SingleBar;
  private readonly p: NodeProgress;
  constructor(totalNodes: number, stream: NodeJS.WriteStream) {
    this.p = new NodeProgress(Math.max(1, totalNodes));
    this.bar = new cliProgress.SingleBar(
      { format: ' {bar} {percentage}% | {detail}', stream, hideCursor: true, clearOnComplete: false, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.p.total, 0, { detail: 'queued' });
  }
  event(e: JobEventDoc): void {
    this.p.update(e);
    this.bar.update(Number(this.p.value.toFixed(2)), { detail: this.p.detail.slice(0, 60) });
  }
  stop(): void {
    this.bar.stop();
  }
}

/** Plain lines (not a terminal): state changes, and progress at most every 2 s per node. */
export class LineView implements ProgressView {
  private readonly lastProgress = new Map<string, number>();
  constructor(private readonly out: NodeJS.WritableStream) {}
  private line(s: string): void {
    this.out.write(`${s}\n`);
  }
  event(e: JobEventDoc): void {
    switch (e.type) {
      case 'job_state':
        this.line(`job ${e.state}${e.errorCode ? `: ${e.errorCode}: ${e.errorMessage ?? ''}` : ''}`);
        break;
      case 'node_state':
        this.line(`node ${e.nodeId} ${e.state}${e.errorCode ? `: ${e.errorCode}: ${e.errorMessage ?? ''}` : ''}`);
        break;
      case 'task_state':
        if (e.state === 'failed') this.line(`task ${e.taskId} (attempt ${e.attempt}) failed: ${e.errorCode ?? ''} ${e.errorMessage ?? ''}`);
        break;
      case 'progress': {
        const now = Date.now();
        if (now - (this.lastProgress.get(e.nodeId) ?? 0) < 2_000) break;
        this.lastProgress.set(e.nodeId, now);
        const bits = [`node ${e.nodeId} ${e.phase}`];
        if (e.fraction !== undefined) bits.push(`${Math.round(e.fraction * 100)}%`);
        if (e.epoch !== undefined) bits.push(`epoch ${e.epoch}${e.epochs ? `/${e.epochs}` : ''}`);
        if (e.loss !== undefined) bits.push(`loss ${e.loss.toFixed(4)}`);
        this.line(bits.join(' '));
        break;
      }
      case 'log':
        this.line(`${e.level}: ${e.message}`);
        break;
      default:
        break;
    }
  }
  stop(): void {}
}

/** Picks the view: nothing for --json, a bar on a terminal, lines otherwise. */
export function chooseView(opts: { json: boolean; totalNodes: number }): ProgressView {
  if (opts.json) return new SilentView();
  if (process.stdout.isTTY) return new BarView(opts.totalNodes, process.stdout);
  return new LineView(process.stdout);
}

/**
 * Follows a job until it reaches a final state; resolves with that state.
 * @throws ApiError when the api refuses to watch the job (e.g. NOT_FOUND)
 */
export function followJob(client: ApiClient, jobId: string, view: ProgressView, pollMs = 3_000): Promise<JobState> {
  return new Promise<JobState>((resolve, reject) => {
    let lastSeq = 0;
    let settled = false;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(client.base, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelayMax: 5_000,
      ...(client.token ? { auth: { token: client.token } } : {}),
    });
    const finish = (err: Error | undefined, state?: JobState) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      socket.close();
      view.stop();
      if (err) reject(err);
      else resolve(state!);
    };
    socket.on('connect', () => {
      socket.emit('job:watch', { jobId, afterSeq: lastSeq }, (res) => {
        if (!res.ok) finish(new ApiError(res.error.code, res.error.message, 0));
      });
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
      if (err.data?.code === 'UNAUTHENTICATED' || err.data?.code === 'NOT_FOUND' || err.data?.code === 'FORBIDDEN') {
        finish(new ApiError(err.data.code, err.data.message ?? err.message, 401));
      }
    });
    socket.on('job:event', (e) => {
      if (e.jobId !== jobId || e.seq <= lastSeq) return;
      lastSeq = e.seq;
      view.event(e);
      if (e.type === 'job_state' && FINAL_JOB_STATES.has(e.state)) finish(undefined, e.state);
    });
    // Safety net: if the live stream stalls, the job's stored state still ends the wait.
    const poll = setInterval(() => {
      client.getJob(jobId).then(
        (job) => {
          if (FINAL_JOB_STATES.has(job.state as JobState)) finish(undefined, job.state as JobState);
        },
        (err: unknown) => {
          if (err instanceof ApiError && err.code === 'NOT_FOUND') finish(err);
        },
      );
    }, pollMs);
  });
}
