/**
 * The Express application: security headers, rate limit, JSON bodies, every route through
 * the RouteRegistry (so each is documented), the web app, and the error envelope.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import { rateLimit, type Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { RedisFanOut } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { RouteRegistry, type RouteSpec } from './registry.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { registerWorkflowRoutes } from './routes/workflows.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerModelRoutes } from './routes/models.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerWorkspaceRoutes } from './routes/workspaces.js';
import { routeGuard } from './auth/guard.js';
import { mountSwaggerAssets, mountWebApp } from './static.js';

/** Largest JSON request body, bytes. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  /** Requests per minute per client IP under /api. Default WEFT_RATE_LIMIT_IP_PER_MINUTE. */
  rateLimitPerMinute?: number;
}

/**
 * rate-limit-redis, made to recover by itself: its Lua script SHAs are loaded once at init,
 * so a load that failed while Redis was away would fail every later request; here a failed
 * command reloads them (quietly), and the request gets 503 REDIS_UNAVAILABLE meanwhile.
 */
class RecoveringRedisStore extends RedisStore {
  private reload(): void {
    const inc = this.loadIncrementScript();
    const get = this.loadGetScript();
    inc.catch(() => undefined);
    get.catch(() => undefined);
    this.incrementScriptSha = inc;
    this.getScriptSha = get;
  }
  override async init(options: Parameters<RedisStore['init']>[0]): Promise<void> {
    await super.init(options).catch(() => this.reload());
  }
  override async increment(key: string): ReturnType<RedisStore['increment']> {
    try {
      return await super.increment(key);
    } catch (err) {
      this.reload();
      throw err;
    }
  }
}

/**
 * The rate-limit store: shared by every api replica in Redis when REDIS_URL is set (over the
 * fan-out's command connection), else in process memory.
 */
export function rateLimitStore(deps: ApiDeps, name: string): Store | undefined {
  if (!(deps.fanOut instanceof RedisFanOut)) return undefined;
  const redis = deps.fanOut.pub;
  return new RecoveringRedisStore({
    prefix: `${deps.fanOut.prefix}rl:${name}:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
  });
}

/** Paths where credentials are tried: limited per IP by WEFT_AUTH_RATE_LIMIT_PER_MINUTE. */
const CREDENTIAL_PATHS = ['/api/auth/signup', '/api/auth/login', '/api/auth/refresh', '/api/auth/oidc'];

const optStore = (store: Store | undefined): { store?: Store } => (store ? { store } : {});

/** Builds the Express app over `deps`; `routes` lists every documented route. */
export function createApp(deps: ApiDeps, opts: AppOptions = {}): { app: Express; routes: RouteSpec[] } {
  const app = express();
  app.disable('x-powered-by');
  // Read by receiveCsv (upload.ts): a stalled or trickling upload body fails with 408 UPLOAD_TIMEOUT.
  app.locals.uploadIdleTimeoutMs = deps.cfg.uploadIdleTimeoutMs;
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'connect-src': ["'self'", 'ws:', 'wss:'] },
      },
    }),
  );
  if (deps.cfg.corsOrigins.length > 0) {
    const corsMw = cors({
      origin: deps.cfg.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Weft-Workspace'],
      exposedHeaders: ['RateLimit', 'RateLimit-Policy', 'Retry-After'],
      maxAge: 600,
    });
    app.use(['/api', '/.well-known'], corsMw);
  }
  const limited = () => (_req: express.Request, _res: express.Response, next: express.NextFunction) =>
    next(new WeftError('RATE_LIMITED', 'Too many requests: slow down and retry shortly'));
  app.use(
    CREDENTIAL_PATHS,
    rateLimit({
      windowMs: 60_000,
      limit: deps.cfg.authRateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: limited(),
      ...optStore(rateLimitStore(deps, 'auth')),
    }),
  );
  app.use(
    '/api',
    rateLimit({
      windowMs: 60_000,
      limit: opts.rateLimitPerMinute ?? deps.cfg.rateLimitIpPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new WeftError('RATE_LIMITED', 'Too many requests: slow down and retry shortly')),
      ...optStore(rateLimitStore(deps, 'ip')),
    }),
  );
  app.use(express.json({ limit: JSON_BODY_LIMIT_BYTES }));

  const registry = new RouteRegistry(app, routeGuard(deps, { userPerMinute: deps.cfg.rateLimitUserPerMinute, store: rateLimitStore(deps, 'user') }));
  registerSystemRoutes(registry, deps);
  registerAuthRoutes(registry, deps);
  registerWorkspaceRoutes(registry, deps);
  registerDatasetRoutes(registry, deps);
  registerWorkflowRoutes(registry, deps);
  registerJobRoutes(registry, deps);
  registerModelRoutes(registry, deps);

  mountSwaggerAssets(app);
  app.use(['/api', '/.well-known'], notFoundHandler);
  mountWebApp(app, deps.webDir);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return { app, routes: registry.routes };
}
