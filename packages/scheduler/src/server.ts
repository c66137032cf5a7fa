/**
 * Starts the scheduler: opens the database (recovery is implicit: the queue and leases
 * live in it), serves JobService and ExecutorService over gRPC, runs the sweeper.
 */
import * as grpc from '@grpc/grpc-js';
import { createLogger, openDatabase, schedulerBindPort, type Config, type Logger } from '@weft/common';
import { GRPC_CHANNEL_OPTIONS, loadWeftProto } from '@weft/proto';
import { loadDistributedConfig } from './distributed/config.js';
import { Dispatcher } from './dispatcher.js';
import { executorService } from './rpc/executor-service.js';
import { jobService } from './rpc/job-service.js';
import { EventHub } from './store/hub.js';
import { JobStore } from './store/job-store.js';
import { Sweeper } from './sweeper.js';
import { RenewalReceipts } from './renewals.js';

export interface SchedulerOptions {
  /** Address to bind; default: the host of WEFT_SCHEDULER_URL when loopback, else 0.0.0.0. */
  host?: string;
  /** Port to bind; default `schedulerBindPort(config)`. 0 picks a free port. */
  port?: number;
  log?: Logger;
  /** Lease sweep interval, milliseconds. Default 500. */
  sweepIntervalMs?: number;
  /** Check the core's invariants after every change (tests). */
  debugInvariants?: boolean;
}

/** A running scheduler. */
export interface SchedulerHandle {
  /** The bound port. */
  port: number;
  host: string;
  /** Stops accepting calls, ends streams, closes the database. Idempotent. */
  close(): Promise<void>;
}

function defaultHost(cfg: Config): string {
  const host = cfg.schedulerUrl.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '');
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) ? host : '0.0.0.0';
}

/**
 * Starts the scheduler's gRPC server.
 * @throws Error when the database cannot be opened or the port cannot be bound.
 */
export async function startScheduler(cfg: Config, opts: SchedulerOptions = {}): Promise<SchedulerHandle> {
  const log = opts.log ?? createLogger('scheduler', cfg.logLevel);
  const clock = Date.now;
  const db = await openDatabase(cfg);
  const hub = new EventHub();
  const dist = loadDistributedConfig();
  const store = new JobStore(db, { leaseTtlMs: cfg.leaseTtlMs, retryBackoffMs: cfg.retryBackoffMs, sketchSize: dist.sketchSize }, hub, log, opts.debugInvariants ?? false);
  const dispatcher = new Dispatcher(store, log, clock);
  hub.onWake(() => dispatcher.pump());
  const renewals = new RenewalReceipts();
  const sweeper = new Sweeper(store, () => dispatcher.pump(), log, clock, opts.sweepIntervalMs ?? 500, renewals, cfg.leaseTtlMs);

  const liveStreams = new Set<() => void>();
  const trackStream = (end: () => void) => {
    liveStreams.add(end);
    return () => liveStreams.delete(end);
  };

  const proto = loadWeftProto();
  const server = new grpc.Server(GRPC_CHANNEL_OPTIONS);
  server.addService(proto.weft.v1.JobService.service, jobService({ cfg, store, hub, log, clock, trackStream }));
  server.addService(proto.weft.v1.ExecutorService.service, executorService({ cfg, store, dispatcher, log, clock, renewals }));

  const host = opts.host ?? defaultHost(cfg);
  const wantPort = opts.port ?? schedulerBindPort(cfg);
  const addr = host.includes(':') && !host.startsWith('[') ? `[${host}]:${wantPort}` : `${host}:${wantPort}`;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(addr, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
  } catch (err) {
    await db.close();
    throw err;
  }
  sweeper.start();
  void sweeper.tick();
  log.info({ host, port }, 'scheduler started');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      sweeper.stop();
      dispatcher.close();
      for (const end of [...liveStreams]) end();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      await store.drain();
      hub.close();
      await db.close();
      log.info('scheduler stopped');
    })());
  return { port, host, close };
}
