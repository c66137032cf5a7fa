/**
 * Accounts, workspaces, memberships and API keys: the database side of identity. Routes and
 * the launcher call these; none of them checks permissions (callers do).
 */
import * as crypto from 'node:crypto';
import {
  ApiKeyEntity,
  MembershipEntity,
  UserEntity,
  UserIdentityEntity,
  WorkspaceEntity,
  generateApiKey,
  newAuthId,
  type ApiKeyRow,
  type DatabaseHandle,
  type Em,
  type UserRow,
  type WorkspaceRole,
  type WorkspaceRow,
} from '@weft/common';
import { WeftError } from '@weft/proto';
import { hashPassword, verifyPassword } from './passwords.js';

/** The public document of a user (never the password hash). */
export function userDoc(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, createdAt: new Date(u.createdAt).toISOString() };
}

/** The document of a workspace as one member sees it. */
export function workspaceDoc(w: WorkspaceRow, role: WorkspaceRole) {
  return { id: w.id, name: w.name, role, createdAt: new Date(w.createdAt).toISOString() };
}

/** The document of an API key (never its hash or secret). */
export function apiKeyDoc(k: ApiKeyRow) {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return { id: k.id, workspaceId: k.workspaceId, name: k.name, role: k.role, createdBy: k.createdBy, createdAt: iso(k.createdAt), lastUsedAt: iso(k.lastUsedAt), revokedAt: iso(k.revokedAt) };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  return e?.name === 'UniqueConstraintViolationException' || e?.code === '23505' || /UNIQUE constraint failed/i.test(e?.message ?? '');
}

/** Creates a workspace with `ownerId` as its owner (in the caller's unit of work). */
export function createWorkspace(em: Em, ownerId: string, name: string, id: string = newAuthId('ws')): WorkspaceRow {
  const now = new Date();
  const ws = em.create(WorkspaceEntity, { id, name: name.slice(0, 256), createdAt: now });
  em.create(MembershipEntity, { id: newAuthId('mem'), workspaceId: ws.id, userId: ownerId, role: 'owner', createdAt: now });
  return ws;
}

/**
 * Creates a user with a password and a personal workspace they own.
 * @throws WeftError CONFLICT when the email is taken
 */
export async function signUp(db: DatabaseHandle, input: { email: string; password: string; name?: string }): Promise<{ user: UserRow; workspace: WorkspaceRow }> {
  const email = normaliseEmail(input.email);
  const em = db.em();
  if (await em.findOne(UserEntity, { email })) throw new WeftError('CONFLICT', 'An account with this email already exists: sign in instead', { field: 'email' });
  const passwordHash = await hashPassword(input.password);
  const user = em.create(UserEntity, { id: newAuthId('usr'), email, name: (input.name ?? email.split('@')[0] ?? email).slice(0, 256), passwordHash, createdAt: new Date() });
  const workspace = createWorkspace(em, user.id, `${user.name}'s workspace`);
  try {
    await em.flush();
  } catch (err) {
    if (isUniqueViolation(err)) throw new WeftError('CONFLICT', 'An account with this email already exists: sign in instead', { field: 'email' });
    throw err;
  }
  return { user, workspace };
}

/** The user with this email and password, or undefined (same timing either way). */
export async function checkPassword(db: DatabaseHandle, email: string, password: string): Promise<UserRow | undefined> {
  const user = await db.em().findOne(UserEntity, { email: normaliseEmail(email) });
  const ok = await verifyPassword(user?.passwordHash, password);
  return ok && user ? user : undefined;
}

/** Workspaces of a user with their role, oldest membership first. */
export async function workspacesOf(db: DatabaseHandle, userId: string): Promise<Array<{ workspace: WorkspaceRow; role: WorkspaceRole }>> {
  const em = db.em();
  const ms = await em.find(MembershipEntity, { userId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  if (ms.length === 0) return [];
  const wss = await em.find(WorkspaceEntity, { id: { $in: ms.map((m) => m.workspaceId) } });
  const byId = new Map(wss.map((w) => [w.id, w]));
  return ms.flatMap((m) => (byId.has(m.workspaceId) ? [{ workspace: byId.get(m.workspaceId)!, role: m.role }] : []));
}

/**
 * The user behind an OIDC login: the linked identity, else an existing account with the same
 * verified email (linked now), else a new account with its own workspace.
 * @throws WeftError CONFLICT when the email belongs to an account and the provider did not verify it
 */
export async function userForOidc(db: DatabaseHandle, provider: string, claims: { sub: string; email?: string; email_verified?: boolean; name?: string }): Promise<UserRow> {
  const em = db.em();
  const identity = await em.findOne(UserIdentityEntity, { provider, subject: claims.sub });
  if (identity) {
    const u = await em.findOne(UserEntity, { id: identity.userId });
    if (u) return u;
  }
  const email = claims.email ? normaliseEmail(claims.email) : `${claims.sub}@${provider}.oidc.invalid`;
  let user = await em.findOne(UserEntity, { email });
  if (user && claims.email_verified !== true) {
    throw new WeftError('CONFLICT', `An account with ${email} exists; ${provider} did not verify this email, so it cannot be linked: sign in with your password`);
  }
  if (!user) {
    user = em.create(UserEntity, { id: newAuthId('usr'), email, name: (claims.name ?? email.split('@')[0] ?? 'user').slice(0, 256), passwordHash: null, createdAt: new Date() });
    createWorkspace(em, user.id, `${user.name}'s workspace`);
  }
  em.create(UserIdentityEntity, { id: newAuthId('uid'), userId: user.id, provider, subject: claims.sub.slice(0, 256), createdAt: new Date() });
  await em.flush();
  return user;
}

/** Creates an API key for a workspace; the plaintext `key` is returned once and never stored. */
export async function createApiKey(db: DatabaseHandle, input: { workspaceId: string; name: string; role: WorkspaceRole; createdBy: string | null }): Promise<{ row: ApiKeyRow; key: string }> {
  const { id, key, keyHash } = generateApiKey();
  const em = db.em();
  const row = em.create(ApiKeyEntity, { id, workspaceId: input.workspaceId, name: input.name, role: input.role, keyHash, createdBy: input.createdBy, createdAt: new Date(), lastUsedAt: null, revokedAt: null });
  await em.flush();
  return { row, key };
}

/** A random password for generated accounts: 24 base64url characters (144 bits). */
export function randomPassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
