/** Starting and stopping the api process: adapters, HTTP server, Socket.IO gateway. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createFanOut, createLogger, createObjectStore, openDatabase, type Config } from '@weft/common';
import type { ApiDeps } from './deps.js';
import { createApp } from './app.js';
import { SchedulerClient } from './scheduler-client.js';
import { attachSocketGateway, type JobWatchHub, type WeftIo } from './socket.js';
import { defaultWebDir } from './static.js';
import type { RouteSpec } from './registry.js';
import { SigningKeys } from './auth/keys.js';
import { TokenService } from './auth/tokens.js';
import { Authenticator } from './auth/principal.js';

/** Time a client has to send the request line and headers, ms (Node's `server.headersTimeout`). */
export const SERVER_HEADERS_TIMEOUT_MS = 20_000;
/** Time a client has to send a whole request, body included, ms (Node's `server.requestTimeout`). */
export const SERVER_REQUEST_TIMEOUT_MS = 30 * 60_000;

export interface ApiHandle {
  app: Express;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  server: http.Server;
  io: WeftIo;
  hub: JobWatchHub;
  deps: ApiDeps;
  routes: RouteSpec[];
  /** Stops accepting requests, closes sockets, streams and adapters. */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Overrides of the adapters (tests). */
  deps?: Partial<ApiDeps>;
  /** Apply schema updates at start (default true; the launcher migrates once before spawning). */
  updateSchema?: boolean;
}

/**
 * Opens the database, object store, scheduler client and fan-out, then serves the api on
 * `cfg.host:cfg.port` (port 0 picks a free port).
 */
export async function startApi(cfg: Config, opts: StartOptions = {}): Promise<ApiHandle> {
  const log = opts.deps?.log ?? createLogger('api', cfg.logLevel);
  const db = opts.deps?.db ?? (await openDatabase(cfg, { updateSchema: opts.updateSchema ?? true }));
  const keys = new SigningKeys(db, { rotationS: cfg.signingKeyRotationS, verifyRetiredS: cfg.refreshTokenTtlS });
  await keys.init();
  const tokens = new TokenService(cfg, db, keys);
  const deps: ApiDeps = {
    cfg,
    log,
    db,
    auth: opts.deps?.auth ?? { keys, tokens, authenticator: new Authenticator(db, tokens) },
    store: opts.deps?.store ?? createObjectStore(cfg),
    scheduler: opts.deps?.scheduler ?? new SchedulerClient(cfg.schedulerUrl, { ...(cfg.internalSecret ? { internalSecret: cfg.internalSecret } : {}) }),
    fanOut: opts.deps?.fanOut ?? createFanOut(cfg),
    webDir: opts.deps && 'webDir' in opts.deps ? opts.deps.webDir : defaultWebDir(),
  };
  const { app, routes } = createApp(deps);
  const server = http.createServer(app);
  // Slow clients: request headers must arrive within 20 s (slowloris), and a whole request
  // within 30 min (room for a 1 GiB upload at ~0.6 MB/s). Stalled or trickling upload bodies are
  // cut off much earlier by WEFT_UPLOAD_IDLE_TIMEOUT_MS (upload.ts, 408 UPLOAD_TIMEOUT).
  server.headersTimeout = SERVER_HEADERS_TIMEOUT_MS;
  server.requestTimeout = SERVER_REQUEST_TIMEOUT_MS;
  const { io, hub } = attachSocketGateway(server, deps);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  deps.listenUrl = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host}:${port}`,
    port,
    server,
    io,
    hub,
    deps,
    routes,
    close: () =>
      (closing ??= (async () => {
        hub.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        deps.scheduler.close();
        await deps.fanOut.close();
        await deps.db.close();
      })()),
  };
}
