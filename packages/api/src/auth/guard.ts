/**
 * The route guard every registered route gets (see RouteAccess): authenticates the bearer
 * credential, resolves the workspace (path parameter, X-Weft-Workspace or the default), checks
 * the role and applies the per-user rate limit.
 */
import type { Request, RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from '../deps.js';
import { accessOf, type GuardFactory, type RouteSpec } from '../registry.js';
import { WORKSPACE_HEADER, bearerOf, requireRole } from './principal.js';
import { ID_PATTERN } from '../schemas.js';

function rateLimited(): WeftError {
  return new WeftError('RATE_LIMITED', 'Too many requests: slow down and retry shortly');
}

/** The workspace a request asks for: a path parameter, else the header. */
function wantedWorkspace(req: Request, spec: RouteSpec): string | undefined {
  let v: string | undefined;
  if (spec.workspaceParam) {
    const p = req.params[spec.workspaceParam];
    v = typeof p === 'string' ? p : '';
  } else {
    const h = req.headers[WORKSPACE_HEADER];
    const raw = (Array.isArray(h) ? h[0] : h)?.trim();
    if (!raw) return undefined;
    v = raw;
  }
  if (!ID_PATTERN.test(v)) throw new WeftError('NOT_FOUND', 'No such workspace', { workspaceId: v.slice(0, 64) });
  return v;
}

/**
 * Builds the guard factory over the api's auth services. `opts.store` keeps the per-user
 * counts (the Redis store of `rateLimitStore(deps, 'user')` when REDIS_URL is set, so every
 * api replica shares them); unset keeps them in process memory.
 */
export function routeGuard(deps: ApiDeps, opts: { userPerMinute: number; store?: Store | undefined }): GuardFactory {
  const userLimiter = rateLimit({
    windowMs: 60_000,
    limit: opts.userPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => (req.identity?.apiKeyId ? `key:${req.identity.apiKeyId}` : `user:${req.identity?.userId ?? 'anon'}`),
    handler: (_req, _res, next) => next(rateLimited()),
    ...(opts.store ? { store: opts.store } : {}),
  });
  return (spec) => {
    const access = accessOf(spec);
    if (access === 'public') return [];
    const guard: RequestHandler = async (req, res, next) => {
      const identity = await deps.auth.authenticator.identify(bearerOf(req.headers.authorization));
      req.identity = identity;
      if (access !== 'authenticated') {
        const p = await deps.auth.authenticator.inWorkspace(identity, wantedWorkspace(req, spec));
        requireRole(p, access);
        req.principal = p;
      }
      userLimiter(req, res, next);
    };
    return [guard];
  };
}
