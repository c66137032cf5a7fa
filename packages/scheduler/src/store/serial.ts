/**
 * Serialises state changes inside the scheduler process: one change at a time, in call
 * order. The database transaction makes each change atomic; this makes them ordered (the
 * design runs one active scheduler).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every previously queued function has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves once everything queued so far has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}
