/**
 * Test fixtures for the production backends: a fresh PostgreSQL database per suite on the
 * shared server, a redis-server of our own (restartable), an S3 server (s3rver) on loopback,
 * and a TCP proxy that can cut a service off and bring it back. Everything started here is
 * stopped, dropped or removed by its `stop`/`drop`.
 *
 * Servers: WEFT_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/test) and
 * WEFT_TEST_REDIS_URL (default redis://127.0.0.1:6379).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { freePort } from './cluster.js';

export const PG_ADMIN_URL = process.env.WEFT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.WEFT_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The subset of `pg`'s Client used here (pg is installed with @mikro-orm/postgresql). */
export interface PgClient {
  connect(): Promise<void>;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(ev: 'error', fn: (e: Error) => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Client } = require('pg') as { Client: new (o: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient };

/** A connected `pg` client (caller ends it). */
export async function pgClient(url: string): Promise<PgClient> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Why PostgreSQL cannot be used, or null when it answers. */
export async function pgUnavailable(): Promise<string | null> {
  try {
    const c = await pgClient(PG_ADMIN_URL);
    await c.query('select 1');
    await c.end();
    return null;
  } catch (e) {
    return `PostgreSQL not answering at ${PG_ADMIN_URL}: ${(e as Error).message}`;
  }
}

export interface TempPgDatabase {
  name: string;
  url: string;
  /** Terminates its sessions and drops it. */
  drop(): Promise<void>;
}

/** A fresh database `weft_it_<random>` on the shared server. */
export async function createPgDatabase(prefix = 'weft_it'): Promise<TempPgDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = await pgClient(PG_ADMIN_URL);
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: async () => {
      const c = await pgClient(PG_ADMIN_URL);
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Why Redis cannot be used, or null when it answers. */
export async function redisUnavailable(url = REDIS_URL): Promise<string | null> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 6379), u.hostname);
    const t = setTimeout(() => done(`Redis not answering at ${url}: timeout`), 2_000);
    function done(r: string | null) {
      clearTimeout(t);
      s.destroy();
      resolve(r);
    }
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (b) => done(b.toString().startsWith('+PONG') ? null : `Redis at ${url} answered ${b.toString().trim()}`));
    s.on('error', (e) => done(`Redis not answering at ${url}: ${e.message}`));
  });
}

/** Why `redis-server` cannot be started, or null. */
export function redisServerMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'redis-server is not installed';
}

export interface OwnRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of our own on a free loopback port (no persistence). */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 5_000;
    while ((await redisUnavailable(`redis://127.0.0.1:${port}`)) !== null) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
      await sleep(50);
    }
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start, stop: kill };
}

interface S3rverLike {
  run(): Promise<{ address(): net.AddressInfo }>;
  close(): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (o: Record<string, unknown>) => S3rverLike;

export interface OwnS3 {
  endpoint: string;
  /** The server's storage directory (objects and in-progress multipart parts). */
  dir: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Environment selecting this server for Weft's services. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** s3rver on a free loopback port with one fresh bucket `weft-it-<random>`. */
export async function startS3(): Promise<OwnS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-s3-'));
  const port = await freePort();
  const bucket = `weft-it-${randomBytes(4).toString('hex')}`;
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }], vhostBuckets: false });
  await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dir,
    bucket,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    env: { S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    stop: async () => {
      await server.close().catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Total bytes of the regular files under `dir` (what a server has durably received). */
export function bytesOnDisk(dir: string): number {
  let total = 0;
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const f = path.join(d, e.name);
      try {
        if (e.isDirectory()) walk(f);
        else if (e.isFile()) total += fs.statSync(f).size;
      } catch {
        // removed while walking
      }
    }
  };
  walk(dir);
  return total;
}

export interface TcpProxy {
  port: number;
  /** Closes the listener and every proxied connection (the backend "goes away"). */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  /** Accepts connections but forwards nothing (a backend that hangs). */
  blackhole(on: boolean): void;
  stop(): Promise<void>;
}

/** A loopback TCP proxy to `target`, so a test can make a shared server unreachable for one client. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let hole = false;
  let server: net.Server | undefined;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => undefined);
        if (hole) return;
        const upstream = net.connect(targetPort, targetHost);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  await listen();
  return { port, cut, restore: listen, blackhole: (on) => (hole = on), stop: cut };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns truthy or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}
