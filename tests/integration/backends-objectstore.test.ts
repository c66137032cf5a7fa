/**
 * One conformance suite for every ObjectStore: the local directory store and the S3 store
 * against an S3 server (s3rver) started on loopback with a fresh bucket. Checks the
 * contract in objectstore/types.ts: round trips, byte ranges, streams, head/delete/list,
 * atomic visibility (an aborted upload leaves nothing), streamed uploads that are never
 * held whole in memory, and refused unsafe keys.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { LocalObjectStore, ObjectNotFoundError, S3ObjectStore, createObjectStore, loadConfig, objectKeys, type ObjectStore } from '@weft/common';
import { bytesOnDisk, startS3, type OwnS3 } from '../helpers/backends.js';

const MiB = 1024 * 1024;

interface Subject {
  name: string;
  store: ObjectStore;
  /** Directory where the backend keeps bytes it has received (to measure what is in flight). */
  serverDir: string;
}

/** A stream of `total` deterministic bytes made on demand, `chunk` at a time; can fail at `failAt`. */
function generated(total: number, opts: { chunk?: number; failAt?: number; onProduce?: (produced: number) => void } = {}): Readable {
  const chunk = opts.chunk ?? 256 * 1024;
  let produced = 0;
  return new Readable({
    read() {
      if (opts.failAt !== undefined && produced >= opts.failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (produced >= total) {
        this.push(null);
        return;
      }
      const n = Math.min(chunk, total - produced);
      const buf = Buffer.alloc(n);
      for (let i = 0; i < n; i += 4096) buf[i] = ((produced + i) / 4096) & 0xff;
      produced += n;
      opts.onProduce?.(produced);
      this.push(buf);
    },
  });
}

function suite(make: () => Promise<Subject>, teardown: () => Promise<void>, label: string): void {
  describe(`object store conformance: ${label}`, function () {
    this.timeout(60_000);
    let s: Subject;
    let store: ObjectStore;
    const prefix = `it-${randomBytes(4).toString('hex')}`;
    const k = (name: string) => `${prefix}/${name}`;

    before(async function () {
      s = await make();
      store = s.store;
    });
    after(teardown);

    it('put / get / head round trip for Buffer, string and stream bodies', async () => {
      const bin = randomBytes(100_000);
      assert.deepEqual(await store.put(k('a.bin'), bin), { key: k('a.bin'), size: bin.length });
      assert.ok((await store.get(k('a.bin'))).equals(bin));
      assert.deepEqual(await store.head(k('a.bin')), { key: k('a.bin'), size: bin.length });
      await store.put(k('b.txt'), 'héllo');
      assert.equal((await store.get(k('b.txt'))).toString('utf8'), 'héllo');
      await store.put(k('c.bin'), Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
      assert.equal((await store.get(k('c.bin'))).toString(), 'abcd');
      await store.put(k('empty'), Buffer.alloc(0));
      assert.equal((await store.get(k('empty'))).length, 0);
      // replacing an object
      await store.put(k('b.txt'), 'second');
      assert.equal((await store.get(k('b.txt'))).toString(), 'second');
    });

    it('putFile streams a file in', async () => {
      const f = path.join(os.tmpdir(), `weft-os-${randomBytes(4).toString('hex')}`);
      fs.writeFileSync(f, randomBytes(300_000));
      try {
        const info = await store.putFile(k('file.bin'), f);
        assert.equal(info.size, 300_000);
        assert.ok((await store.get(k('file.bin'))).equals(fs.readFileSync(f)));
      } finally {
        fs.rmSync(f, { force: true });
      }
    });

    it('getRange returns [start, endExclusive), clipped at the end; empty past the end', async () => {
      const bin = randomBytes(70_000);
      await store.put(k('range.bin'), bin);
      assert.ok((await store.getRange(k('range.bin'), 0, 10)).equals(bin.subarray(0, 10)));
      assert.ok((await store.getRange(k('range.bin'), 65_536, 70_000)).equals(bin.subarray(65_536)));
      assert.ok((await store.getRange(k('range.bin'), 12_345, 54_321)).equals(bin.subarray(12_345, 54_321)));
      assert.ok((await store.getRange(k('range.bin'), 69_990, 80_000)).equals(bin.subarray(69_990)));
      assert.equal((await store.getRange(k('range.bin'), 500, 500)).length, 0);
      assert.equal((await store.getRange(k('range.bin'), 70_000, 70_010)).length, 0);
      await assert.rejects(store.getRange(k('range.bin'), 10, 5), RangeError);
      await assert.rejects(store.getRange(k('range.bin'), -1, 5), RangeError);
      await assert.rejects(store.getRange(k('nope.bin'), 0, 5), ObjectNotFoundError);
      await assert.rejects(store.getRange(k('nope.bin'), 0, 0), ObjectNotFoundError);
    });

    it('getStream streams the object; missing objects raise ObjectNotFoundError everywhere', async () => {
      const bin = randomBytes(200_000);
      await store.put(k('stream.bin'), bin);
      const chunks: Buffer[] = [];
      for await (const c of await store.getStream(k('stream.bin'))) chunks.push(c as Buffer);
      assert.ok(Buffer.concat(chunks).equals(bin));
      await assert.rejects(store.get(k('missing')), ObjectNotFoundError);
      await assert.rejects(store.getStream(k('missing')), ObjectNotFoundError);
      assert.equal(await store.head(k('missing')), null);
    });

    it('delete removes; deleting an absent object is fine', async () => {
      await store.put(k('del.bin'), 'x');
      await store.delete(k('del.bin'));
      assert.equal(await store.head(k('del.bin')), null);
      await store.delete(k('del.bin'));
    });

    it('list returns the objects under a prefix, sorted, with sizes', async () => {
      const p = `${prefix}/list`;
      await store.put(`${p}/b/2.bin`, 'bb');
      await store.put(`${p}/a.bin`, 'a');
      await store.put(`${p}/b/1.bin`, 'b');
      await store.put(`${prefix}/listed-not`, 'zzz');
      const got = await store.list(`${p}/`);
      assert.deepEqual(got, [
        { key: `${p}/a.bin`, size: 1 },
        { key: `${p}/b/1.bin`, size: 1 },
        { key: `${p}/b/2.bin`, size: 2 },
      ]);
      assert.deepEqual(await store.list(`${prefix}/nothing-here/`), []);
    });

    it('an upload whose body fails part-way leaves no object (small, and multipart-sized)', async () => {
      for (const [name, total, failAt] of [
        ['aborted-small.bin', 3 * MiB, MiB],
        ['aborted-large.bin', 24 * MiB, 13 * MiB],
      ] as const) {
        await assert.rejects(store.put(k(name), generated(total, { failAt })), /client went away/);
        assert.equal(await store.head(k(name)), null, `${name} must not exist`);
        assert.deepEqual(
          (await store.list(`${prefix}/`)).filter((o) => o.key.includes('aborted')),
          [],
        );
      }
      // no temporary file is left behind by the local store. (The S3 store sends
      // AbortMultipartUpload; s3rver does not implement it, so its parts stay in its upload
      // directory — invisible, as on S3 until a lifecycle rule removes them.)
      await new Promise((r) => setTimeout(r, 100));
      const leftovers = walk(s.serverDir).filter((f) => (s.name === 'local' ? /aborted|\.tmp-/ : /aborted[^/]*$/).test(f));
      assert.deepEqual(leftovers, []);
    });

    it('a 20 MiB streamed upload is never held whole: bytes in flight stay bounded', async () => {
      const total = 20 * MiB;
      let maxInFlight = 0;
      const base = bytesOnDisk(s.serverDir);
      const body = generated(total, {
        onProduce: (produced) => {
          // produced by us but not yet on the server's disk = held in memory somewhere
          const received = Math.max(0, bytesOnDisk(s.serverDir) - base);
          maxInFlight = Math.max(maxInFlight, produced - received);
        },
      });
      const info = await store.put(k('big.bin'), body);
      if (process.env.WEFT_TEST_VERBOSE) console.log(`      ${s.name}: max in flight ${(maxInFlight / MiB).toFixed(1)} MiB`);
      assert.equal(info.size, total);
      assert.ok(maxInFlight < 16 * MiB, `at most ${(maxInFlight / MiB).toFixed(1)} MiB were in flight (must stay well under the 20 MiB object)`);
      // spot-check content with ranged reads at part boundaries
      const expectAt = (off: number) => ((off / 4096) & 0xff);
      for (const off of [0, 5 * MiB, 8 * MiB, 16 * MiB, total - 4096]) {
        const b = await store.getRange(k('big.bin'), off, off + 4096);
        assert.equal(b.length, 4096);
        assert.equal(b[0], expectAt(off), `byte at ${off}`);
      }
    });

    it('refuses unsafe keys on every operation', async () => {
      const bad = ['../escape', '/abs', 'a/../../b', 'a//b', 'a/./b', 'sp ace', 'x\u0000y', '', 'a\\b', 'ü'];
      for (const key of bad) {
        await assert.rejects(store.put(key, 'x'), /Unsafe object key/, `put ${JSON.stringify(key)}`);
        await assert.rejects(store.get(key), /Unsafe object key/);
        await assert.rejects(store.getRange(key, 0, 1), /Unsafe object key/);
        await assert.rejects(store.getStream(key), /Unsafe object key/);
        await assert.rejects(store.head(key), /Unsafe object key/);
        await assert.rejects(store.delete(key), /Unsafe object key/);
      }
      assert.ok(!fs.existsSync(path.join(s.serverDir, '..', 'escape')));
    });

    it('the layout keys are safe and ping answers', async () => {
      await store.ping();
      const key = objectKeys.model('ws_1', 'ds_1', 'model_1');
      await store.put(key, '{}');
      assert.equal((await store.get(key)).toString(), '{}');
    });
  });
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const go = (d: string) => {
    let es: fs.Dirent[];
    try {
      es = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of es) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) go(f);
      else out.push(path.relative(dir, f).split(path.sep).join('/'));
    }
  };
  go(dir);
  return out;
}

// local directory store
{
  let dir: string;
  suite(
    async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-local-store-'));
      const store = createObjectStore(loadConfig({ WEFT_DATA_DIR: dir }));
      assert.ok(store instanceof LocalObjectStore);
      return { name: 'local', store, serverDir: path.join(dir, 'objects') };
    },
    async () => fs.rmSync(dir, { recursive: true, force: true }),
    'LocalObjectStore (directory)',
  );
}

// S3 store against s3rver, with 5 MiB parts so the 20 MiB upload is really multipart
{
  let s3: OwnS3 | undefined;
  suite(
    async () => {
      s3 = await startS3();
      const viaConfig = createObjectStore(loadConfig(s3.env));
      assert.ok(viaConfig instanceof S3ObjectStore);
      await viaConfig.ping();
      const store = new S3ObjectStore({
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        region: 'us-east-1',
        accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey,
        partSizeBytes: 5 * MiB,
        queueSize: 2,
      });
      return { name: 's3', store, serverDir: s3.dir };
    },
    async () => {
      await s3?.stop();
    },
    'S3ObjectStore (s3rver on loopback)',
  );
}
