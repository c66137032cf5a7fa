/**
 * Accounts and tenancy: users, their external identities (OIDC), workspaces, memberships with
 * a role, API keys, refresh tokens and the token signing keys. Secrets are never stored in the
 * clear: passwords as argon2id hashes, API keys and refresh tokens as SHA-256 of a 256-bit
 * random value. Also the API key format, shared by the api and the scheduler's JobService.
 */
import * as crypto from 'node:crypto';
import { EntitySchema } from '@mikro-orm/core';

/** Roles in a workspace, weakest first. viewer reads; editor also writes; owner also manages members and keys. */
export const WORKSPACE_ROLES = ['viewer', 'editor', 'owner'] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** True when `role` is at least `min`. */
export function roleAtLeast(role: WorkspaceRole, min: WorkspaceRole): boolean {
  return WORKSPACE_ROLES.indexOf(role) >= WORKSPACE_ROLES.indexOf(min);
}

export interface UserRow {
  id: string;
  /** Lower-cased, trimmed; unique. */
  email: string;
  name: string;
  /** argon2id PHC string; null for accounts that only sign in through OIDC. */
  passwordHash: string | null;
  createdAt: Date;
}

export const UserEntity = new EntitySchema<UserRow>({
  name: 'User',
  tableName: 'users',
  uniques: [{ properties: ['email'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    email: { type: 'string', length: 320 },
    name: { type: 'string', length: 256 },
    passwordHash: { type: 'string', length: 256, nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

/** A user's account at an OpenID Connect provider (`iss` + `sub`). */
export interface UserIdentityRow {
  id: string;
  userId: string;
  /** Provider name from the configuration (e.g. `google`). */
  provider: string;
  /** The provider's stable subject identifier (`sub`). */
  subject: string;
  createdAt: Date;
}

export const UserIdentityEntity = new EntitySchema<UserIdentityRow>({
  name: 'UserIdentity',
  tableName: 'user_identities',
  uniques: [{ properties: ['provider', 'subject'] }],
  indexes: [{ properties: ['userId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    userId: { type: 'string', length: 64 },
    provider: { type: 'string', length: 64 },
    subject: { type: 'string', length: 256 },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export interface WorkspaceRow {
  id: string;
  name: string;
  createdAt: Date;
}

export const WorkspaceEntity = new EntitySchema<WorkspaceRow>({
  name: 'Workspace',
  tableName: 'workspaces',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    name: { type: 'string', length: 256 },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export interface MembershipRow {
  id: string;
  workspaceId: string;
  userId: string;
  role: WorkspaceRole;
  createdAt: Date;
}

export const MembershipEntity = new EntitySchema<MembershipRow>({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['workspaceId', 'userId'] }],
  indexes: [{ properties: ['userId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    userId: { type: 'string', length: 64 },
    role: { type: 'string', length: 16 },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

export interface ApiKeyRow {
  /** Public part of the key (`ak_…`), also in the key itself. */
  id: string;
  workspaceId: string;
  name: string;
  /** Role the key acts with (never above its creator's). */
  role: WorkspaceRole;
  /** Hex SHA-256 of the whole key. */
  keyHash: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ApiKeyEntity = new EntitySchema<ApiKeyRow>({
  name: 'ApiKey',
  tableName: 'api_keys',
  indexes: [{ properties: ['workspaceId', 'createdAt'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    workspaceId: { type: 'string', length: 64 },
    name: { type: 'string', length: 256 },
    role: { type: 'string', length: 16 },
    keyHash: { type: 'string', length: 64 },
    createdBy: { type: 'string', length: 64, nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    lastUsedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
  },
});

/**
 * One refresh token. Tokens of one sign-in form a family; each refresh consumes its token
 * (`usedAt`) and issues the next. A consumed token presented again revokes the family.
 */
export interface RefreshTokenRow {
  /** The token's `jti`. */
  id: string;
  userId: string;
  familyId: string;
  /** Hex SHA-256 of the token string. */
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export const RefreshTokenEntity = new EntitySchema<RefreshTokenRow>({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  indexes: [{ properties: ['familyId'] }, { properties: ['userId'] }],
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    userId: { type: 'string', length: 64 },
    familyId: { type: 'string', length: 64 },
    tokenHash: { type: 'string', length: 64 },
    expiresAt: { type: 'datetime' },
    usedAt: { type: 'datetime', nullable: true },
    revokedAt: { type: 'datetime', nullable: true },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
  },
});

/**
 * An asymmetric key the api signs tokens with. The newest unretired key signs; retired keys
 * still verify until `retiredAt` + the refresh token lifetime.
 */
export interface SigningKeyRow {
  /** The JWT `kid`. */
  id: string;
  alg: string;
  /** Private JWK (JSON). */
  privateJwk: Record<string, unknown>;
  /** Public JWK (JSON), published at /.well-known/jwks.json. */
  publicJwk: Record<string, unknown>;
  createdAt: Date;
  retiredAt: Date | null;
}

export const SigningKeyEntity = new EntitySchema<SigningKeyRow>({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    id: { type: 'string', primary: true, length: 64 },
    alg: { type: 'string', length: 16 },
    privateJwk: { type: 'json' },
    publicJwk: { type: 'json' },
    createdAt: { type: 'datetime', onCreate: () => new Date() },
    retiredAt: { type: 'datetime', nullable: true },
  },
});

export const AUTH_ENTITIES = [UserEntity, UserIdentityEntity, WorkspaceEntity, MembershipEntity, ApiKeyEntity, RefreshTokenEntity, SigningKeyEntity];

// --- API keys -------------------------------------------------------------------------

/** Prefix of every API key; lets scanners spot leaked keys. */
export const API_KEY_PREFIX = 'weft_';
/** gRPC metadata carrying an API key on JobService calls (`Bearer <key>` or the bare key). */
export const AUTHORIZATION_METADATA = 'authorization';
/** gRPC metadata carrying WEFT_INTERNAL_SECRET on calls the api makes for an authenticated user. */
export const INTERNAL_SECRET_METADATA = 'x-weft-internal-secret';

/** A new API key: `weft_<id>_<secret>` with a 256-bit base64url secret; `id` is `ak_` + 24 hex. */
export function generateApiKey(): { id: string; key: string; keyHash: string } {
  const id = `ak_${crypto.randomBytes(12).toString('hex')}`;
  const key = `${API_KEY_PREFIX}${id}_${crypto.randomBytes(32).toString('base64url')}`;
  return { id, key, keyHash: sha256Hex(key) };
}

/** The key id of a well-formed API key, or undefined (not a key). */
export function apiKeyId(key: string): string | undefined {
  const m = /^weft_(ak_[0-9a-f]{24})_[A-Za-z0-9_-]{43}$/.exec(key);
  return m?.[1];
}

/** Hex SHA-256 of a string. */
export function sha256Hex(s: string): string {
  return crypto.createHash('sha256').update(s, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ba.length === bb.length && ba.length > 0 && crypto.timingSafeEqual(ba, bb);
}

/**
 * Resolves an API key to its live row (not revoked), or undefined. Looks the row up by the
 * key id and compares hashes in constant time.
 */
export async function findApiKey(em: { findOne: (...a: never[]) => Promise<unknown> }, key: string): Promise<ApiKeyRow | undefined> {
  const id = apiKeyId(key);
  if (!id) return undefined;
  const row = (await (em.findOne as unknown as (e: typeof ApiKeyEntity, w: object) => Promise<ApiKeyRow | null>)(ApiKeyEntity, { id })) ?? undefined;
  if (!row || row.revokedAt || !digestsEqual(row.keyHash, sha256Hex(key))) return undefined;
  return row;
}

/** A new id for an account row: `usr_`, `ws_`, `mem_` or `uid_` + 32 hex digits. */
export function newAuthId(prefix: 'usr' | 'ws' | 'mem' | 'uid'): string {
  return `${prefix}_${crypto.randomBytes(16).toString('hex')}`;
}
