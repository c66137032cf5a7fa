/**
 * Identity routes: sign-up, login (passport-local), refresh (rotation with reuse detection),
 * logout, me, the JWKS, and OpenID Connect login through passport (openid-client strategy).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { z } from 'zod';
import { UserEntity, type UserRow } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from '../deps.js';
import { parseBody, parseParams, parseQuery, type RouteRegistry } from '../registry.js';
import { ErrorEnvelopeSchema, SafeName } from '../schemas.js';
import { checkPassword, signUp, userDoc, workspaceDoc, workspacesOf } from '../auth/accounts.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../auth/passwords.js';
import { bearerOf } from '../auth/principal.js';
import { OidcLogin, safeReturnTo } from '../auth/oidc.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });

const Email = z.email().max(320);
const Password = z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH);

export const SignupBody = z.object({ email: Email, password: Password, name: SafeName.optional() }).strict();
export const LoginBody = z.object({ email: z.string().max(320), password: z.string().max(PASSWORD_MAX_LENGTH) }).strict();
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(4096) }).strict();
export const LogoutBody = z.object({ refreshToken: z.string().min(1).max(4096).optional(), all: z.boolean().optional() }).strict();
const ProviderParams = z.object({ provider: z.string().regex(/^[a-z0-9]{1,32}$/) });
const StartQuery = z.object({ returnTo: z.string().max(2048).optional().describe('Same-origin path to return to after login (default /)') });

const UserDoc = z.object({ id: z.string(), email: z.string(), name: z.string(), createdAt: z.string() });
const WorkspaceDoc = z.object({ id: z.string(), name: z.string(), role: z.enum(['viewer', 'editor', 'owner']), createdAt: z.string() });
const TokenPairDoc = z.object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number() });
export const AuthResponse = TokenPairDoc.extend({ user: UserDoc, workspaces: z.array(WorkspaceDoc) });

async function sessionDoc(deps: ApiDeps, user: UserRow) {
  const pair = await deps.auth.tokens.issuePair(user.id);
  const wss = await workspacesOf(deps.db, user.id);
  return { ...pair, user: userDoc(user), workspaces: wss.map((w) => workspaceDoc(w.workspace, w.role)) };
}

/** Mounts the identity routes. */
export function registerAuthRoutes(r: RouteRegistry, deps: ApiDeps): void {
  const passport = new Passport();
  passport.use(
    'local',
    new LocalStrategy({ usernameField: 'email', passwordField: 'password', session: false }, (email, password, done) => {
      checkPassword(deps.db, email, password).then(
        (user) => done(null, user ?? false),
        (e: unknown) => done(e),
      );
    }),
  );
  const oidc = new OidcLogin(deps, passport);

  r.add(
    {
      method: 'post',
      path: '/api/auth/signup',
      tag: 'auth',
      access: 'public',
      summary: 'Create an account (email + password) with its own workspace; returns tokens',
      body: SignupBody,
      responses: {
        201: { description: '`{ user, workspace, accessToken, refreshToken }`' },
        400: err('Invalid email or a password shorter than 8 characters'),
        403: err('Sign-up is closed (WEFT_SIGNUP=closed)'),
        409: err('The email is taken'),
      },
    },
    async (req, res) => {
      if (deps.cfg.signup === 'closed') throw new WeftError('FORBIDDEN', 'Sign-up is closed on this server: ask an owner to invite you');
      const body = parseBody(SignupBody, req);
      const { user, workspace } = await signUp(deps.db, body);
      const doc = await sessionDoc(deps, user);
      res.status(201).json({ ...doc, workspace: workspaceDoc(workspace, 'owner') });
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/auth/login',
      tag: 'auth',
      access: 'public',
      summary: 'Sign in with email and password (passport-local); returns an access token (15 min) and a refresh token',
      body: LoginBody,
      responses: { 200: { description: 'Tokens, user and workspaces', schema: AuthResponse }, 401: err('Wrong email or password') },
    },
    async (req, res, next) => {
      parseBody(LoginBody, req);
      const user = await new Promise<UserRow | false>((resolve, reject) => {
        passport.authenticate('local', { session: false }, (e: unknown, u: UserRow | false) => (e ? reject(e) : resolve(u)))(req, res, next);
      });
      if (!user) throw new WeftError('UNAUTHENTICATED', 'The email or password is wrong');
      res.json(await sessionDoc(deps, user));
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/auth/refresh',
      tag: 'auth',
      access: 'public',
      summary: 'Exchange a refresh token for a new pair; the old one is consumed (presenting it again revokes the sign-in)',
      body: RefreshBody,
      responses: { 200: { description: 'A new token pair', schema: TokenPairDoc }, 401: err('UNAUTHENTICATED, or REFRESH_TOKEN_REUSED') },
    },
    async (req, res) => {
      const { refreshToken } = parseBody(RefreshBody, req);
      const { pair } = await deps.auth.tokens.refresh(refreshToken);
      res.json(pair);
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/auth/logout',
      tag: 'auth',
      access: 'public',
      summary: 'Revoke the sign-in of a refresh token; with `all: true` and an access token, every sign-in of the user',
      body: LogoutBody,
      responses: { 204: { description: 'Done (also when the token was already invalid)' } },
    },
    async (req, res) => {
      const body = parseBody(LogoutBody, req);
      let userId: string | undefined;
      const bearer = bearerOf(req.headers.authorization);
      if (bearer && !bearer.startsWith('weft_')) userId = (await deps.auth.tokens.verifyAccess(bearer).catch(() => undefined))?.userId;
      if (body.refreshToken) await deps.auth.tokens.revokeByToken(body.refreshToken, userId);
      if (body.all && userId) await deps.auth.tokens.revokeUser(userId);
      res.status(204).end();
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/auth/me',
      tag: 'auth',
      access: 'authenticated',
      summary: 'The caller: user (null for an API key), API key, and workspaces with roles',
      responses: { 200: { description: '`{ user, apiKey, workspaces }`' }, 401: err('Not signed in') },
    },
    async (req, res) => {
      const id = req.identity!;
      const user = id.userId ? await deps.db.em().findOne(UserEntity, { id: id.userId }) : null;
      if (id.kind === 'apiKey') {
        const ws = await deps.auth.authenticator.inWorkspace(id, undefined);
        res.json({ user: null, apiKey: { id: id.apiKeyId, workspaceId: ws.workspaceId, role: ws.role }, workspaces: [{ id: ws.workspaceId, role: ws.role }] });
        return;
      }
      const wss = await workspacesOf(deps.db, id.userId!);
      res.json({ user: user ? userDoc(user) : null, apiKey: null, workspaces: wss.map((w) => workspaceDoc(w.workspace, w.role)) });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      tag: 'auth',
      access: 'public',
      summary: 'Public keys (JWKS) that verify Weft access and refresh tokens, current and previous',
      responses: { 200: { description: '`{ keys }`' } },
    },
    (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=300');
      res.json(deps.auth.keys.jwks());
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/auth/oidc/:provider/start',
      tag: 'auth',
      access: 'public',
      summary: 'Start an OpenID Connect login (redirects to the provider; PKCE, state in a signed cookie)',
      params: ProviderParams,
      query: StartQuery,
      responses: { 302: { description: 'Redirect to the provider' }, 404: err('Unknown provider') },
    },
    async (req: Request, res: Response, next: NextFunction) => {
      const { provider } = parseParams(ProviderParams, req);
      const q = parseQuery(StartQuery, req);
      await oidc.start(provider, safeReturnTo(q.returnTo), req, res, next);
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/auth/oidc/:provider/callback',
      tag: 'auth',
      access: 'public',
      summary: 'Provider redirect target: signs the user in and redirects to returnTo with `#accessToken=…&refreshToken=…` (JSON when Accept prefers it)',
      params: ProviderParams,
      responses: { 200: { description: 'Tokens (Accept: application/json)', schema: AuthResponse }, 302: { description: 'Redirect to the app' }, 401: err('Login refused') },
    },
    (async (req: Request, res: Response, next: NextFunction) => {
      const { provider } = parseParams(ProviderParams, req);
      const { user, returnTo } = await oidc.callback(provider, req, res, next);
      const doc = await sessionDoc(deps, user);
      if (req.accepts(['html', 'json']) === 'json') {
        res.json(doc);
        return;
      }
      const frag = new URLSearchParams({ accessToken: doc.accessToken, refreshToken: doc.refreshToken, expiresIn: String(doc.expiresIn) });
      res.redirect(302, `${returnTo}#${frag.toString()}`);
    }) as RequestHandler,
  );
}
