/**
 * MikroORM set-up for both backends: SQLite (better-sqlite driver) by default, PostgreSQL
 * when DATABASE_URL starts with postgres://. The schema is brought up to date at start-up.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MikroORM as SqliteORM, defineConfig as sqliteConfig } from '@mikro-orm/better-sqlite';
import { MikroORM as PgORM, defineConfig as pgConfig } from '@mikro-orm/postgresql';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import type { Config } from '../config.js';
import { ALL_ENTITIES } from './entities.js';

export type Orm = MikroORM;
export type Em = EntityManager;

export interface DatabaseHandle {
  orm: Orm;
  kind: 'sqlite' | 'postgresql';
  /** A fresh, request-scoped entity manager. */
  em(): Em;
  close(): Promise<void>;
  /** Checks the database answers (for /health). */
  ping(): Promise<void>;
}

/** True when the URL selects PostgreSQL. */
export function isPostgresUrl(url: string | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//.test(url);
}

/**
 * Opens the database the configuration selects and ensures its schema.
 * @throws Error when the database cannot be reached or the schema cannot be applied.
 */
export async function openDatabase(cfg: Config, opts: { updateSchema?: boolean } = {}): Promise<DatabaseHandle> {
  let orm: Orm;
  let kind: DatabaseHandle['kind'];
  if (isPostgresUrl(cfg.databaseUrl)) {
    kind = 'postgresql';
    orm = (await PgORM.init(
      pgConfig({
        clientUrl: cfg.databaseUrl,
        entities: ALL_ENTITIES,
        pool: { min: 0, max: cfg.dbPoolMax },
        allowGlobalContext: false,
        debug: false,
      }),
    )) as unknown as Orm;
  } else {
    kind = 'sqlite';
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    orm = (await SqliteORM.init(
      sqliteConfig({
        dbName: path.join(cfg.dataDir, 'weft.sqlite'),
        entities: ALL_ENTITIES,
        allowGlobalContext: false,
        debug: false,
        pool: { afterCreate: (conn: { pragma?: (s: string) => void }, done: (e: Error | null, c: unknown) => void) => {
          // WAL lets the api read while the scheduler writes; wait instead of failing on a lock.
          try {
            conn.pragma?.('journal_mode = WAL');
            conn.pragma?.('busy_timeout = 10000');
            conn.pragma?.('synchronous = NORMAL');
            done(null, conn);
          } catch (e) {
            done(e as Error, conn);
          }
        } } as never,
      }),
    )) as unknown as Orm;
  }
  if (opts.updateSchema !== false) await orm.schema.updateSchema({ safe: true });
  return {
    orm,
    kind,
    em: () => orm.em.fork() as Em,
    close: () => orm.close(true),
    ping: async () => {
      await orm.em.fork().getConnection().execute('select 1');
    },
  };
}
