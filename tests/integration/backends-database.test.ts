/**
 * The database adapter on both backends (SQLite file, PostgreSQL on the shared server with a
 * fresh database per run): committed migrations produce exactly the entities' schema, apply
 * once when several processes start together, adopt a pre-migration schema, and the
 * connection recovers when PostgreSQL drops or loses its sessions.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Migrator } from '@mikro-orm/migrations';
import { DatabaseUnavailableError, JobEntity, isDatabaseUnavailable, loadConfig, migrateDatabase, migrationsFor, openDatabase, type Config, type DatabaseHandle } from '@weft/common';
import { createPgDatabase, pgClient, pgUnavailable, startTcpProxy, type TempPgDatabase } from '../helpers/backends.js';

interface Backend {
  kind: 'sqlite' | 'postgresql';
  /** A fresh, empty database: its config, env and a cleanup. */
  fresh(): Promise<{ cfg: Config; cleanup(): Promise<void> }>;
}

const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-db-'));
  tmpDirs.push(d);
  return d;
}

const backends: Backend[] = [
  {
    kind: 'sqlite',
    fresh: async () => {
      const dir = tmpDir();
      const env = { WEFT_DATA_DIR: dir };
      return { cfg: loadConfig(env), cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    kind: 'postgresql',
    fresh: async () => {
      const db = await createPgDatabase();
      const env = { DATABASE_URL: db.url, WEFT_DATA_DIR: tmpDir(), WEFT_DB_POOL_MAX: '4' };
      return { cfg: loadConfig(env), cleanup: () => db.drop() };
    },
  },
];

async function executedNames(db: DatabaseHandle): Promise<string[]> {
  const rows: Array<{ name: string }> = await db.orm.em.getConnection().execute('select name from mikro_orm_migrations order by id');
  return rows.map((r) => r.name);
}

after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

for (const b of backends) {
  describe(`database on ${b.kind}: migrations`, function () {
    this.timeout(30_000);
    const cleanups: Array<() => Promise<void>> = [];

    before(async function () {
      if (b.kind === 'postgresql') {
        const why = await pgUnavailable();
        if (why) {
          console.warn(`    SKIPPED: ${why}`);
          this.skip();
        }
      }
    });
    after(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });
    const fresh = async () => {
      const f = await b.fresh();
      cleanups.push(f.cleanup);
      return f;
    };

    it('openDatabase applies every committed migration and the schema then equals the entities', async () => {
      const { cfg } = await fresh();
      const db = await openDatabase(cfg);
      try {
        assert.equal(db.kind, b.kind);
        assert.deepEqual(await executedNames(db), migrationsFor(b.kind).map((m) => m.name));
        const diff = await db.orm.schema.getUpdateSchemaSQL({ wrap: false });
        assert.equal(diff.trim(), '', `schema differs from the entities:\n${diff}`);
        await db.ping();
        // the indexes the scheduler's lease and sweep queries use are there
        const idx: Array<{ name: string }> =
          b.kind === 'postgresql'
            ? await db.orm.em.getConnection().execute(`select indexname as name from pg_indexes where tablename = 'tasks'`)
            : await db.orm.em.getConnection().execute(`select name from sqlite_master where type = 'index' and tbl_name = 'tasks'`);
        const names = idx.map((r) => r.name);
        for (const want of ['tasks_state_available_at_index', 'tasks_state_lease_expires_at_index', 'tasks_executor_id_state_index', 'tasks_job_id_index']) {
          assert.ok(names.includes(want), `index ${want} missing (have ${names.join(', ')})`);
        }
      } finally {
        await db.close();
      }
    });

    it('opening again applies nothing, and migrateDatabase reports nothing to do', async () => {
      const { cfg } = await fresh();
      await (await openDatabase(cfg)).close();
      const r = await migrateDatabase(cfg);
      assert.deepEqual(r.applied, []);
      const db = await openDatabase(cfg);
      try {
        assert.deepEqual(await executedNames(db), migrationsFor(b.kind).map((m) => m.name));
      } finally {
        await db.close();
      }
    });

    it('three migrators on the same empty database at once (own connections, as separate processes would): all succeed, each migration runs once', async () => {
      const { cfg } = await fresh();
      const results = await Promise.all([migrateDatabase(cfg), migrateDatabase(cfg), migrateDatabase(cfg)]);
      const applied = results.map((r) => r.applied);
      assert.equal(applied.filter((a) => a.length > 0).length, 1, `exactly one migrator applies the migrations: ${JSON.stringify(applied)}`);
      const db = await openDatabase(cfg, { migrate: false });
      try {
        assert.deepEqual(await executedNames(db), migrationsFor(b.kind).map((m) => m.name));
        assert.equal((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim(), '');
      } finally {
        await db.close();
      }
      if (b.kind === 'sqlite') assert.ok(!fs.existsSync(path.join(cfg.dataDir, 'weft.sqlite.migrate.lock')), 'the lock file is removed');
    });

    it('adopts a schema created before migrations existed (first migration recorded, later ones applied)', async () => {
      const { cfg } = await fresh();
      const list = migrationsFor(b.kind);
      const legacy = await openDatabase(cfg, { migrate: false });
      try {
        await (legacy.orm.getMigrator() as Migrator).up({ to: list[0]!.name });
        await legacy.orm.em.getConnection().execute('delete from mikro_orm_migrations');
      } finally {
        await legacy.close();
      }
      const r = await migrateDatabase(cfg);
      assert.equal(r.baselined, true);
      assert.deepEqual(r.applied, list.slice(1).map((m) => m.name));
      const db = await openDatabase(cfg);
      try {
        assert.equal((await db.orm.schema.getUpdateSchemaSQL({ wrap: false })).trim(), '');
      } finally {
        await db.close();
      }
    });
  });
}

describe('database on postgresql: connections going away', function () {
  this.timeout(30_000);
  let pg: TempPgDatabase | undefined;
  let dataDir: string;

  before(async function () {
    const why = await pgUnavailable();
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    pg = await createPgDatabase();
    dataDir = tmpDir();
    const db = await openDatabase(loadConfig({ DATABASE_URL: pg.url, WEFT_DATA_DIR: dataDir }));
    await db.close();
  });
  after(async () => {
    await pg?.drop();
  });

  it('pg_terminate_backend on every session: the next query succeeds (the pool replaces dead connections)', async () => {
    const db = await openDatabase(loadConfig({ DATABASE_URL: pg!.url, WEFT_DATA_DIR: dataDir, WEFT_DB_POOL_MAX: '3' }), { migrate: false });
    const admin = await pgClient(pg!.url.replace(/\/[^/]+$/, '/postgres'));
    try {
      await Promise.all([db.ping(), db.em().count(JobEntity, {}), db.em().count(JobEntity, {})]);
      const r = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [pg!.name]);
      assert.ok((r.rowCount ?? 0) >= 1, 'some session was terminated');
      await new Promise((res) => setTimeout(res, 200)); // the FATAL message reaches the idle clients
      assert.equal(await db.em().count(JobEntity, {}), 0);
      await db.ping();
    } finally {
      await admin.end();
      await db.close();
    }
  });

  it('server unreachable: ping fails fast with DATABASE_UNAVAILABLE, then recovers by itself when it returns', async () => {
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(pg!.url).port || 5432));
    const url = new URL(pg!.url);
    url.port = String(proxy.port);
    const db = await openDatabase(loadConfig({ DATABASE_URL: url.toString(), WEFT_DATA_DIR: dataDir }), { migrate: false });
    try {
      await db.ping();
      await proxy.cut(); // connection refused from now on, live sessions reset
      let t0 = Date.now();
      await assert.rejects(db.ping(1_500), (e: unknown) => e instanceof DatabaseUnavailableError && e.code === 'DATABASE_UNAVAILABLE');
      assert.ok(Date.now() - t0 < 3_000, `ping took ${Date.now() - t0} ms`);
      const q = await db
        .em()
        .count(JobEntity, {})
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(q && isDatabaseUnavailable(q), `a query while the server is away fails as unavailable: ${String(q)}`);

      await proxy.restore();
      proxy.blackhole(true); // accepts but never answers: ping must still return in time
      t0 = Date.now();
      await assert.rejects(db.ping(1_000), DatabaseUnavailableError);
      assert.ok(Date.now() - t0 < 2_500, `ping against a hanging server took ${Date.now() - t0} ms`);
      proxy.blackhole(false);

      const deadline = Date.now() + 15_000;
      for (;;) {
        try {
          await db.ping(1_000);
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      assert.equal(await db.em().count(JobEntity, {}), 0);
    } finally {
      await db.close().catch(() => undefined);
      await proxy.stop();
    }
  });
});
