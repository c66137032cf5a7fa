/**
 * Rate-limits progress reports of one task: at most one per `intervalMs` within a step
 * (node and phase); the latest value always goes out (a trailing send after the interval,
 * or on `flush`), and the last value of a step is sent before the next step's first, so
 * watchers always see each node's final epoch and loss.
 */
import type { TaskProgress } from '@weft/proto';

export class ProgressThrottle {
  private pending: TaskProgress | null = null;
  private lastSentMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly send: (p: TaskProgress) => Promise<void>,
    private readonly intervalMs = 200,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Queues a progress value (replacing an unsent one). */
  push(p: TaskProgress): void {
    if (this.pending && (this.pending.nodeId !== p.nodeId || this.pending.phase !== p.phase)) this.sendNow();
    this.pending = p;
    const wait = this.lastSentMs + this.intervalMs - this.clock();
    if (wait <= 0) this.sendNow();
    else this.timer ??= setTimeout(() => this.sendNow(), wait);
  }

  private sendNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.lastSentMs = this.clock();
    this.inflight = this.inflight.then(() => this.send(p)).catch(() => undefined);
  }

  /** Sends the last unsent value now and waits for sends in flight. */
  async flush(): Promise<void> {
    this.sendNow();
    await this.inflight;
  }

  /** Drops anything unsent. */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }
}
