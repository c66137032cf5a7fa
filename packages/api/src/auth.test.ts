/**
 * Identity against a real api: sign-up, login, refresh rotation and reuse, logout, API keys,
 * roles, key rotation, and tokens crafted to break in (tampered, expired, alg none, wrong key,
 * wrong audience, wrong type).
 */
import * as assert from 'node:assert/strict';
import * as jose from 'jose';
import { startTestApi, type TestApi } from './test-support.js';

interface Res {
  status: number;
  body: any;
  headers: Headers;
}

async function req(t: TestApi, method: string, p: string, opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(t.url + p, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : undefined, headers: r.headers };
}

let seq = 0;
const email = () => `user${Date.now()}_${seq++}@example.test`;

export async function signup(t: TestApi, name = 'Ada'): Promise<any> {
  const r = await req(t, 'POST', '/api/auth/signup', { body: { email: email(), password: 'correct horse battery', name } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

describe('auth: identity and tokens', function () {
  this.timeout(60_000);
  let t: TestApi;
  before(async () => {
    t = await startTestApi({ WEFT_AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  after(async () => {
    await t.close();
  });

  it('refuses unauthenticated requests with 401 UNAUTHENTICATED and WWW-Authenticate', async () => {
    for (const p of ['/api/datasets', '/api/workflows', '/api/jobs', '/api/models', '/api/auth/me', '/api/workspaces']) {
      const r = await req(t, 'GET', p);
      assert.equal(r.status, 401, p);
      assert.equal(r.body.error.code, 'UNAUTHENTICATED', p);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    assert.equal((await req(t, 'GET', '/api/datasets', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status, 401);
  });

  it('signs up (201 user, workspace, tokens), logs in, and answers /me', async () => {
    const e = email();
    const s = await req(t, 'POST', '/api/auth/signup', { body: { email: e.toUpperCase(), password: 'correct horse battery', name: 'Grace' } });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal(s.body.user.email, e);
    assert.equal(s.body.workspace.role, 'owner');
    assert.ok(s.body.accessToken && s.body.refreshToken);
    assert.equal(s.body.user.passwordHash, undefined);
    const dup = await req(t, 'POST', '/api/auth/signup', { body: { email: e, password: 'another password' } });
    assert.equal(dup.status, 409);
    assert.equal((await req(t, 'POST', '/api/auth/signup', { body: { email: email(), password: 'short' } })).body.error.code, 'VALIDATION_FAILED');

    const bad = await req(t, 'POST', '/api/auth/login', { body: { email: e, password: 'wrong password!' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'UNAUTHENTICATED');
    const l = await req(t, 'POST', '/api/auth/login', { body: { email: e, password: 'correct horse battery' } });
    assert.equal(l.status, 200, JSON.stringify(l.body));
    assert.deepEqual(Object.keys(l.body).filter((k) => ['accessToken', 'refreshToken', 'user', 'workspaces'].includes(k)).sort(), ['accessToken', 'refreshToken', 'user', 'workspaces']);
    assert.equal(l.body.workspaces[0].id, s.body.workspace.id);
    const me = await req(t, 'GET', '/api/auth/me', { token: l.body.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, e);
    // The new account sees its own (empty) workspace, not the local owner's data.
    assert.deepEqual((await req(t, 'GET', '/api/datasets', { token: l.body.accessToken })).body, { datasets: [], nextCursor: null });
  });

  it('rotates refresh tokens; a refresh token used twice revokes the whole family (REFRESH_TOKEN_REUSED)', async () => {
    const s = await signup(t);
    const r1 = await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.notEqual(r1.body.refreshToken, s.refreshToken);
    assert.equal((await req(t, 'GET', '/api/auth/me', { token: r1.body.accessToken })).status, 200);
    const reuse = await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error.code, 'REFRESH_TOKEN_REUSED');
    const after = await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: r1.body.refreshToken } });
    assert.equal(after.status, 401, 'the rotated token of the same family is revoked too');
    assert.equal(after.body.error.code, 'UNAUTHENTICATED');
  });

  it('logout revokes the refresh token', async () => {
    const s = await signup(t);
    assert.equal((await req(t, 'POST', '/api/auth/logout', { body: { refreshToken: s.refreshToken }, token: s.accessToken })).status, 204);
    assert.equal((await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: s.refreshToken } })).status, 401);
  });

  describe('tokens crafted to break in are refused', () => {
    let s: any;
    let claims: jose.JWTPayload;
    let header: jose.ProtectedHeaderParameters;
    before(async () => {
      s = await signup(t);
      claims = jose.decodeJwt(s.accessToken);
      header = jose.decodeProtectedHeader(s.accessToken);
    });
    const refused = async (token: string, what: string) => {
      const r = await req(t, 'GET', '/api/auth/me', { token });
      assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'UNAUTHENTICATED');
    };
    const realKey = async () => t.api.deps.auth.keys.signingKey();

    it('a tampered payload (other sub, same signature)', async () => {
      const other = await signup(t);
      const [h, , sig] = s.accessToken.split('.');
      const p = Buffer.from(JSON.stringify({ ...claims, sub: jose.decodeJwt(other.accessToken).sub })).toString('base64url');
      await refused(`${h}.${p}.${sig}`, 'tampered');
      await refused(s.accessToken.slice(0, -4) + (s.accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA'), 'bad signature');
    });

    it('alg: none', async () => {
      const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: header.kid })).toString('base64url');
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      await refused(`${h}.${p}.`, 'alg none');
    });

    it('HS256 signed with the public key as secret', async () => {
      const jwk = t.api.deps.auth.keys.jwks().keys[0]!;
      const secret = new TextEncoder().encode(JSON.stringify(jwk));
      const tok = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: header.kid }).sign(secret);
      await refused(tok, 'HS256');
    });

    it('a key that is not ours (same kid)', async () => {
      const { privateKey } = await jose.generateKeyPair('ES256');
      const tok = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid }).sign(privateKey);
      await refused(tok, 'wrong key');
    });

    it('expired', async () => {
      const { kid, key } = await realKey();
      const now = Math.floor(Date.now() / 1000);
      const tok = await new jose.SignJWT({ ...claims, iat: now - 3600, exp: now - 60 }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(key);
      const r = await req(t, 'GET', '/api/auth/me', { token: tok });
      assert.equal(r.status, 401);
      assert.match(r.body.error.message, /expired/);
    });

    it('wrong audience, wrong issuer, wrong type (a refresh token as access token)', async () => {
      const { kid, key } = await realKey();
      const sign = (over: jose.JWTPayload, typ = 'at+jwt') => new jose.SignJWT({ ...claims, ...over }).setProtectedHeader({ alg: 'ES256', typ, kid }).sign(key);
      await refused(await sign({ aud: 'someone-else' }), 'audience');
      await refused(await sign({ iss: 'evil' }), 'issuer');
      await refused(await sign({}, 'JWT'), 'typ');
      await refused(s.refreshToken, 'refresh as access');
      const r = await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: s.accessToken } });
      assert.equal(r.status, 401, 'access token as refresh token');
    });
  });

  it('rotates the signing key (kid): old tokens still verify, the JWKS lists both, new tokens use the new kid', async () => {
    const s = await signup(t);
    const oldKid = jose.decodeProtectedHeader(s.accessToken).kid;
    await t.api.deps.auth.keys.rotate();
    const jwks = (await req(t, 'GET', '/.well-known/jwks.json')).body;
    assert.ok(jwks.keys.length >= 2);
    assert.ok(jwks.keys.every((k: any) => k.kty === 'EC' && k.d === undefined), 'no private parts published');
    assert.equal((await req(t, 'GET', '/api/auth/me', { token: s.accessToken })).status, 200, 'previous key verifies');
    const r = await req(t, 'POST', '/api/auth/refresh', { body: { refreshToken: s.refreshToken } });
    assert.equal(r.status, 200);
    assert.notEqual(jose.decodeProtectedHeader(r.body.accessToken).kid, oldKid);
    // Verify with the published JWKS, as a third party would.
    const set = jose.createLocalJWKSet(jwks);
    const v = await jose.jwtVerify(r.body.accessToken, set, { audience: 'weft-api', issuer: 'weft' });
    assert.equal(v.payload.sub, jose.decodeJwt(s.accessToken).sub);
  });

  describe('workspaces, roles and API keys', () => {
    let owner: any;
    let ws: string;
    before(async () => {
      owner = await signup(t, 'Owner');
      ws = owner.workspace.id;
    });

    it('creates a key (shown once), lists it without the secret, uses it, revokes it', async () => {
      const c = await req(t, 'POST', `/api/workspaces/${ws}/api-keys`, { token: owner.accessToken, body: { name: 'ci', role: 'editor' } });
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.match(c.body.key, /^weft_ak_[0-9a-f]{24}_/);
      const list = await req(t, 'GET', `/api/workspaces/${ws}/api-keys`, { token: owner.accessToken });
      assert.ok(!JSON.stringify(list.body).includes(c.body.key.split('_').pop()), 'no secret in the listing');
      assert.equal(list.body.apiKeys[0].id, c.body.apiKey.id);
      assert.equal((await req(t, 'GET', '/api/datasets', { token: c.body.key })).status, 200);
      const wf = await req(t, 'POST', '/api/workflows', { token: c.body.key, body: { graph: { nodes: [], edges: [] } } });
      assert.equal(wf.status, 201, 'an editor key writes');
      assert.equal((await req(t, 'GET', `/api/workspaces/${ws}/api-keys`, { token: c.body.key })).status, 403, 'an editor key cannot manage keys');
      assert.equal((await req(t, 'DELETE', `/api/workspaces/${ws}/api-keys/${c.body.apiKey.id}`, { token: owner.accessToken })).status, 204);
      assert.equal((await req(t, 'GET', '/api/datasets', { token: c.body.key })).status, 401, 'revoked at once');
      assert.equal((await req(t, 'GET', '/api/datasets', { token: c.body.key.slice(0, -1) + 'x' })).status, 401);
    });

    it('a viewer reads but cannot write; an editor cannot manage members or keys; a key never exceeds its creator', async () => {
      const viewer = await signup(t, 'Viewer');
      const editor = await signup(t, 'Editor');
      for (const [u, role] of [
        [viewer, 'viewer'],
        [editor, 'editor'],
      ] as const) {
        const r = await req(t, 'POST', `/api/workspaces/${ws}/members`, { token: owner.accessToken, body: { email: u.user.email, role } });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      const inWs = { 'x-weft-workspace': ws };
      assert.equal((await req(t, 'GET', '/api/workflows', { token: viewer.accessToken, headers: inWs })).status, 200);
      const w = await req(t, 'POST', '/api/workflows', { token: viewer.accessToken, headers: inWs, body: { graph: { nodes: [], edges: [] } } });
      assert.equal(w.status, 403);
      assert.equal(w.body.error.code, 'FORBIDDEN');
      assert.equal((await req(t, 'POST', '/api/workflows', { token: editor.accessToken, headers: inWs, body: { graph: { nodes: [], edges: [] } } })).status, 201);
      assert.equal((await req(t, 'POST', `/api/workspaces/${ws}/members`, { token: editor.accessToken, body: { email: viewer.user.email, role: 'owner' } })).status, 403);
      assert.equal((await req(t, 'POST', `/api/workspaces/${ws}/api-keys`, { token: editor.accessToken, body: { name: 'x' } })).status, 403);
      // Without the header each user acts in their own first workspace.
      assert.deepEqual((await req(t, 'GET', '/api/workflows', { token: viewer.accessToken })).body, { workflows: [] });
      const me = await req(t, 'GET', '/api/auth/me', { token: viewer.accessToken });
      assert.deepEqual(me.body.workspaces.map((x: any) => x.role).sort(), ['owner', 'viewer']);
      // The last owner cannot be removed or demoted.
      assert.equal((await req(t, 'DELETE', `/api/workspaces/${ws}/members/${owner.user.id}`, { token: owner.accessToken })).status, 409);
    });

    it('an unknown or foreign workspace in X-Weft-Workspace answers 404', async () => {
      const r = await req(t, 'GET', '/api/datasets', { token: owner.accessToken, headers: { 'x-weft-workspace': 'ws_nope' } });
      assert.equal(r.status, 404);
      assert.equal(r.body.error.code, 'NOT_FOUND');
      assert.equal((await req(t, 'GET', '/api/datasets', { token: owner.accessToken, headers: { 'x-weft-workspace': 'default' } })).status, 404);
    });
  });
});
