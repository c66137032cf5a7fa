/**
 * Executor process entry: `node packages/executors/dist/main.js`. Runs tasks with the
 * pipeline in worker threads. TEST-ONLY: `WEFT_TEST_RUNNER=sleep` swaps in the sleep runner
 * (see test-runner.ts). SIGTERM/SIGINT: stop taking tasks, abort running ones, exit 0.
 */
import * as path from 'node:path';
import { createLogger, loadConfig } from '@weft/common';
import { startExecutor } from './runtime.js';
import type { WorkerRunnerRef } from './types.js';

function runnerRef(): WorkerRunnerRef {
  const test = process.env.WEFT_TEST_RUNNER;
  if (test === 'sleep') return { modulePath: path.join(__dirname, 'test-runner.js'), exportName: 'runTask' };
  if (test) throw new Error(`WEFT_TEST_RUNNER: unknown test runner "${test}" (only "sleep")`);
  return { modulePath: path.join(__dirname, 'pipeline', 'index.js'), exportName: 'runTask' };
}

function main(): void {
  const cfg = loadConfig();
  const log = createLogger('executor', cfg.logLevel);
  const ex = startExecutor({ config: cfg, runTask: runnerRef(), log });
  process.stdout.write(`executor ${ex.executorId} started (scheduler ${cfg.schedulerUrl}, slots ${cfg.executorSlots})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(0), 2_500);
    force.unref();
    ex.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

try {
  main();
} catch (err) {
  process.stderr.write(`executor failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
