/**
 * OpenID Connect login against a real provider (oidc-provider) on loopback: start → provider
 * → callback creates the account and its workspace, returns tokens; a second login finds the
 * same account; a forged or replayed callback is refused.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApi, type TestApi } from './test-support.js';

/** Cookies per origin (enough for one test client). */
class Jar {
  private readonly jars = new Map<string, Map<string, string>>();
  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(c) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(url: string): string {
    return [...(this.jars.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows redirects by hand (carrying cookies) until `stop(url)`; returns that URL. */
async function follow(start: string, jar: Jar, stop: (u: string) => boolean, headers: Record<string, string> = {}): Promise<{ url: string; res?: Response }> {
  let url = start;
  for (let i = 0; i < 20; i++) {
    if (stop(url)) return { url };
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url), ...headers } });
    jar.store(url, res);
    const loc = res.headers.get('location');
    if (!loc) return { url, res };
    url = new URL(loc, url).href;
  }
  throw new Error('too many redirects');
}

describe('OIDC login (oidc-provider on loopback)', function () {
  this.timeout(60_000);
  let provider: http.Server;
  let issuer: string;
  let t: TestApi;
  const accounts: Record<string, { email: string; email_verified: boolean; name: string }> = {
    alice: { email: 'alice@oidc.example', email_verified: true, name: 'Alice' },
  };
  let nextLogin = 'alice';

  before(async () => {
    const { default: Provider } = (await import('oidc-provider')) as unknown as { default: any };
    provider = http.createServer();
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const port = (provider.address() as AddressInfo).port;
    issuer = `http://127.0.0.1:${port}`;
    t = await startTestApi({
      WEFT_OIDC_TESTIDP_ISSUER: issuer,
      WEFT_OIDC_TESTIDP_CLIENT_ID: 'weft-test',
      WEFT_OIDC_TESTIDP_CLIENT_SECRET: 'a-long-enough-client-secret-for-tests',
      WEFT_AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
    const apiPort = new URL(t.url).port;
    const oidc = new Provider(issuer, {
      clients: [
        {
          client_id: 'weft-test',
          client_secret: 'a-long-enough-client-secret-for-tests',
          redirect_uris: [`http://127.0.0.1:${apiPort}/api/auth/oidc/testidp/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) }),
      interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
      features: { devInteractions: { enabled: false } },
      pkce: { required: () => true },
    });
    const callback = oidc.callback();
    provider.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const m = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
      if (!m) return callback(req, res);
      // Log the configured account in and grant every requested scope (what a user would click).
      void (async () => {
        const details = await oidc.interactionDetails(req, res);
        const grant = new oidc.Grant({ accountId: nextLogin, clientId: details.params.client_id });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await oidc.interactionFinished(req, res, { login: { accountId: nextLogin }, consent: { grantId } }, { mergeWithLastSubmission: false });
      })().catch((e: unknown) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
  });
  after(async () => {
    await t?.close();
    provider?.closeAllConnections();
    await new Promise((r) => provider?.close(r));
  });

  async function login(returnTo = '/app/home', accept?: string) {
    const jar = new Jar();
    const isCallback = (u: string) => u.startsWith(t.url) && u.includes('/callback');
    const toCallback = await follow(`${t.url}/api/auth/oidc/testidp/start?returnTo=${encodeURIComponent(returnTo)}`, jar, isCallback);
    assert.ok(isCallback(toCallback.url), `ended at ${toCallback.url} ${toCallback.res?.status} ${await toCallback.res?.text()}`);
    const res = await fetch(toCallback.url, { redirect: 'manual', headers: { cookie: jar.header(toCallback.url), ...(accept ? { accept } : {}) } });
    return { res, callbackUrl: toCallback.url, jar };
  }

  it('signs a new user in: account + workspace created, tokens in the redirect fragment', async () => {
    const { res } = await login();
    assert.equal(res.status, 302, await res.text());
    const loc = new URL(res.headers.get('location')!, t.url);
    assert.equal(loc.pathname, '/app/home');
    const frag = new URLSearchParams(loc.hash.slice(1));
    const access = frag.get('accessToken')!;
    assert.ok(access && frag.get('refreshToken'));
    const me = (await (await fetch(`${t.url}/api/auth/me`, { headers: { authorization: `Bearer ${access}` } })).json()) as any;
    assert.equal(me.user.email, 'alice@oidc.example');
    assert.equal(me.workspaces.length, 1);
    assert.equal(me.workspaces[0].role, 'owner');
  });

  it('a second login finds the same account (JSON when asked), and a replayed callback is refused', async () => {
    const { res, callbackUrl, jar } = await login('/', 'application/json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as any;
    assert.equal(doc.user.email, 'alice@oidc.example');
    assert.equal(doc.workspaces.length, 1, 'no second workspace');
    const replay = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header(callbackUrl), accept: 'application/json' } });
    assert.equal(replay.status, 401);
    const forged = await fetch(`${t.url}/api/auth/oidc/testidp/callback?code=forged&state=x`, { headers: { accept: 'application/json' } });
    assert.equal(forged.status, 401);
  });

  it('keeps returnTo on this site and answers 404 for an unknown provider', async () => {
    const { res } = await login('//evil.example/steal');
    assert.equal(new URL(res.headers.get('location')!, t.url).origin, new URL(t.url).origin);
    assert.equal((await fetch(`${t.url}/api/auth/oidc/nope/start`, { redirect: 'manual' })).status, 404);
  });
});
