/**
 * The Express application: security headers, rate limit, JSON bodies, every route through
 * the RouteRegistry (so each is documented), the web app, and the error envelope.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from './deps.js';
import { errorHandler, notFoundHandler } from './errors.js';
import { RouteRegistry, type RouteSpec } from './registry.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { registerWorkflowRoutes } from './routes/workflows.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerModelRoutes } from './routes/models.js';
import { registerSystemRoutes } from './routes/system.js';
import { mountWebApp } from './static.js';

/** Largest JSON request body, bytes. */
export const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  /** Requests per minute per client IP under /api. Default 3000. */
  rateLimitPerMinute?: number;
}

/** Builds the Express app over `deps`; `routes` lists every documented route. */
export function createApp(deps: ApiDeps, opts: AppOptions = {}): { app: Express; routes: RouteSpec[] } {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'connect-src': ["'self'", 'ws:', 'wss:'] },
      },
    }),
  );
  app.use(
    '/api',
    rateLimit({
      windowMs: 60_000,
      limit: opts.rateLimitPerMinute ?? 3_000,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, _res, next) => next(new WeftError('RATE_LIMITED', 'Too many requests: slow down and retry shortly')),
    }),
  );
  app.use(express.json({ limit: JSON_BODY_LIMIT_BYTES }));

  const registry = new RouteRegistry(app);
  registerSystemRoutes(registry, deps);
  registerDatasetRoutes(registry, deps);
  registerWorkflowRoutes(registry, deps);
  registerJobRoutes(registry, deps);
  registerModelRoutes(registry, deps);

  app.use('/api', notFoundHandler);
  mountWebApp(app, deps.webDir);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));
  return { app, routes: registry.routes };
}
