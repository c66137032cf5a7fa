/**
 * MikroORM set-up for both backends: SQLite (better-sqlite driver) by default, PostgreSQL
 * when DATABASE_URL starts with postgres://. The schema is brought up to date at start-up by
 * the committed migrations (see migrate.ts), never by diffing the live database.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MikroORM as SqliteORM, defineConfig as sqliteConfig } from '@mikro-orm/better-sqlite';
import { MikroORM as PgORM, defineConfig as pgConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.js';
import { ALL_ENTITIES } from './entities.js';
import { migrationsFor, runMigrations, type MigrateResult } from './migrate.js';

export type Orm = MikroORM;
export type Em = EntityManager;

export interface DatabaseHandle {
  orm: Orm;
  kind: 'sqlite' | 'postgresql';
  /** A fresh, request-scoped entity manager. */
  em(): Em;
  close(): Promise<void>;
  /**
   * Checks the database answers (for /health).
   * @param timeoutMs give up after this many milliseconds (default 2000).
   * @throws DatabaseUnavailableError when it does not answer in time or the query fails.
   */
  ping(timeoutMs?: number): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Deprecated alias of `migrate` (the schema used to be diffed by `updateSchema`). */
  updateSchema?: boolean;
}

/**
 * The database did not answer or dropped the connection. Retryable: the pool reconnects by
 * itself once the server is back. Services answer 503 with `code` while it lasts.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(`DATABASE_UNAVAILABLE: ${message}`, options);
    this.name = 'DatabaseUnavailableError';
  }
}

const UNAVAILABLE_RE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|Connection terminated|terminating connection|the database system is (starting up|shutting down)|Timeout acquiring a connection|Client has encountered a connection error|Connection ended unexpectedly|server closed the connection/i;

/**
 * True when `err` means the database is unreachable (as opposed to a bad query): connection
 * refused or reset, a terminated session, or no pooled connection obtained in time.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    const x = e as { name?: string; code?: string; message?: string };
    if (x.name === 'ConnectionException') return true;
    if (x.code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P01|57P02|57P03|08000|08003|08006|08001|08004)$/.test(x.code)) return true;
    if (x.message && UNAVAILABLE_RE.test(x.message)) return true;
  }
  return false;
}

/** True when the URL selects PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/** Milliseconds a query waits for a pooled connection before failing (so requests fail fast, not hang). */
const ACQUIRE_TIMEOUT_MS = 10_000;
/** Milliseconds a new PostgreSQL connection may take to establish. */
const CONNECT_TIMEOUT_MS = 5_000;

function sqliteFile(cfg: Config): string {
  return path.join(cfg.dataDir, 'weft.sqlite');
}

/** `sslmode=require|verify-ca|verify-full` in DATABASE_URL turns TLS on (managed PostgreSQL). */
function pgSsl(url: string): false | { rejectUnauthorized: boolean } {
  const mode = new URL(url).searchParams.get('sslmode');
  if (!mode || mode === 'disable' || mode === 'prefer' || mode === 'allow') return false;
  return { rejectUnauthorized: mode === 'verify-full' || mode === 'verify-ca' };
}

/** Initialises MikroORM for the configured backend (no schema changes). */
async function initOrm(cfg: Config): Promise<{ orm: Orm; kind: DatabaseHandle['kind'] }> {
  if (isPostgresUrl(cfg.databaseUrl)) {
    const url = new URL(cfg.databaseUrl);
    const ssl = pgSsl(cfg.databaseUrl);
    url.search = '';
    const orm = (await PgORM.init(
      pgConfig({
        clientUrl: url.toString(),
        entities: ALL_ENTITIES,
        extensions: [Migrator],
        migrations: { migrationsList: migrationsFor('postgresql'), transactional: true, allOrNothing: true, snapshot: false, silent: true },
        pool: { min: 0, max: cfg.dbPoolMax, acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS, idleTimeoutMillis: 30_000 } as never,
        driverOptions: { connection: { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, ...(ssl ? { ssl } : {}) } },
        allowGlobalContext: false,
        debug: false,
      }),
    )) as unknown as Orm;
    return { orm, kind: 'postgresql' };
  }
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  const orm = (await SqliteORM.init(
    sqliteConfig({
      dbName: sqliteFile(cfg),
      entities: ALL_ENTITIES,
      extensions: [Migrator],
      migrations: { migrationsList: migrationsFor('sqlite'), transactional: true, allOrNothing: true, snapshot: false, silent: true },
      allowGlobalContext: false,
      debug: false,
      pool: {
        afterCreate: (conn: { pragma?: (s: string) => void }, done: (e: Error | null, c: unknown) => void) => {
          // WAL lets the api read while the scheduler writes; wait instead of failing on a lock.
          try {
            conn.pragma?.('journal_mode = WAL');
            conn.pragma?.('busy_timeout = 10000');
            conn.pragma?.('synchronous = NORMAL');
            done(null, conn);
          } catch (e) {
            done(e as Error, conn);
          }
        },
      } as never,
    }),
  )) as unknown as Orm;
  return { orm, kind: 'sqlite' };
}

/**
 * Applies pending migrations and closes the connection (`weft migrate`, deploy jobs). Safe
 * when several processes run it at once.
 * @throws Error when the database cannot be reached or a migration fails (nothing of it is kept).
 */
export async function migrateDatabase(cfg: Config): Promise<MigrateResult> {
  const { orm, kind } = await initOrm(cfg);
  try {
    return await runMigrations(orm, kind, { sqliteFile: sqliteFile(cfg) });
  } finally {
    await orm.close(true);
  }
}

/**
 * Opens the database the configuration selects and applies pending migrations (unless
 * `migrate: false`).
 * @throws Error when the database cannot be reached or a migration fails.
 */
export async function openDatabase(cfg: Config, opts: OpenDatabaseOptions = {}): Promise<DatabaseHandle> {
  const { orm, kind } = await initOrm(cfg);
  const migrate = opts.migrate ?? opts.updateSchema ?? true;
  if (migrate) {
    try {
      await runMigrations(orm, kind, { sqliteFile: sqliteFile(cfg) });
    } catch (err) {
      await orm.close(true).catch(() => undefined);
      throw err;
    }
  }
  return {
    orm,
    kind,
    em: () => orm.em.fork() as Em,
    close: () => orm.close(true),
    ping: (timeoutMs = 2_000) => pingDatabase(orm, kind, timeoutMs),
  };
}

async function pingDatabase(orm: Orm, kind: DatabaseHandle['kind'], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const query = orm.em.fork().getConnection().execute('select 1');
  query.catch(() => undefined); // a late failure after the timeout must not be unhandled
  try {
    await Promise.race([
      query,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new DatabaseUnavailableError(`${kind} did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) throw err;
    throw new DatabaseUnavailableError(`${kind} ping failed: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}
