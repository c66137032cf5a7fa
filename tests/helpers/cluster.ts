/**
 * Test fixture: a real Weft cluster as separate processes on loopback — one scheduler,
 * N executors and one api — over a fresh data directory. Every process is killed by `stop`.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The repository root (the folder holding lerna.json), found from this file's location. */
export const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'lerna.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
})();
const MAIN = {
  scheduler: path.join(ROOT, 'packages/scheduler/dist/main.js'),
  executor: path.join(ROOT, 'packages/executors/dist/main.js'),
  api: path.join(ROOT, 'packages/api/dist/main.js'),
  cli: path.join(ROOT, 'packages/cli/dist/bin.js'),
};

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
}

export interface Cluster {
  url: string;
  /** API key of the local owner (workspace `default`), from `weft init`. */
  apiKey: string;
  /** `Authorization: Bearer <apiKey>`. */
  headers: Record<string, string>;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  procs: Proc[];
  startExecutor(): Proc;
  startScheduler(): Proc;
  /** Runs the weft CLI against this cluster; resolves with exit code and output. */
  cli(args: string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

function startProc(name: string, file: string, env: NodeJS.ProcessEnv, procs: Proc[]): Proc {
  const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, output: [] };
  const keep = (b: Buffer) => {
    p.output.push(b.toString());
    if (p.output.length > 400) p.output.splice(0, 200);
    if (process.env.WEFT_TEST_VERBOSE) process.stderr.write(`[${name}] ${b}`);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  procs.push(p);
  return p;
}

async function waitHealthy(url: string, procs: Proc[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    for (const p of procs) {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output.join('').slice(-3000)}`);
    }
    try {
      const r = await fetch(`${url}/health`);
      const body = await r.text();
      last = `${r.status} ${body}`;
      if (r.ok && /"scheduler"\s*:\s*(true|"ok"|\{[^}]*"ok"\s*:\s*true)/.test(body)) return;
      if (r.ok && !/"scheduler"/.test(body)) return;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`cluster not healthy after ${timeoutMs} ms: ${last}\n${procs.map((p) => `--- ${p.name}\n${p.output.join('').slice(-2000)}`).join('\n')}`);
}

/**
 * With `WEFT_TEST_BACKENDS=production` every cluster runs on PostgreSQL (a fresh database),
 * Redis and an S3 server (s3rver on loopback) instead of the embedded defaults: the same
 * tests, the other mode.
 */
async function productionBackends(): Promise<{ env: Record<string, string>; stop(): Promise<void> } | null> {
  if (process.env.WEFT_TEST_BACKENDS !== 'production') return null;
  const backends = await import('./backends.js');
  const db = await backends.createPgDatabase('weft_cluster');
  const s3 = await backends.startS3();
  return {
    env: { DATABASE_URL: db.url, REDIS_URL: backends.REDIS_URL, ...s3.env },
    stop: async () => {
      await s3.stop();
      await db.drop();
    },
  };
}

/** Starts scheduler, executors and api (in that order) and waits for the api's /health. */
export async function startCluster(opts: { executors?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Cluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'weft-it-'));
  const [apiPort, schedPort] = [await freePort(), await freePort()];
  const backends = await productionBackends();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WEFT_DATA_DIR: dataDir,
    WEFT_PORT: String(apiPort),
    WEFT_SCHEDULER_URL: `127.0.0.1:${schedPort}`,
    WEFT_LOG_LEVEL: process.env.WEFT_LOG_LEVEL ?? 'warn',
    ...backends?.env,
    ...opts.env,
  };
  const url = `http://127.0.0.1:${apiPort}`;
  const migrate = spawnSync(process.execPath, [MAIN.cli, 'migrate'], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(`weft migrate failed: ${migrate.stderr}`);
  // The local owner + API key, as `weft up` creates them; the CLI finds them in <dataDir>/credentials.json.
  const init = spawnSync(process.execPath, [MAIN.cli, 'init'], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`weft init failed: ${init.stderr}`);
  const apiKey = (JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')) as { apiKey: string }).apiKey;
  const procs: Proc[] = [];
  const cluster: Cluster = {
    url,
    apiKey,
    headers: { authorization: `Bearer ${apiKey}` },
    env,
    dataDir,
    procs,
    startScheduler: () => startProc('scheduler', MAIN.scheduler, env, procs),
    startExecutor: () => startProc(`executor-${procs.filter((p) => p.name.startsWith('executor')).length + 1}`, MAIN.executor, env, procs),
    cli: (args, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [MAIN.cli, ...args, '--server', url], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b) => (stdout += b));
        child.stderr.on('data', (b) => (stderr += b));
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`weft ${args.join(' ')} timed out after ${timeoutMs} ms\n${stderr}`));
        }, timeoutMs);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      }),
    stop: async () => {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
              const t = setTimeout(() => p.child.kill('SIGKILL'), 5000);
              p.child.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
              p.child.kill('SIGCONT');
              p.child.kill('SIGTERM');
            }),
        ),
      );
      fs.rmSync(dataDir, { recursive: true, force: true });
      await backends?.stop();
    },
  };
  cluster.startScheduler();
  for (let i = 0; i < (opts.executors ?? 2); i++) cluster.startExecutor();
  startProc('api', MAIN.api, env, procs);
  try {
    await waitHealthy(url, procs, 30_000);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
