/**
 * The launcher behind `weft up` and `weft demo`: migrates the database once, then runs the
 * scheduler, N executors and the api as separate child processes with the same
 * environment, prefixing each child's output lines with its name.
 *
 * Restart policy: a child that exits unexpectedly is restarted after a backoff (1 s, 2 s,
 * 4 s …); a child that dies more than `maxRestarts` times within `restartWindowMs` stops the
 * whole platform and the launcher exits non-zero (something is wrong that restarting will
 * not fix: a port in use, a broken build, an unreachable database).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { loadConfig, openDatabase, type Config } from '@weft/common';

export interface ChildSpec {
  name: string;
  /** Absolute path of the Node script to run. */
  script: string;
}

export interface LauncherOptions {
  env: NodeJS.ProcessEnv;
  /** Where children's output goes: prefixed lines to our stdout/stderr, or files in this directory. */
  logDir?: string;
  maxRestarts?: number;
  restartWindowMs?: number;
  /** Grace period after SIGTERM before SIGKILL, ms. Default 5000. */
  killAfterMs?: number;
  /** Called once when a child keeps dying (the platform is then stopped). */
  onFatal?: (name: string, reason: string) => void;
  /** Status lines of the launcher itself. */
  log?: (line: string) => void;
}

interface Running {
  spec: ChildSpec;
  proc?: ChildProcess;
  deaths: number[];
  timer?: NodeJS.Timeout;
}

/** Supervises the platform's child processes. */
export class Launcher {
  private readonly children: Running[];
  private stopping = false;
  private readonly log: (line: string) => void;

  constructor(
    specs: ChildSpec[],
    private readonly opts: LauncherOptions,
  ) {
    this.children = specs.map((spec) => ({ spec, deaths: [] }));
    this.log = opts.log ?? ((l) => process.stderr.write(`[weft] ${l}\n`));
    if (opts.logDir) fs.mkdirSync(opts.logDir, { recursive: true });
  }

  /** Spawns every child. */
  start(): void {
    for (const c of this.children) this.spawnChild(c);
  }

  /** Process ids of the running children, by name. */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.children.map((c) => [c.spec.name, c.proc?.pid]));
  }

  private spawnChild(c: Running): void {
    const proc = spawn(process.execPath, [c.spec.script], { env: this.opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    c.proc = proc;
    this.pipe(c.spec.name, proc);
    proc.on('error', (err) => this.log(`${c.spec.name}: could not start: ${err.message}`));
    proc.on('exit', (code, signal) => {
      if (c.proc !== proc) return;
      c.proc = undefined;
      if (this.stopping) return;
      this.onUnexpectedExit(c, code, signal);
    });
  }

  private pipe(name: string, proc: ChildProcess): void {
    if (this.opts.logDir) {
      const file = fs.createWriteStream(path.join(this.opts.logDir, `${name}.log`), { flags: 'a' });
      proc.stdout?.pipe(file, { end: false });
      proc.stderr?.pipe(file, { end: false });
      proc.on('close', () => file.end());
      return;
    }
    const prefix = `[${name}] `;
    if (proc.stdout) readline.createInterface({ input: proc.stdout }).on('line', (l) => process.stdout.write(prefix + l + '\n'));
    if (proc.stderr) readline.createInterface({ input: proc.stderr }).on('line', (l) => process.stderr.write(prefix + l + '\n'));
  }

  private onUnexpectedExit(c: Running, code: number | null, signal: NodeJS.Signals | null): void {
    const now = Date.now();
    const window = this.opts.restartWindowMs ?? 60_000;
    c.deaths = [...c.deaths.filter((t) => now - t < window), now];
    const why = signal ? `signal ${signal}` : `code ${code}`;
    const max = this.opts.maxRestarts ?? 5;
    if (c.deaths.length > max) {
      this.log(`${c.spec.name} exited (${why}) ${c.deaths.length} times within ${window / 1000} s; stopping the platform`);
      this.opts.onFatal?.(c.spec.name, why);
      return;
    }
    const delay = 1_000 * 2 ** (c.deaths.length - 1);
    this.log(`${c.spec.name} exited unexpectedly (${why}); restarting in ${delay / 1000} s`);
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (!this.stopping) this.spawnChild(c);
    }, delay);
  }

  /** SIGTERM to every child, SIGKILL to any still alive after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const grace = this.opts.killAfterMs ?? 5_000;
    await Promise.all(
      this.children.map(async (c) => {
        if (c.timer) clearTimeout(c.timer);
        const p = c.proc;
        if (!p || p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
        p.kill('SIGTERM');
        const killer = setTimeout(() => {
          this.log(`${c.spec.name} did not stop within ${grace / 1000} s; killing it`);
          p.kill('SIGKILL');
        }, grace);
        await exited;
        clearTimeout(killer);
      }),
    );
  }
}

/** `dist/main.js` of a workspace service package. @throws Error when it is not built */
export function serviceScript(pkg: '@weft/scheduler' | '@weft/executors' | '@weft/api'): string {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  const script = path.join(dir, 'dist', 'main.js');
  if (!fs.existsSync(script)) throw new Error(`${pkg} is not built (${script} is missing): run \`npm run build\``);
  return script;
}

/** The platform's processes: scheduler, `executors` executors, api. */
export function platformChildren(executors: number): ChildSpec[] {
  const specs: ChildSpec[] = [{ name: 'scheduler', script: serviceScript('@weft/scheduler') }];
  for (let i = 1; i <= executors; i++) specs.push({ name: `executor-${i}`, script: serviceScript('@weft/executors') });
  specs.push({ name: 'api', script: serviceScript('@weft/api') });
  return specs;
}

/** Creates the data directory and brings the database schema up to date, once. */
export async function migrate(cfg: Config): Promise<void> {
  fs.mkdirSync(cfg.dataDir, { recursive: true });
  const db = await openDatabase(cfg, { updateSchema: true });
  await db.close();
}

/**
 * Ensures the local owner account, the `default` workspace and an API key exist; the first
 * time (or when credentials.json is gone) prints the new password and key, once.
 */
export async function ensureLocalCredentials(cfg: Config, out: (s: string) => void = (s) => process.stdout.write(s)): Promise<void> {
  const { ensureLocalOwner } = await import('@weft/api');
  const r = await ensureLocalOwner(cfg);
  if (!r.created) return;
  out(
    `Created the local owner account (shown once; also in ${r.file}, mode 0600):\n` +
      `  email     ${r.credentials.email}\n  password  ${r.credentials.password}\n  API key   ${r.credentials.apiKey}\n` +
      `The weft CLI uses this key by itself; sign in to the web app with the email and password.\n\n`,
  );
}

/** Polls `/health` until the api answers with a reachable scheduler (or `timeoutMs` passes). */
export async function waitForHealth(url: string, timeoutMs: number, isFatal: () => boolean = () => false): Promise<'ok' | 'degraded' | 'timeout'> {
  const until = Date.now() + timeoutMs;
  let answered = false;
  while (Date.now() < until && !isFatal()) {
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
      const h = (await res.json()) as { status?: string; scheduler?: string };
      answered = true;
      if (h.scheduler === 'ok' && h.status !== 'down') return 'ok';
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return answered ? 'degraded' : 'timeout';
}

export interface Platform {
  url: string;
  launcher: Launcher;
  cfg: Config;
  /** Resolves when a child keeps dying (the launcher then has to stop everything). */
  fatal: Promise<string>;
}

/**
 * Starts the platform: migrate, spawn children, wait for health.
 * @throws Error when a service is not built, or the api never answers
 */
export async function startPlatform(opts: { executors: number; env?: NodeJS.ProcessEnv; logDir?: (cfg: Config) => string | undefined; healthTimeoutMs?: number }): Promise<Platform> {
  const baseEnv = opts.env ?? process.env;
  const cfg = loadConfig(baseEnv);
  await migrate(cfg);
  await ensureLocalCredentials(cfg);
  // The api proves itself to the scheduler's JobService with a per-run secret (other local
  // processes must use an API key).
  const env = { ...baseEnv, WEFT_DATA_DIR: cfg.dataDir, WEFT_INTERNAL_SECRET: baseEnv.WEFT_INTERNAL_SECRET || randomBytes(32).toString('base64url') };
  const children = platformChildren(opts.executors);
  let fatalReason: string | undefined;
  let onFatal: (r: string) => void = () => undefined;
  const fatal = new Promise<string>((resolve) => (onFatal = resolve));
  const logDir = opts.logDir?.(cfg);
  const launcher = new Launcher(children, {
    env,
    ...(logDir ? { logDir } : {}),
    onFatal: (name, why) => {
      fatalReason = `${name} keeps exiting (${why})`;
      onFatal(fatalReason);
    },
  });
  launcher.start();
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
  const url = `http://${host}:${cfg.port}`;
  const health = await waitForHealth(url, opts.healthTimeoutMs ?? 60_000, () => fatalReason !== undefined);
  if (fatalReason || health === 'timeout') {
    await launcher.stop();
    throw new Error(fatalReason ?? `The api did not answer ${url}/health within ${(opts.healthTimeoutMs ?? 60_000) / 1000} s`);
  }
  if (health === 'degraded') process.stderr.write(`[weft] warning: the api is up but cannot reach the scheduler yet\n`);
  return { url, launcher, cfg, fatal };
}
