/** Workspace routes: the caller's workspaces, members and roles, API keys, usage and quotas. */
import { z } from 'zod';
import { ApiKeyEntity, MembershipEntity, UserEntity, WORKSPACE_ROLES, newAuthId, roleAtLeast } from '@weft/common';
import { WeftError } from '@weft/proto';
import { principalOf, type ApiDeps } from '../deps.js';
import { parseBody, parseParams, type RouteRegistry } from '../registry.js';
import { ErrorEnvelopeSchema, Id, SafeName } from '../schemas.js';
import { apiKeyDoc, createApiKey, createWorkspace, normaliseEmail, userDoc, workspaceDoc, workspacesOf } from '../auth/accounts.js';
import { usageDoc } from '../usage.js';

const err = (description: string) => ({ description, schema: ErrorEnvelopeSchema });
const Role = z.enum(WORKSPACE_ROLES);
const WsParams = z.object({ id: Id });
const KeyParams = WsParams.extend({ keyId: Id });
const MemberParams = WsParams.extend({ userId: Id });
export const CreateWorkspaceBody = z.object({ name: SafeName }).strict();
export const CreateApiKeyBody = z.object({ name: SafeName, role: Role.default('editor').describe('Role the key acts with; at most your own') }).strict();
export const AddMemberBody = z.object({ email: z.email().max(320), role: Role }).strict();

/** Mounts the workspace routes. */
export function registerWorkspaceRoutes(r: RouteRegistry, deps: ApiDeps): void {
  r.add(
    { method: 'get', path: '/api/workspaces', tag: 'workspaces', access: 'authenticated', summary: 'Workspaces the caller belongs to, with roles', responses: { 200: { description: '`{ workspaces }`' } } },
    async (req, res) => {
      const id = req.identity!;
      if (id.kind === 'apiKey') {
        const p = await deps.auth.authenticator.inWorkspace(id, undefined);
        res.json({ workspaces: [{ id: p.workspaceId, role: p.role }] });
        return;
      }
      res.json({ workspaces: (await workspacesOf(deps.db, id.userId!)).map((w) => workspaceDoc(w.workspace, w.role)) });
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/workspaces',
      tag: 'workspaces',
      access: 'authenticated',
      summary: 'Create a workspace owned by the caller (users only)',
      body: CreateWorkspaceBody,
      responses: { 201: { description: 'The workspace' }, 403: err('API keys cannot create workspaces') },
    },
    async (req, res) => {
      const body = parseBody(CreateWorkspaceBody, req);
      const id = req.identity!;
      if (id.kind !== 'user') throw new WeftError('FORBIDDEN', 'API keys cannot create workspaces');
      const em = deps.db.em();
      const ws = createWorkspace(em, id.userId!, body.name);
      await em.flush();
      res.status(201).json(workspaceDoc(ws, 'owner'));
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/workspaces/:id/members',
      tag: 'workspaces',
      access: 'viewer',
      workspaceParam: 'id',
      summary: 'Members of a workspace with their roles',
      params: WsParams,
      responses: { 200: { description: '`{ members }`' }, 404: err('No such workspace') },
    },
    async (req, res) => {
      const ws = principalOf(req).workspaceId;
      const em = deps.db.em();
      const ms = await em.find(MembershipEntity, { workspaceId: ws }, { orderBy: { createdAt: 'asc' } });
      const users = ms.length ? await em.find(UserEntity, { id: { $in: ms.map((m) => m.userId) } }) : [];
      const byId = new Map(users.map((u) => [u.id, u]));
      res.json({ members: ms.flatMap((m) => (byId.has(m.userId) ? [{ user: userDoc(byId.get(m.userId)!), role: m.role }] : [])) });
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/workspaces/:id/members',
      tag: 'workspaces',
      access: 'owner',
      workspaceParam: 'id',
      summary: 'Add an existing account to the workspace, or change its role (owners only)',
      params: WsParams,
      body: AddMemberBody,
      responses: { 200: { description: 'The membership' }, 403: err('Not an owner'), 404: err('No such workspace or account') },
    },
    async (req, res) => {
      const ws = principalOf(req).workspaceId;
      const body = parseBody(AddMemberBody, req);
      const em = deps.db.em();
      const user = await em.findOne(UserEntity, { email: normaliseEmail(body.email) });
      if (!user) throw new WeftError('NOT_FOUND', `No account has the email ${body.email}: they must sign up first`, { email: body.email });
      let m = await em.findOne(MembershipEntity, { workspaceId: ws, userId: user.id });
      if (m) {
        if (m.role === 'owner' && body.role !== 'owner') await assertNotLastOwner(deps, ws, user.id);
        m.role = body.role;
      } else m = em.create(MembershipEntity, { id: newAuthId('mem'), workspaceId: ws, userId: user.id, role: body.role, createdAt: new Date() });
      await em.flush();
      res.json({ user: userDoc(user), role: m.role });
    },
  );

  r.add(
    {
      method: 'delete',
      path: '/api/workspaces/:id/members/:userId',
      tag: 'workspaces',
      access: 'owner',
      workspaceParam: 'id',
      summary: 'Remove a member (the last owner cannot be removed)',
      params: MemberParams,
      responses: { 204: { description: 'Removed' }, 404: err('No such member'), 409: err('Last owner') },
    },
    async (req, res) => {
      const ws = principalOf(req).workspaceId;
      const { userId } = parseParams(MemberParams, req);
      const em = deps.db.em();
      const m = await em.findOne(MembershipEntity, { workspaceId: ws, userId });
      if (!m) throw new WeftError('NOT_FOUND', `User "${userId}" is not a member`, { userId });
      if (m.role === 'owner') await assertNotLastOwner(deps, ws, userId);
      await em.nativeDelete(MembershipEntity, { id: m.id });
      res.status(204).end();
    },
  );

  r.add(
    {
      method: 'post',
      path: '/api/workspaces/:id/api-keys',
      tag: 'workspaces',
      access: 'owner',
      workspaceParam: 'id',
      summary: 'Create an API key for the workspace; the key is in the answer once and never again',
      params: WsParams,
      body: CreateApiKeyBody,
      responses: { 201: { description: '`{ apiKey, key }`' }, 403: err('Not an owner'), 404: err('No such workspace') },
    },
    async (req, res) => {
      const p = principalOf(req);
      const body = parseBody(CreateApiKeyBody, req);
      if (!roleAtLeast(p.role, body.role)) throw new WeftError('FORBIDDEN', `A key cannot have more rights (${body.role}) than its creator (${p.role})`);
      const { row, key } = await createApiKey(deps.db, { workspaceId: p.workspaceId, name: body.name, role: body.role, createdBy: p.userId });
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).json({ apiKey: apiKeyDoc(row), key });
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/workspaces/:id/api-keys',
      tag: 'workspaces',
      access: 'owner',
      workspaceParam: 'id',
      summary: 'API keys of the workspace (never their secrets)',
      params: WsParams,
      responses: { 200: { description: '`{ apiKeys }`' }, 404: err('No such workspace') },
    },
    async (req, res) => {
      const rows = await deps.db.em().find(ApiKeyEntity, { workspaceId: principalOf(req).workspaceId }, { orderBy: { createdAt: 'desc' } });
      res.json({ apiKeys: rows.map(apiKeyDoc) });
    },
  );

  r.add(
    {
      method: 'delete',
      path: '/api/workspaces/:id/api-keys/:keyId',
      tag: 'workspaces',
      access: 'owner',
      workspaceParam: 'id',
      summary: 'Revoke an API key (at once, on REST, Socket.IO and gRPC)',
      params: KeyParams,
      responses: { 204: { description: 'Revoked' }, 404: err('No such key') },
    },
    async (req, res) => {
      const { keyId } = parseParams(KeyParams, req);
      const ws = principalOf(req).workspaceId;
      const n = await deps.db.em().nativeUpdate(ApiKeyEntity, { id: keyId, workspaceId: ws }, { revokedAt: new Date() });
      if (n === 0) throw new WeftError('NOT_FOUND', `API key "${keyId}" does not exist`, { keyId });
      res.status(204).end();
    },
  );

  r.add(
    {
      method: 'get',
      path: '/api/workspaces/:id/usage',
      tag: 'workspaces',
      access: 'viewer',
      workspaceParam: 'id',
      summary: 'Metered usage (dataset storage bytes, executor CPU-seconds) against the quotas',
      params: WsParams,
      responses: { 200: { description: '`{ storageBytes, cpuSeconds, datasets, jobs, quotas }`' }, 404: err('No such workspace') },
    },
    async (req, res) => {
      res.json(await usageDoc(deps, principalOf(req).workspaceId));
    },
  );
}

async function assertNotLastOwner(deps: ApiDeps, workspaceId: string, userId: string): Promise<void> {
  const owners = await deps.db.em().count(MembershipEntity, { workspaceId, role: 'owner', userId: { $ne: userId } });
  if (owners === 0) throw new WeftError('CONFLICT', 'A workspace needs at least one owner: make someone else owner first');
}
