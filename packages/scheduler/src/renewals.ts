/**
 * Lease renewals as received, before they are applied. The scheduler applies state changes
 * one at a time; under a burst, a heartbeat can wait in that queue longer than a lease lasts.
 * A renewal counts from the moment its heartbeat arrived, so the sweeper must not expire a
 * lease whose holder's heartbeat is already here and waiting to be applied.
 */
export interface RenewalReceipt {
  executorId: string;
  attempt: number;
  /** When the heartbeat carrying this renewal arrived (ms since the epoch). */
  atMs: number;
}

export class RenewalReceipts {
  private readonly byTask = new Map<string, RenewalReceipt>();

  /** Records that `executorId` asked to renew task `taskId` attempt `attempt` at `atMs`. */
  note(taskId: string, executorId: string, attempt: number, atMs: number): void {
    this.byTask.set(taskId, { executorId, attempt, atMs });
  }

  /** The last renewal received for a task, if any. */
  get(taskId: string): RenewalReceipt | undefined {
    return this.byTask.get(taskId);
  }

  /** Drops receipts older than `beforeMs` (they can no longer keep a lease alive). */
  prune(beforeMs: number): void {
    for (const [id, r] of this.byTask) if (r.atMs < beforeMs) this.byTask.delete(id);
  }
}
