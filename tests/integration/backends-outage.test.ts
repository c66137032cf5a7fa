/**
 * Backends going away and coming back, with the api as its own process: DATABASE_URL points
 * through a TCP proxy to a fresh PostgreSQL database, REDIS_URL to a redis-server of our own.
 * Cutting the proxy makes requests fail fast with 503 DATABASE_UNAVAILABLE (no hang, no
 * crash); restoring it makes them succeed again without a restart. Killing Redis makes /api
 * requests (whose rate-limit store is in Redis) fail with 503 REDIS_UNAVAILABLE; starting it
 * again makes them succeed again.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, freePort, type Proc } from '../helpers/cluster.js';
import {
  PG_ADMIN_URL,
  createPgDatabase,
  pgUnavailable,
  redisServerMissing,
  startOwnRedis,
  startTcpProxy,
  waitFor,
  type OwnRedis,
  type TcpProxy,
  type TempPgDatabase,
} from '../helpers/backends.js';

const API_MAIN = path.join(ROOT, 'packages/api/dist/main.js');
const CLI = path.join(ROOT, 'packages/cli/dist/bin.js');

describe('backends: PostgreSQL and Redis outages (503 with a code, recovery without restart)', function () {
  this.timeout(60_000);
  let db: TempPgDatabase | undefined;
  let redis: OwnRedis | undefined;
  let proxy: TcpProxy | undefined;
  let api: Proc | undefined;
  let dataDir = '';
  let url = '';
  let apiKey = '';

  async function get(p: string): Promise<{ status: number; body: any; ms: number }> {
    const t0 = Date.now();
    const r = await fetch(url + p, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(20_000) });
    return { status: r.status, body: await r.json().catch(() => null), ms: Date.now() - t0 };
  }

  function assertAlive(): void {
    assert.ok(api && api.child.exitCode === null && api.child.signalCode === null, `api exited:\n${api?.output.join('').slice(-3000)}`);
  }

  before(async function () {
    const why = (await pgUnavailable()) ?? redisServerMissing();
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    db = await createPgDatabase('weft_outage');
    redis = await startOwnRedis();
    const pg = new URL(PG_ADMIN_URL);
    proxy = await startTcpProxy(pg.hostname, Number(pg.port || 5432));
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-outage-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WEFT_DATA_DIR: dataDir,
      WEFT_HOST: '127.0.0.1',
      WEFT_PORT: String(port),
      WEFT_SCHEDULER_URL: '127.0.0.1:1',
      WEFT_LOG_LEVEL: 'warn',
      DATABASE_URL: proxied.toString(),
      REDIS_URL: redis.url,
    };
    // spawnSync blocks this process, and with it the proxy: the CLI goes to PostgreSQL directly.
    // `weft init` applies the migrations and creates the local owner and its API key.
    const direct = db.url;
    const init = spawnSync(process.execPath, [CLI, 'init'], { env: { ...env, DATABASE_URL: direct }, encoding: 'utf8' });
    assert.equal(init.status, 0, `weft init: ${init.stderr}`);
    apiKey = (JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { apiKey: string }).apiKey;
    const child = spawn(process.execPath, [API_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    api = { name: 'api', child, output: [] };
    const keep = (b: Buffer) => {
      api!.output.push(b.toString());
      if (api!.output.length > 400) api!.output.splice(0, 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitFor(
      async () => {
        assertAlive();
        return (await fetch(`${url}/health`)).status === 200;
      },
      20_000,
      'the api to answer /health',
    );
  });

  after(async () => {
    if (api && api.child.exitCode === null && api.child.signalCode === null) {
      const c = api.child;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
        c.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        c.kill('SIGTERM');
      });
    }
    await proxy?.stop();
    await redis?.stop();
    await db?.drop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('PostgreSQL away: 503 DATABASE_UNAVAILABLE within seconds; back: requests succeed again', async () => {
    const ok = await get('/api/datasets');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));

    await proxy!.cut();
    for (let i = 0; i < 3; i++) {
      const r = await get('/api/datasets');
      assert.equal(r.status, 503, `attempt ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.error?.code, 'DATABASE_UNAVAILABLE');
      assert.ok(r.ms < 12_000, `took ${r.ms} ms`);
    }
    const h = await fetch(`${url}/health`);
    assert.equal(h.status, 503);
    assert.equal(((await h.json()) as { database: string }).database, 'down');
    assertAlive();

    await proxy!.restore();
    const back = await waitFor(async () => (await get('/api/datasets')).status === 200, 20_000, 'requests to succeed after PostgreSQL is back');
    assert.ok(back);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assertAlive();
  });

  it('Redis away: 503 REDIS_UNAVAILABLE within seconds; back: requests succeed again', async () => {
    assert.equal((await get('/api/datasets')).status, 200);

    await redis!.kill();
    for (let i = 0; i < 3; i++) {
      const r = await get('/api/datasets');
      assert.equal(r.status, 503, `attempt ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body?.error?.code, 'REDIS_UNAVAILABLE');
      assert.ok(r.ms < 12_000, `took ${r.ms} ms`);
    }
    // The required parts (database, object store) are up: degraded, not down.
    const h = await fetch(`${url}/health`);
    assert.equal(h.status, 200);
    assert.equal(((await h.json()) as { fanOut: string }).fanOut, 'down');
    assertAlive();

    await redis!.start();
    await waitFor(async () => (await get('/api/datasets')).status === 200, 20_000, 'requests to succeed after Redis is back');
    const h2 = (await (await fetch(`${url}/health`)).json()) as { fanOut: string };
    assert.equal(h2.fanOut, 'ok');
    assertAlive();
  });
});
