/** Entry point of the api process: `node packages/api/dist/main.js`. */
import { loadConfig } from '@weft/common';
import { startApi } from './server.js';

async function main(): Promise<void> {
  const cfg = loadConfig();
  const api = await startApi(cfg);
  process.stdout.write(`api listening on ${api.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    api.deps.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        api.deps.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
