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
  publish(channel: string, message: unknown): Promise<void>;
  /** Subscribes; returns a function that unsubscribes. */
  subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** In-process fan-out (embedded mode and tests). */
export class MemoryFanOut implements FanOut {
  readonly kind = 'memory' as const;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(channel: string, message: unknown): Promise<void> {
    this.emitter.emit(channel, message);
  }
  async subscribe(channel: string, handler: (message: unknown) => void): Promise<() => Promise<void>> {
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }
  async ping(): Promise<void> {}
  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Redis pub/sub fan-out; one connection publishes, one subscribes. */
export class RedisFanOut implements FanOut {
  readonly kind = 'redis' as const;
  readonly pub: Redis;
  private sub: Redis | undefined;
  private readonly handlers = new Map<string, Set<(m: unknown) => void>>();
  constructor(readonly url: string, readonly prefix = 'weft:') {
    this.pub = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: false });
    this.pub.on('error', () => {});
  }
  private subscriber(): Redis {
    if (!this.sub) {
      this.sub = new Redis(this.url, { maxRetriesPerRequest: null });
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
        for (const h of hs) h(msg);
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
    set.add(handler);
    return async () => {
      set!.delete(handler);
      if (set!.size === 0) {
        this.handlers.delete(channel);
        await this.subscriber().unsubscribe(this.prefix + channel);
      }
    };
  }
  async ping(): Promise<void> {
    await this.pub.ping();
  }
  async close(): Promise<void> {
    this.pub.disconnect();
    this.sub?.disconnect();
  }
}

/** The fan-out the configuration selects. */
export function createFanOut(cfg: Config): FanOut {
  return cfg.redisUrl ? new RedisFanOut(cfg.redisUrl) : new MemoryFanOut();
}
