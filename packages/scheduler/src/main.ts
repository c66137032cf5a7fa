/**
 * Scheduler process entry: `node packages/scheduler/dist/main.js`. Reads the configuration
 * from the environment, prints `scheduler listening on HOST:PORT` once bound, and shuts
 * down cleanly (exit 0) on SIGTERM/SIGINT.
 */
import { createLogger, loadConfig } from '@weft/common';
import { startScheduler } from './server.js';

async function main(): Promise<void> {
  const cfg = loadConfig();
  const log = createLogger('scheduler', cfg.logLevel);
  const handle = await startScheduler(cfg, { log });
  process.stdout.write(`scheduler listening on ${handle.host}:${handle.port}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    handle.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`scheduler failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
