/**
 * Dataset document/profile cache in Redis (issue 6): with REDIS_URL set, GET /api/datasets/:id
 * stores the document under `weft:cache:dataset:<workspaceId>:<id>` (JSON, TTL) and serves
 * later GETs from it; PATCH …/schema and DELETE drop it. Without REDIS_URL nothing is cached.
 * A Redis that does not answer never fails a cache operation (the route falls back to the
 * database). The api runs in-process (SQLite) against a redis-server of our own.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { DatasetEntity, RedisFanOut, createLogger, type DatabaseHandle } from '@weft/common';
import { ROOT, freePort } from '../helpers/cluster.js';
import { redisServerMissing, startOwnRedis, type OwnRedis } from '../helpers/backends.js';

// The api package is not a project reference of tests/: load its built test support and cache by path.
interface TestApi {
  url: string;
  headers: Record<string, string>;
  api: { deps: { db: DatabaseHandle; datasetCache?: unknown } };
  close(): Promise<void>;
}
const support = require(path.join(ROOT, 'packages/api/dist/test-support.js')) as {
  startTestApi(env?: Record<string, string>): Promise<TestApi>;
  CSV: { iris: string };
  csvForm(csv: string, fields?: Record<string, string>, fileName?: string): FormData;
};
interface CacheLike {
  kind: string;
  get(ws: string, id: string): Promise<unknown>;
  set(ws: string, id: string, doc: unknown): Promise<void>;
  invalidate(ws: string, id: string): Promise<void>;
}
const cacheMod = require(path.join(ROOT, 'packages/api/dist/dataset-cache.js')) as {
  DATASET_CACHE_TTL_SECONDS: number;
  RedisDatasetCache: new (fanOut: RedisFanOut, log: unknown, ttlSeconds?: number, timeoutMs?: number) => CacheLike;
};

async function call(t: TestApi, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const init: RequestInit = { method, headers: { ...t.headers } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...t.headers, 'content-type': 'application/json' };
  }
  const res = await fetch(t.url + p, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function upload(t: TestApi, name: string): Promise<string> {
  const up = await call(t, 'POST', '/api/datasets', support.csvForm(support.CSV.iris, { name }));
  assert.equal(up.status, 201, JSON.stringify(up.body));
  return up.body.id as string;
}

/** Changes the row behind the api's back (as another writer would). */
async function renameInDb(t: TestApi, id: string, name: string): Promise<void> {
  const n = await t.api.deps.db.em().nativeUpdate(DatasetEntity, { id }, { name });
  assert.equal(n, 1);
}

describe('backends: dataset profile cache in Redis', function () {
  this.timeout(60_000);
  let redis: OwnRedis | undefined;
  let client: Redis | undefined;
  let cached: TestApi | undefined;
  let plain: TestApi | undefined;

  before(async function () {
    const why = redisServerMissing();
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    redis = await startOwnRedis();
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    cached = await support.startTestApi({ REDIS_URL: redis.url });
    plain = await support.startTestApi();
  });

  after(async () => {
    await cached?.close();
    await plain?.close();
    client?.disconnect();
    await redis?.stop();
  });

  const keysOf = async (id: string) => client!.keys(`weft:cache:dataset:*:${id}`);

  it('first GET stores the document in Redis with a TTL; the next GET is served from it', async () => {
    const t = cached!;
    const id = await upload(t, 'cached iris');
    assert.deepEqual(await keysOf(id), [], 'upload does not fill the cache');

    const first = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.name, 'cached iris');
    assert.ok(first.body.profile, 'the profile is part of the document');
    const keys = await keysOf(id);
    assert.equal(keys.length, 1, `one cache key, got ${keys.join(', ')}`);
    assert.match(keys[0]!, new RegExp(`^weft:cache:dataset:[^:]+:${id}$`));
    assert.deepEqual(JSON.parse((await client!.get(keys[0]!))!), first.body, 'the cached JSON is the served document');
    const ttl = await client!.ttl(keys[0]!);
    assert.ok(ttl > 0 && ttl <= cacheMod.DATASET_CACHE_TTL_SECONDS, `ttl ${ttl}`);

    // Proof of a cache hit: the row changes in the database, the GET still answers from Redis.
    await renameInDb(t, id, 'renamed behind the cache');
    const second = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body, 'served from the cache');
    // The list is not cached: it shows the database's name.
    const list = await call(t, 'GET', '/api/datasets');
    assert.equal(list.body.datasets.find((d: { id: string }) => d.id === id).name, 'renamed behind the cache');
  });

  it('PATCH schema invalidates; the next GET reads the database and caches again', async () => {
    const t = cached!;
    const id = await upload(t, 'patched iris');
    assert.equal((await call(t, 'GET', `/api/datasets/${id}`)).status, 200);
    assert.equal((await keysOf(id)).length, 1);
    await renameInDb(t, id, 'renamed, then patched');

    const patch = await call(t, 'PATCH', `/api/datasets/${id}/schema`, { columns: { species: { role: 'target' } } });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    assert.deepEqual(await keysOf(id), [], 'PATCH dropped the cache entry');

    const reread = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(reread.status, 200);
    assert.equal(reread.body.name, 'renamed, then patched', 'read from the database');
    assert.equal(reread.body.schema.columns.find((c: { name: string }) => c.name === 'species').role, 'target');
    const keys = await keysOf(id);
    assert.equal(keys.length, 1);
    assert.deepEqual(JSON.parse((await client!.get(keys[0]!))!), reread.body);

    // A refused PATCH changes nothing; a cached entry may stay but must equal the database's.
    const bad = await call(t, 'PATCH', `/api/datasets/${id}/schema`, { columns: { nope: { role: 'target' } } });
    assert.equal(bad.status, 400);
    assert.deepEqual((await call(t, 'GET', `/api/datasets/${id}`)).body, reread.body);
  });

  it('DELETE invalidates; a missing dataset is 404 and not cached', async () => {
    const t = cached!;
    const id = await upload(t, 'deleted iris');
    assert.equal((await call(t, 'GET', `/api/datasets/${id}`)).status, 200);
    assert.equal((await keysOf(id)).length, 1);
    assert.equal((await call(t, 'DELETE', `/api/datasets/${id}`)).status, 204);
    assert.deepEqual(await keysOf(id), [], 'DELETE dropped the cache entry');
    const gone = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.code, 'NOT_FOUND');
    assert.deepEqual(await keysOf(id), [], '404 is not cached');
  });

  it('a corrupt cache entry is ignored (the database answers)', async () => {
    const t = cached!;
    const id = await upload(t, 'corrupt iris');
    assert.equal((await call(t, 'GET', `/api/datasets/${id}`)).status, 200);
    const [key] = await keysOf(id);
    await client!.set(key!, '{not json', 'EX', 60);
    const r = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'corrupt iris');
    assert.deepEqual(JSON.parse((await client!.get(key!))!), r.body, 'rewritten with the good document');
  });

  it('without REDIS_URL nothing is cached: GET always reads the database', async () => {
    const t = plain!;
    const id = await upload(t, 'uncached iris');
    const first = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(first.status, 200);
    assert.equal(first.body.name, 'uncached iris');
    await renameInDb(t, id, 'renamed, seen at once');
    const second = await call(t, 'GET', `/api/datasets/${id}`);
    assert.equal(second.body.name, 'renamed, seen at once');
    assert.deepEqual({ ...second.body, name: first.body.name }, first.body);
    assert.deepEqual(await keysOf(id), [], 'no key written to any Redis');
  });

  it('a Redis that does not answer never throws from the cache (get misses, set/invalidate log)', async () => {
    const deadPort = await freePort(); // nothing listens here
    const fanOut = new RedisFanOut(`redis://127.0.0.1:${deadPort}`);
    const warnings: unknown[] = [];
    const log = Object.assign(createLogger('test', 'silent'), { warn: (o: unknown) => void warnings.push(o) });
    const cache = new cacheMod.RedisDatasetCache(fanOut, log, 300, 300);
    try {
      const t0 = Date.now();
      assert.equal(await cache.get('default', 'ds_x'), undefined);
      await cache.set('default', 'ds_x', { id: 'ds_x' });
      await cache.invalidate('default', 'ds_x');
      assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
      assert.equal(warnings.length, 3, JSON.stringify(warnings));
    } finally {
      await fanOut.close();
    }
  });
});
