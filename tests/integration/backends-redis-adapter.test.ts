/**
 * Two api processes on one Redis (a redis-server of our own), one scheduler and one executor
 * on a fresh PostgreSQL database, all started at once: a Socket.IO client connected to api #1 receives the live
 * `job:event`s of a job submitted through api #2, each exactly once and in order, and so
 * does a client on api #2. Both replicas are on the Socket.IO Redis adapter (each subscribes
 * to the adapter's channel); each relays its own scheduler Watch stream to its own sockets
 * only, so the adapter never doubles an event.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { ROOT, freePort, type Proc } from '../helpers/cluster.js';
import { createPgDatabase, pgUnavailable, redisServerMissing, startOwnRedis, waitFor, type OwnRedis, type TempPgDatabase } from '../helpers/backends.js';

const API_MAIN = path.join(ROOT, 'packages/api/dist/main.js');
const CLI = path.join(ROOT, 'packages/cli/dist/bin.js');
const FINAL = ['completed', 'failed', 'cancelled'];

function workflow(name: string, datasetId: string): any {
  const g = JSON.parse(fs.readFileSync(path.join(ROOT, `examples/workflows/${name}.json`), 'utf8'));
  for (const n of g.nodes) if (n.type === 'dataset') n.params.datasetId = datasetId;
  return g;
}

/** Subscribers of a Redis pub/sub channel (redis-cli PUBSUB NUMSUB). */
function numsub(port: number, channel: string): number {
  const r = spawnSync('redis-cli', ['-p', String(port), '--no-raw', 'PUBSUB', 'NUMSUB', channel], { encoding: 'utf8' });
  const m = /\(integer\)\s*(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : -1;
}

/** Connects, watches `jobId`, and collects its events until the final job state. */
function watchJob(url: string, token: string, jobId: string): { socket: Socket; done: Promise<any[]> } {
  const socket = io(url, { transports: ['websocket'], forceNew: true, auth: { token } });
  const events: any[] = [];
  const done = new Promise<any[]>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${url}: no final state; got ${events.map((e) => `${e.seq}:${e.type}`).join(',')}`)), 30_000);
    socket.on('connect_error', (e) => reject(e));
    socket.on('job:event', (e: any) => {
      events.push(e);
      if (e.type === 'job_state' && FINAL.includes(e.state)) {
        clearTimeout(t);
        // linger briefly so a duplicate delivered after the final event would be seen
        setTimeout(() => resolve(events), 500);
      }
    });
    socket.emit('job:watch', { jobId, afterSeq: 0 }, (ack: any) => {
      if (!ack?.ok) reject(new Error(JSON.stringify(ack)));
    });
  });
  return { socket, done };
}

describe('backends: Socket.IO across two api replicas on one Redis', function () {
  this.timeout(90_000);
  let db: TempPgDatabase | undefined;
  let redis: OwnRedis | undefined;
  let dataDir = '';
  let apiKey = '';
  const procs: Proc[] = [];
  const urls: string[] = [];
  const headers = () => ({ authorization: `Bearer ${apiKey}` });

  function startProc(name: string, file: string, env: NodeJS.ProcessEnv): Proc {
    const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const p: Proc = { name, child, output: [] };
    const keep = (b: Buffer) => {
      p.output.push(b.toString());
      if (p.output.length > 400) p.output.splice(0, 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    procs.push(p);
    return p;
  }

  before(async function () {
    const why = (await pgUnavailable()) ?? redisServerMissing();
    if (why) {
      console.warn(`    SKIPPED: ${why}`);
      this.skip();
    }
    db = await createPgDatabase('weft_adapter');
    redis = await startOwnRedis();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-adapter-'));
    const [p1, p2, sched] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WEFT_DATA_DIR: dataDir,
      WEFT_HOST: '127.0.0.1',
      WEFT_SCHEDULER_URL: `127.0.0.1:${sched}`,
      WEFT_LOG_LEVEL: 'warn',
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
    };
    // `weft init` applies the migrations and creates the local owner and its API key.
    const init = spawnSync(process.execPath, [CLI, 'init'], { env, encoding: 'utf8' });
    assert.equal(init.status, 0, `weft init: ${init.stderr}`);
    apiKey = (JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { apiKey: string }).apiKey;
    startProc('scheduler', path.join(ROOT, 'packages/scheduler/dist/main.js'), env);
    startProc('executor', path.join(ROOT, 'packages/executors/dist/main.js'), env);
    for (const port of [p1, p2]) {
      startProc(`api-${urls.length + 1}`, API_MAIN, { ...env, WEFT_PORT: String(port) });
      urls.push(`http://127.0.0.1:${port}`);
    }
    await waitFor(
      async () => {
        for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited: ${p.output.join('').slice(-3000)}`);
        const hs = await Promise.all(urls.map((u) => fetch(`${u}/health`).then((r) => r.json() as Promise<{ scheduler: string }>)));
        return hs.every((h) => h.scheduler === 'ok');
      },
      40_000,
      'both apis healthy with the scheduler up',
      200,
    );
  });

  after(async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            const t = setTimeout(() => p.child.kill('SIGKILL'), 5_000);
            p.child.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            p.child.kill('SIGTERM');
          }),
      ),
    );
    await redis?.stop();
    await db?.drop().catch(() => undefined);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a client on api #1 gets the events of a job submitted through api #2, once each, in order', async () => {
    const [url1, url2] = urls as [string, string];
    // Both replicas joined the adapter's request channel on this Redis.
    await waitFor(() => numsub(redis!.port, 'socket.io-request#/#') === 2, 5_000, 'two adapter subscribers');

    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(path.join(ROOT, 'examples/datasets/iris.csv'))]), 'iris.csv');
    const up = await fetch(`${url2}/api/datasets`, { method: 'POST', body: form, headers: headers() });
    assert.equal(up.status, 201, await up.clone().text());
    const datasetId = ((await up.json()) as { id: string }).id;
    const sub = await fetch(`${url2}/api/jobs`, {
      method: 'POST',
      headers: { ...headers(), 'content-type': 'application/json' },
      body: JSON.stringify({ workflow: workflow('iris', datasetId) }),
    });
    assert.equal(sub.status, 201, await sub.clone().text());
    const jobId = ((await sub.json()) as { id: string }).id;

    const on1 = watchJob(url1, apiKey, jobId);
    const on2 = watchJob(url2, apiKey, jobId);
    try {
      const [e1, e2] = await Promise.all([on1.done, on2.done]);
      for (const [name, events] of [
        ['api #1', e1],
        ['api #2', e2],
      ] as const) {
        const seqs = events.map((e) => e.seq);
        assert.equal(new Set(seqs).size, seqs.length, `${name}: no duplicates (${seqs})`);
        assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${name}: in sequence order`);
        assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1), `${name}: every event from seq 1, no gaps`);
        assert.equal(events[events.length - 1].state, 'completed', `${name}: ${JSON.stringify(events[events.length - 1])}`);
        assert.ok(events.some((e) => e.type === 'node_state' && e.state === 'running'), `${name}: live node states`);
      }
      assert.deepEqual(
        e1.map((e) => [e.seq, e.type]),
        e2.map((e) => [e.seq, e.type]),
        'both replicas deliver the same events',
      );
    } finally {
      on1.socket.close();
      on2.socket.close();
    }
  });
});
