/** `weft up`, `weft demo` and `weft migrate`: running the platform locally. */
import * as path from 'node:path';
import { loadConfig } from '@weft/common';
import { ApiClient } from '../api-client.js';
import { ensureLocalCredentials, migrate, startPlatform, type Platform } from '../launcher.js';
import { resolveApiKey } from '../credentials.js';
import { demoFiles } from '../paths.js';
import { EXIT, reportError } from './common.js';
import { runCommand } from './run.js';

/** Resolves on the first SIGINT/SIGTERM. */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Serves until Ctrl-C (exit 0) or until a child keeps dying (exit 1). */
async function serve(p: Platform): Promise<number> {
  const outcome = await Promise.race([untilSignal().then(() => 'signal' as const), p.fatal.then(() => 'fatal' as const)]);
  process.stderr.write(outcome === 'signal' ? '[weft] stopping…\n' : '[weft] a service keeps failing; stopping\n');
  await p.launcher.stop();
  return outcome === 'signal' ? EXIT.ok : 1;
}

/** `weft up`: migrate, spawn scheduler + executors + api, wait for health, serve until Ctrl-C. */
export async function upCommand(opts: { executors: number }): Promise<number> {
  let platform: Platform;
  try {
    platform = await startPlatform({ executors: opts.executors });
  } catch (err) {
    return reportError(err);
  }
  process.stdout.write(`Weft is up: ${platform.url}\n`);
  return serve(platform);
}

/** Environment for a platform that must serve at `server` (host and port taken from the URL). */
function envForServer(server: string): NodeJS.ProcessEnv {
  const u = new URL(server);
  return { ...process.env, WEFT_HOST: u.hostname.replace(/^\[|\]$/g, ''), WEFT_PORT: u.port || '80' };
}

/**
 * `weft demo`: starts the platform unless something answers at `server`, uploads the
 * breast-cancer dataset, runs its workflow with progress and metrics, then keeps serving.
 */
export async function demoCommand(opts: { server: string; executors: number }): Promise<number> {
  const client = new ApiClient(opts.server, resolveApiKey(undefined));
  let platform: Platform | undefined;
  if (!(await client.health())) {
    process.stdout.write(`Starting Weft (scheduler, ${opts.executors} executors, api)…\n`);
    try {
      platform = await startPlatform({
        executors: opts.executors,
        env: envForServer(opts.server),
        logDir: (cfg) => path.join(cfg.dataDir, 'logs'),
      });
    } catch (err) {
      return reportError(err);
    }
    process.stdout.write(`Weft is up: ${platform.url} (service logs in ${path.join(platform.cfg.dataDir, 'logs')})\n\n`);
  }
  let files: { data: string; workflow: string };
  try {
    files = demoFiles();
  } catch (err) {
    if (platform) await platform.launcher.stop();
    return reportError(err);
  }
  const apiKey = resolveApiKey(undefined);
  const code = await runCommand(files.workflow, { server: client.base, data: files.data, ...(apiKey ? { apiKey } : {}) });
  if (!platform) return code;
  process.stdout.write(`\nWeft is serving at ${platform.url}. Press Ctrl-C to stop.\n`);
  return serve(platform);
}

/** `weft migrate`: brings the database schema up to date and exits. */
export async function migrateCommand(): Promise<number> {
  try {
    const cfg = loadConfig();
    await migrate(cfg);
    process.stdout.write(`Database schema is up to date (${cfg.databaseUrl ? 'PostgreSQL' : `SQLite in ${cfg.dataDir}`})\n`);
    return EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}

/** `weft init`: migrates, then creates the local owner, workspace and API key if missing. */
export async function initCommand(): Promise<number> {
  try {
    const cfg = loadConfig();
    await migrate(cfg);
    await ensureLocalCredentials(cfg);
    process.stdout.write(`Local credentials are in ${path.join(cfg.dataDir, 'credentials.json')}\n`);
    return EXIT.ok;
  } catch (err) {
    return reportError(err);
  }
}
