/**
 * Applying the committed migrations (MikroORM Migrator with an explicit migrations list, so
 * it runs from the compiled `dist/` without globbing or ts-node). Two processes starting at
 * once are serialised: PostgreSQL by a session advisory lock held on a connection outside
 * the pool, SQLite by an exclusive lock file beside the database file.
 */
import * as fs from 'node:fs';
import type { MigrationObject } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';
import { migrations as pgMigrations } from './migrations/postgresql/index.js';
import { migrations as sqliteMigrations } from './migrations/sqlite/index.js';
import type { Orm } from './orm.js';

/** The committed migrations of a backend, oldest first. */
export function migrationsFor(kind: 'sqlite' | 'postgresql'): MigrationObject[] {
  return kind === 'postgresql' ? pgMigrations : sqliteMigrations;
}

/** Tables the first migration creates; a database holding all of them predates migrations. */
const INITIAL_TABLES = ['datasets', 'workflows', 'jobs', 'tasks', 'job_events', 'models', 'executors'];

/** Key of the PostgreSQL advisory lock taken while migrating (distinct from the scheduler's). */
export const MIGRATION_LOCK_NAME = 'weft.migrate';

export interface MigrateResult {
  /** Names of the migrations applied by this call, oldest first. */
  applied: string[];
  /** True when an existing schema (created by `updateSchema` before migrations existed) was adopted. */
  baselined: boolean;
}

/**
 * Applies pending migrations under a cross-process lock.
 * @param lockTimeoutMs how long to wait for another process's migration, milliseconds.
 * @throws Error when the lock is not obtained in time or a migration fails (its transaction is rolled back).
 */
export async function runMigrations(orm: Orm, kind: 'sqlite' | 'postgresql', opts: { sqliteFile?: string; lockTimeoutMs?: number } = {}): Promise<MigrateResult> {
  const lockTimeoutMs = opts.lockTimeoutMs ?? 120_000;
  const release = kind === 'postgresql' ? await pgLock(orm, lockTimeoutMs) : await fileLock(`${opts.sqliteFile}.migrate.lock`, lockTimeoutMs);
  try {
    const migrator = orm.getMigrator() as Migrator;
    const baselined = await baselineLegacySchema(orm, kind, migrator);
    const applied = await migrator.up();
    return { applied: applied.map((m) => m.name), baselined };
  } finally {
    await release();
  }
}

/**
 * A database whose tables were created by `updateSchema` (before migrations) and that has no
 * migration recorded: records the first migration as applied, so the later ones bring it up to date.
 */
async function baselineLegacySchema(orm: Orm, kind: 'sqlite' | 'postgresql', migrator: Migrator): Promise<boolean> {
  const list = migrationsFor(kind);
  if (list.length === 0 || (await migrator.getExecutedMigrations()).length > 0) return false;
  const conn = orm.em.getConnection();
  const rows: Array<{ name: string }> =
    kind === 'postgresql'
      ? await conn.execute(`select table_name as name from information_schema.tables where table_schema = current_schema()`)
      : await conn.execute(`select name from sqlite_master where type = 'table'`);
  const present = new Set(rows.map((r) => r.name));
  if (!INITIAL_TABLES.every((t) => present.has(t))) return false;
  await migrator.getStorage().logMigration({ name: list[0]!.name, context: null });
  return true;
}

interface RawPgConnection {
  query(sql: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
}

interface KnexClientLike {
  acquireRawConnection(): Promise<RawPgConnection>;
  destroyRawConnection(c: RawPgConnection): Promise<void>;
}

/** Session advisory lock on a dedicated connection (outside the pool, so pool size 1 still works). */
async function pgLock(orm: Orm, timeoutMs: number): Promise<() => Promise<void>> {
  const knex = (orm.em.getConnection() as unknown as { getKnex(): { client: KnexClientLike } }).getKnex();
  const conn = await knex.client.acquireRawConnection();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const r = await conn.query('select pg_try_advisory_lock(hashtext($1)) as ok', [MIGRATION_LOCK_NAME]);
      if (r.rows[0]?.ok === true) break;
      if (Date.now() > deadline) throw new Error(`DB_MIGRATION_LOCK: another process held the migration lock for over ${timeoutMs} ms`);
      await sleep(100);
    }
  } catch (err) {
    await knex.client.destroyRawConnection(conn).catch(() => undefined);
    throw err;
  }
  return async () => {
    // Closing the session releases the lock even if the unlock fails.
    await conn.query('select pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK_NAME]).catch(() => undefined);
    await knex.client.destroyRawConnection(conn).catch(() => undefined);
  };
}

/**
 * An exclusive lock file holding the owner's pid. A lock whose owner is no longer alive (or
 * older than 10 minutes) is stale and taken over.
 */
export async function fileLock(file: string, timeoutMs: number): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return async () => {
        fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (isStaleLock(file)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`DB_MIGRATION_LOCK: ${file} held by another process for over ${timeoutMs} ms`);
    await sleep(50);
  }
}

function isStaleLock(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (Date.now() - st.mtimeMs > 10 * 60_000) return true;
    const pid = Number(fs.readFileSync(file, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - st.mtimeMs > 5_000; // being written
    process.kill(pid, 0);
    return false;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ESRCH' || code === 'ENOENT';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
