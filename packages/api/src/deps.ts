/**
 * What the api's routes need from the outside world, gathered in one object so tests can
 * build an app over real adapters (or fakes) without starting a server.
 */
import type { Request } from 'express';
import type { Config, DatabaseHandle, FanOut, Logger, ObjectStore } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { SchedulerClient } from './scheduler-client.js';
import type { Authenticator, Principal } from './auth/principal.js';
import type { SigningKeys } from './auth/keys.js';
import type { TokenService } from './auth/tokens.js';
import type { DatasetCache } from './dataset-cache.js';

/** Identity services (built over the database at start-up). */
export interface AuthServices {
  keys: SigningKeys;
  tokens: TokenService;
  authenticator: Authenticator;
}

export interface ApiDeps {
  cfg: Config;
  db: DatabaseHandle;
  store: ObjectStore;
  scheduler: SchedulerClient;
  fanOut: FanOut;
  log: Logger;
  auth: AuthServices;
  /** Directory of the built web app (index.html + assets); undefined = not served. */
  webDir?: string;
  /** The URL the api listens on, set once it does (used when WEFT_PUBLIC_URL is unset). */
  listenUrl?: string;
  /**
   * Cache of GET /api/datasets/:id documents; undefined = chosen from `fanOut` (Redis when
   * REDIS_URL is set, else none). See dataset-cache.ts.
   */
  datasetCache?: DatasetCache;
}

/**
 * The principal of a request (set by the route guard).
 * @throws WeftError UNAUTHENTICATED when the route ran without one (fails closed)
 */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new WeftError('UNAUTHENTICATED', 'Sign in: send `Authorization: Bearer <access token or API key>`');
  return req.principal;
}

/** The workspace a request acts in: the authenticated principal's. */
export function workspaceOf(req: Request): string {
  return principalOf(req).workspaceId;
}
