/**
 * The sweeper: every `intervalMs` expires leases that were not renewed (task re-queued
 * with backoff, or the job failed once attempts are exhausted) and wakes the dispatcher
 * when retry backoffs have elapsed.
 */
import type { Logger } from '@weft/common';
import type { JobStore } from './store/job-store.js';
import type { RenewalReceipts } from './renewals.js';

export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly store: JobStore,
    private readonly onAvailable: () => void,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
    private readonly intervalMs = 500,
    private readonly renewals?: RenewalReceipts,
    private readonly leaseTtlMs = 15_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One sweep (exposed for tests). */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = this.clock();
      for (const t of await this.store.expiredLeases(now)) {
        const renewal = this.renewals?.get(t.id);
        const d = await this.store.apply(t.jobId, { type: 'lease_expired', taskId: t.id, nowMs: this.clock(), ...(renewal ? { renewal } : {}) });
        if (d?.accepted) this.log.warn({ taskId: t.id, jobId: t.jobId, jobState: d.job.state }, 'task lease expired');
      }
      this.renewals?.prune(now - 2 * this.leaseTtlMs);
      if (await this.store.hasAvailable(this.clock())) this.onAvailable();
    } catch (err) {
      this.log.error({ err }, 'sweep failed');
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
