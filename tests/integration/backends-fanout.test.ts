/**
 * One conformance suite for every FanOut (in-process and Redis, the latter on the shared
 * server with a random key prefix per run), plus recovery: a redis-server of our own is
 * killed and started again, and the same fan-out (ioredis reconnecting and re-subscribing by
 * itself) delivers again; `ping` fails fast with REDIS_UNAVAILABLE while it is away.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FanOutUnavailableError, MemoryFanOut, RedisFanOut, createFanOut, loadConfig, type FanOut } from '@weft/common';
import { REDIS_URL, redisServerMissing, redisUnavailable, startOwnRedis, waitFor, type OwnRedis } from '../helpers/backends.js';

/** Collects messages and resolves when `n` have arrived (or rejects after `ms`). */
function collector(n: number, ms = 3_000) {
  const got: unknown[] = [];
  let done!: () => void;
  const arrived = new Promise<void>((resolve, reject) => {
    done = resolve;
    setTimeout(() => reject(new Error(`got ${got.length}/${n} messages: ${JSON.stringify(got)}`)), ms).unref();
  });
  return {
    got,
    arrived,
    handler: (m: unknown) => {
      got.push(m);
      if (got.length >= n) done();
    },
  };
}

const quiet = () => new Promise((r) => setTimeout(r, 150));

interface Pair {
  a: FanOut;
  b: FanOut;
}

function suite(label: string, make: () => Promise<Pair>, available: () => Promise<string | null>): void {
  describe(`fan-out conformance: ${label}`, function () {
    this.timeout(20_000);
    let a: FanOut;
    let b: FanOut;
    const ch = (name: string) => `it-${randomBytes(3).toString('hex')}:${name}`;

    before(async function () {
      const why = await available();
      if (why) {
        console.warn(`    SKIPPED: ${why}`);
        this.skip();
      }
      ({ a, b } = await make());
    });
    after(async () => {
      await a?.close();
      if (b !== a) await b?.close();
    });

    it('delivers a JSON copy of each message, in order, to every subscriber (also across instances)', async () => {
      const c = ch('order');
      const one = collector(3);
      const two = collector(3);
      await a.subscribe(c, one.handler);
      await b.subscribe(c, two.handler);
      const when = new Date(0);
      await a.publish(c, { n: 1, when });
      await b.publish(c, { n: 2 });
      await a.publish(c, 'three');
      await Promise.all([one.arrived, two.arrived]);
      const expected = [{ n: 1, when: when.toISOString() }, { n: 2 }, 'three'];
      assert.deepEqual(one.got, expected);
      assert.deepEqual(two.got, expected);
    });

    it('channels are isolated; unsubscribe stops delivery to that handler only', async () => {
      const [x, y] = [ch('x'), ch('y')];
      const onX = collector(1);
      const onX2 = collector(2);
      const onY = collector(1);
      const offX = await b.subscribe(x, onX.handler);
      await b.subscribe(x, onX2.handler);
      await b.subscribe(y, onY.handler);
      await a.publish(x, 'first');
      await Promise.all([onX.arrived]);
      await offX();
      await a.publish(x, 'second');
      await onX2.arrived;
      await quiet();
      assert.deepEqual(onX.got, ['first']);
      assert.deepEqual(onX2.got, ['first', 'second']);
      assert.deepEqual(onY.got, []);
    });

    it('a throwing subscriber does not stop the others', async () => {
      const c = ch('throw');
      const ok = collector(1);
      await b.subscribe(c, () => {
        throw new Error('bad subscriber');
      });
      await b.subscribe(c, ok.handler);
      await a.publish(c, { fine: true });
      await ok.arrived;
      assert.deepEqual(ok.got, [{ fine: true }]);
    });

    it('ping answers', async () => {
      await a.ping();
      await b.ping(500);
    });
  });
}

suite(
  'MemoryFanOut (in-process)',
  async () => {
    const m = createFanOut(loadConfig({}));
    assert.ok(m instanceof MemoryFanOut);
    return { a: m, b: m };
  },
  async () => null,
);

suite(
  `RedisFanOut (${REDIS_URL}, random prefix)`,
  async () => {
    const prefix = `weft-it-${randomBytes(4).toString('hex')}:`;
    const viaConfig = createFanOut(loadConfig({ REDIS_URL }));
    assert.ok(viaConfig instanceof RedisFanOut);
    await viaConfig.close();
    return { a: new RedisFanOut(REDIS_URL, prefix), b: new RedisFanOut(REDIS_URL, prefix) };
  },
  () => redisUnavailable(),
);

describe('fan-out on Redis: the server restarts', function () {
  this.timeout(30_000);
  let redis: OwnRedis | undefined;
  let a: RedisFanOut | undefined;
  let b: RedisFanOut | undefined;

  before(async function () {
    const why = redisServerMissing();
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    redis = await startOwnRedis();
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('ping fails fast while Redis is down; subscribers get messages again once it is back', async () => {
    a = new RedisFanOut(redis!.url, 'r:');
    b = new RedisFanOut(redis!.url, 'r:');
    const got: unknown[] = [];
    await b.subscribe('jobs', (m) => got.push(m));
    await a.publish('jobs', 'before');
    await waitFor(() => got.includes('before'), 3_000, 'delivery before the restart');

    await redis!.kill();
    const t0 = Date.now();
    await assert.rejects(a.ping(1_000), (e: unknown) => e instanceof FanOutUnavailableError && e.code === 'REDIS_UNAVAILABLE');
    assert.ok(Date.now() - t0 < 2_500, `ping took ${Date.now() - t0} ms`);
    await assert.rejects(a.publish('jobs', 'lost'));

    await redis!.start();
    await waitFor(async () => (await a!.ping(500).then(() => true)), 10_000, 'publisher reconnect');
    // the subscriber re-subscribes on its own; publish until a message gets through
    let n = 0;
    await waitFor(
      async () => {
        await a!.publish('jobs', `after-${++n}`);
        return got.some((m) => typeof m === 'string' && m.startsWith('after-'));
      },
      10_000,
      'delivery after the restart',
      200,
    );
    assert.ok(!got.includes('lost'), 'messages published while Redis was away are not delivered (at-most-once)');
  });
});
