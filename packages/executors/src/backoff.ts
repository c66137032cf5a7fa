/** Exponential backoff: `initialMs · 2^n`, capped at `maxMs`. */
export class Backoff {
  private n = 0;
  constructor(
    private readonly initialMs = 100,
    private readonly maxMs = 2_000,
  ) {}
  /** The next delay, milliseconds. */
  next(): number {
    const d = Math.min(this.maxMs, this.initialMs * 2 ** this.n);
    this.n = Math.min(this.n + 1, 30);
    return d;
  }
  reset(): void {
    this.n = 0;
  }
}

/** Resolves after `ms` milliseconds (early when `signal` aborts). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
