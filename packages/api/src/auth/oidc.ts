/**
 * OpenID Connect login through passport with openid-client's strategy. Providers come from
 * the configuration (WEFT_OIDC_<NAME>_ISSUER/_CLIENT_ID/_CLIENT_SECRET); each is discovered on
 * first use. The authorization request's PKCE verifier and nonce live in a short-lived
 * signed, httpOnly cookie (cookie-session) scoped to /api/auth/oidc, so any api replica can
 * finish the login. The ID token is verified by openid-client (issuer keys, audience, nonce).
 */
import type { NextFunction, Request, Response } from 'express';
import cookieSession from 'cookie-session';
import type { Passport } from 'passport';
import * as oidcClient from 'openid-client';
import { Strategy as OidcStrategy } from 'openid-client/passport';
import type { OidcProviderConfig, UserRow } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { ApiDeps } from '../deps.js';
import { userForOidc } from './accounts.js';

const COOKIE = 'weft_oidc';
const COOKIE_PATH = '/api/auth/oidc';
/** How long a started login may take, ms. */
const LOGIN_TTL_MS = 10 * 60_000;

/** A same-origin path to return to (never another site: no scheme, no `//host`, no backslashes). */
export function safeReturnTo(v: string | undefined): string {
  if (!v || !v.startsWith('/') || v.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(v)) return '/';
  return v;
}

function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
}

type Session = { returnTo?: string; startedAt?: number; [k: string]: unknown } | null | undefined;

/** Runs OIDC logins for the configured providers. */
export class OidcLogin {
  private readonly strategies = new Map<string, Promise<string>>();

  constructor(
    private readonly deps: ApiDeps,
    private readonly passport: InstanceType<typeof Passport>,
  ) {}

  private provider(name: string): OidcProviderConfig {
    const p = this.deps.cfg.oidcProviders[name];
    if (!p) throw new WeftError('NOT_FOUND', `No OpenID Connect provider "${name}" is configured`, { provider: name });
    return p;
  }

  private callbackUrl(name: string): string {
    const base = this.deps.cfg.publicUrl ?? this.deps.listenUrl ?? `http://${this.deps.cfg.host.includes(':') ? `[${this.deps.cfg.host}]` : this.deps.cfg.host}:${this.deps.cfg.port}`;
    return `${base.replace(/\/+$/, '')}/api/auth/oidc/${name}/callback`;
  }

  /** Registers the provider's passport strategy (discovery on first use; retried after a failure). */
  private strategy(name: string): Promise<string> {
    let s = this.strategies.get(name);
    if (!s) {
      const p = this.provider(name);
      s = (async () => {
        const issuer = new URL(p.issuer);
        const config = await oidcClient.discovery(issuer, p.clientId, p.clientSecret, undefined, {
          ...(isLoopbackHttp(issuer) ? { execute: [oidcClient.allowInsecureRequests] } : {}),
        });
        const strategyName = `oidc:${name}`;
        this.passport.use(
          strategyName,
          new OidcStrategy({ config, scope: p.scope, callbackURL: this.callbackUrl(name), name: strategyName, sessionKey: 'oidc' }, (tokens, verified) => {
            void (async () => {
              const idClaims = tokens.claims();
              if (!idClaims?.sub) throw new WeftError('UNAUTHENTICATED', 'The provider returned no ID token subject');
              let claims: Record<string, unknown> = { ...idClaims };
              if (!claims.email) {
                const info = await oidcClient.fetchUserInfo(config, tokens.access_token, idClaims.sub);
                claims = { ...info, ...claims };
              }
              return userForOidc(this.deps.db, name, {
                sub: String(idClaims.sub),
                ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
                ...(typeof claims.email_verified === 'boolean' ? { email_verified: claims.email_verified } : {}),
                ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
              });
            })().then(
              (user) => verified(null, user),
              (e: unknown) => verified(e),
            );
          }),
        );
        return strategyName;
      })();
      s.catch(() => this.strategies.delete(name));
      this.strategies.set(name, s);
    }
    return s.catch((e: unknown) => {
      if (e instanceof WeftError) throw e;
      throw new WeftError('UNAVAILABLE', `The OpenID Connect provider "${name}" cannot be reached: ${(e as Error).message}`);
    });
  }

  /** The signed cookie session middleware, keyed by secrets derived from the signing keys. */
  private session(req: Request, res: Response): Promise<void> {
    const mw = cookieSession({
      name: COOKIE,
      keys: this.deps.auth.keys.derivedSecrets('oidc-cookie'),
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: 'lax',
      secure: (this.deps.cfg.publicUrl ?? '').startsWith('https:'),
      maxAge: LOGIN_TTL_MS,
    });
    return new Promise((resolve, reject) => mw(req, res, (e?: unknown) => (e ? reject(e) : resolve())));
  }

  /** Redirects to the provider. */
  async start(name: string, returnTo: string, req: Request, res: Response, next: NextFunction): Promise<void> {
    const strategyName = await this.strategy(name);
    await this.session(req, res);
    const session = req.session as Session;
    if (session) {
      session.returnTo = returnTo;
      session.startedAt = Date.now();
    }
    this.passport.authenticate(strategyName, { session: false })(req, res, next);
  }

  /**
   * Finishes a login: verifies the code exchange and ID token, and finds or creates the user.
   * @throws WeftError UNAUTHENTICATED when the provider or the state refuses it
   */
  async callback(name: string, req: Request, res: Response, next: NextFunction): Promise<{ user: UserRow; returnTo: string }> {
    const strategyName = await this.strategy(name);
    await this.session(req, res);
    const session = req.session as Session;
    const returnTo = safeReturnTo(session?.returnTo);
    if (!session?.startedAt || Date.now() - session.startedAt > LOGIN_TTL_MS) {
      req.session = null;
      throw new WeftError('UNAUTHENTICATED', 'The login expired or was not started here: start it again');
    }
    const user = await new Promise<UserRow>((resolve, reject) => {
      this.passport.authenticate(strategyName, { session: false }, (e: unknown, u: UserRow | false, info: { message?: string } | undefined) => {
        if (e instanceof WeftError) reject(e);
        else if (e || !u) reject(new WeftError('UNAUTHENTICATED', `The ${name} login failed: ${(e as Error | undefined)?.message ?? info?.message ?? 'refused'}`));
        else resolve(u);
      })(req, res, next);
    });
    req.session = null;
    return { user, returnTo };
  }
}
