/**
 * What the api's routes need from the outside world, gathered in one object so tests can
 * build an app over real adapters (or fakes) without starting a server.
 */
import type { Config, DatabaseHandle, FanOut, Logger, ObjectStore } from '@weft/common';
import type { SchedulerClient } from './scheduler-client.js';

export interface ApiDeps {
  cfg: Config;
  db: DatabaseHandle;
  store: ObjectStore;
  scheduler: SchedulerClient;
  fanOut: FanOut;
  log: Logger;
  /** Directory of the built web app (index.html + assets); undefined = not served. */
  webDir?: string;
}

/**
 * The workspace every request acts in. There is one ('default') until authentication
 * lands; every query already filters on it so tenancy only changes this function.
 */
export function workspaceOf(_req: unknown): string {
  return 'default';
}
