/**
 * Event fan-out between processes: Redis pub/sub when REDIS_URL is set, else in-process.
 * Messages are JSON documents; delivery is at-most-once (readers that need every event
 * read the database by sequence number and use fan-out only as a wake-up).
 */
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Config } from './config.js';

export interface FanOut {
  readonly kind: 'memory' | 'redis';
  /** Publishes a JSON document; subscribers receive a copy (as if sent over the network). */
  publish(channel: string, message: unknown): Promise<void>;
  /** Subscribes; returns a function that unsubscribes. A handler that throws does not affect others. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  /**
   * Checks the fan-out answers (for /health).
   * @param timeoutMs give up after this many milliseconds (default 2000).
   * @throws FanOutUnavailableError when it does not answer in time.
   */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Redis did not answer. Retryable: the client reconnects and re-subscribes by itself. */
export class FanOutUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`REDIS_UNAVAILABLE: ${message}`, options);
    this.name = 'FanOutUnavailableError';
  }
}

function deliver(handlers: Iterable<(m: unknown) => void>, msg: unknown): void {
  for (const h of handlers) {
    try {
      h(msg);
    } catch {
      // one failing subscriber must not starve the others
    }
  }
}

/** In-process fan-out (embedded mode and tests). */
export class MemoryFanOut implements FanOut {
  readonly kind = 'memory' as const;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(channel: string, message: unknown): Promise<void> {
    const json = JSON.stringify(message);
    const hs = this.emitter.listeners(channel) as Array<(m: unknown) => void>;
    for (const h of hs) deliver([h], JSON.parse(json));
  }
  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    // wrap so the same handler subscribed twice is two subscriptions, as with Redis
    const wrapped = (m: unknown) => handler(m);
    this.emitter.on(channel, wrapped);
    return async () => {
      this.emitter.off(channel, wrapped);
    };
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/**
 * Redis pub/sub fan-out; one connection publishes, one subscribes. Both reconnect by
 * themselves when Redis comes back (ioredis retry strategy), and the subscriber
 * re-subscribes its channels. Messages published while Redis is away are lost (at-most-once).
 */
export class RedisFanOut implements FanOut {
  readonly kind = 'redis' as const;
  readonly pub: Redis;
  private sub: Redis | undefined;
  private readonly handlers = new Map<string, Set<(m: unknown) => void>>();
  constructor(readonly url: string, readonly prefix = 'weft:') {
    this.pub = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false, connectTimeout: 5_000, retryStrategy: reconnectDelayMs });
    this.pub.on('error', () => {});
  }
  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = new Redis(this.url, { maxRetriesPerRequest: null, connectTimeout: 5_000, retryStrategy: reconnectDelayMs });
      this.sub.on('error', () => {});
      this.sub.on('message', (ch: string, raw: string) => {
        const hs = this.handlers.get(ch.slice(this.prefix.length));
        if (!hs) return;
        let msg: unknown;
        try {
          msg = JSON.parse(raw);
        } catch {
          return;
        }
        deliver([...hs], msg);
      });
    }
    return this.sub;
  }
  async publish(channel: string, message: unknown): Promise<void> {
    await this.pub.publish(this.prefix + channel, JSON.stringify(message));
  }
  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      await this.subscriber().subscribe(this.prefix + channel);
    }
    const wrapped = (m: unknown) => handler(m);
    set.add(wrapped);
    return async () => {
      set!.delete(wrapped);
      if (set!.size === 0) {
        this.handlers.delete(channel);
        await this.subscriber().unsubscribe(this.prefix + channel);
      }
    };
  }
  async ping(timeoutMs = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const p = this.pub.ping();
    p.catch(() => undefined);
    try {
      await Promise.race([
        p,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new FanOutUnavailableError(`redis did not answer within ${timeoutMs} ms (status ${this.pub.status})`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      if (err instanceof FanOutUnavailableError) throw err;
      throw new FanOutUnavailableError(`redis ping failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }
  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub?.disconnect();
  }
}

/** Reconnect delay after the `times`-th failed attempt: 50 ms growing to 1 s, forever. */
function reconnectDelayMs(times: number): number {
  return Math.min(50 * times, 1_000);
}

/** The fan-out the configuration selects. */
export function createFanOut(cfg: Config): FanOut {
  return cfg.redisUrl ? new RedisFanOut(cfg.redisUrl) : new MemoryFanOut();
}
