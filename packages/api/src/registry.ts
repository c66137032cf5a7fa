/**
 * Routes are declared once, with their zod request schemas, through `RouteRegistry`: it
 * mounts the handler on the Express app and records the declaration for the OpenAPI
 * document, so a route cannot exist without being documented.
 */
import type { Express, Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { WorkspaceRole } from '@weft/common';
import { validationError } from './errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Content type of the response; default application/json. */
  contentType?: string;
}

/**
 * Who may call a route: `public` (anyone), `authenticated` (any signed-in user or API key, no
 * workspace), or the least workspace role needed. Default: `viewer` for GET, `editor` otherwise,
 * so a new route is closed unless it says otherwise.
 */
export type RouteAccess = 'public' | 'authenticated' | WorkspaceRole;

export interface RouteSpec {
  method: HttpMethod;
  /** Express path, e.g. `/api/datasets/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  /** JSON body schema. */
  body?: z.ZodType;
  /** Multipart form fields (documented as multipart/form-data). */
  multipart?: z.ZodType;
  /** Also accepts a raw `text/csv` body. */
  acceptsCsv?: boolean;
  responses: Record<number, ResponseSpec>;
  /** See RouteAccess; default by method. */
  access?: RouteAccess;
  /** Path parameter naming the workspace the route acts in (instead of X-Weft-Workspace). */
  workspaceParam?: string;
}

/** The access a route effectively has. */
export function accessOf(spec: RouteSpec): RouteAccess {
  return spec.access ?? (spec.method === 'get' ? 'viewer' : 'editor');
}

/** Builds the middleware that authenticates and authorises a route's requests. */
export type GuardFactory = (spec: RouteSpec) => RequestHandler[];

/** Mounts routes and keeps their declarations for `openApiDocument`. */
export class RouteRegistry {
  readonly routes: RouteSpec[] = [];
  constructor(
    private readonly app: Express,
    private readonly guard: GuardFactory = () => [],
  ) {}

  /** Declares a route and mounts its guard (see RouteAccess) then `handlers`. */
  add(spec: RouteSpec, ...handlers: RequestHandler[]): void {
    this.routes.push(spec);
    this.app[spec.method](spec.path, ...this.guard(spec), ...handlers);
  }
}

/** Parses `req.body` with `schema`. @throws WeftError VALIDATION_FAILED naming each issue */
export function parseBody<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = schema.safeParse(req.body ?? {});
  if (!r.success) throw validationError('body', r.error);
  return r.data;
}

/** Parses `req.query` with `schema`. @throws WeftError VALIDATION_FAILED */
export function parseQuery<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = schema.safeParse(req.query ?? {});
  if (!r.success) throw validationError('query', r.error);
  return r.data;
}

/** Parses `req.params` with `schema`. @throws WeftError VALIDATION_FAILED */
export function parseParams<S extends z.ZodType>(schema: S, req: Request): z.output<S> {
  const r = schema.safeParse(req.params ?? {});
  if (!r.success) throw validationError('path', r.error);
  return r.data;
}
