/**
 * Who is calling and in which workspace. A request carries `Authorization: Bearer <token>`
 * where the token is an access token (a user) or an API key (a workspace, with the key's
 * role). A user picks the workspace with `X-Weft-Workspace: <id>` (default: their first);
 * an API key is bound to its own. A workspace the caller is not a member of answers
 * NOT_FOUND, exactly like one that does not exist.
 */
import { ApiKeyEntity, MembershipEntity, UserEntity, findApiKey, roleAtLeast, type DatabaseHandle, type WorkspaceRole } from '@weft/common';
import { WeftError } from '@weft/proto';
import type { TokenService } from './tokens.js';

/** Header choosing the workspace of a request. */
export const WORKSPACE_HEADER = 'x-weft-workspace';
/** lastUsedAt of an API key is written at most this often, ms. */
const KEY_TOUCH_INTERVAL_MS = 60_000;

/** The authenticated caller. */
export interface Identity {
  kind: 'user' | 'apiKey';
  /** The user (for an API key: its creator, if known). */
  userId: string | null;
  /** The API key id, for an API key. */
  apiKeyId?: string;
  /** For an API key: its workspace and role. */
  keyWorkspaceId?: string;
  keyRole?: WorkspaceRole;
  /** When the credential stops being valid, ms since the epoch (API keys: never → Infinity). */
  expiresAtMs: number;
}

/** The caller acting in a workspace with a role. */
export interface Principal extends Identity {
  workspaceId: string;
  role: WorkspaceRole;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Set by the route guard for every non-public route. */
      identity?: Identity;
      principal?: Principal;
    }
  }
}

const unauthenticated = (message = 'Sign in: send `Authorization: Bearer <access token or API key>`') => new WeftError('UNAUTHENTICATED', message);

/** The bearer credential of an Authorization header value, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return m?.[1];
}

/** Resolves credentials to identities and principals. */
export class Authenticator {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly tokens: TokenService,
  ) {}

  /** @throws WeftError UNAUTHENTICATED */
  async identify(credential: string | undefined): Promise<Identity> {
    if (!credential) throw unauthenticated();
    if (credential.startsWith('weft_')) {
      const key = await findApiKey(this.db.em() as never, credential);
      if (!key) throw unauthenticated('The API key is not valid (revoked or mistyped)');
      if (!key.lastUsedAt || Date.now() - new Date(key.lastUsedAt).getTime() > KEY_TOUCH_INTERVAL_MS) {
        void this.db.em().nativeUpdate(ApiKeyEntity, { id: key.id }, { lastUsedAt: new Date() }).catch(() => undefined);
      }
      return { kind: 'apiKey', userId: key.createdBy, apiKeyId: key.id, keyWorkspaceId: key.workspaceId, keyRole: key.role, expiresAtMs: Infinity };
    }
    const claims = await this.tokens.verifyAccess(credential);
    const user = await this.db.em().findOne(UserEntity, { id: claims.userId }, { fields: ['id'] });
    if (!user) throw unauthenticated('The account of this token no longer exists');
    return { kind: 'user', userId: user.id, expiresAtMs: claims.expiresAtMs };
  }

  /**
   * The identity acting in `wanted` (or its default workspace).
   * @throws WeftError NOT_FOUND for a workspace it is not a member of; FORBIDDEN when it has none
   */
  async inWorkspace(identity: Identity, wanted: string | undefined): Promise<Principal> {
    if (identity.kind === 'apiKey') {
      if (wanted && wanted !== identity.keyWorkspaceId) throw new WeftError('NOT_FOUND', `Workspace "${wanted}" does not exist`, { workspaceId: wanted });
      return { ...identity, workspaceId: identity.keyWorkspaceId!, role: identity.keyRole! };
    }
    const em = this.db.em();
    const m = wanted
      ? await em.findOne(MembershipEntity, { userId: identity.userId!, workspaceId: wanted })
      : (await em.find(MembershipEntity, { userId: identity.userId! }, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1 }))[0];
    if (!m) {
      if (wanted) throw new WeftError('NOT_FOUND', `Workspace "${wanted}" does not exist`, { workspaceId: wanted });
      throw new WeftError('FORBIDDEN', 'This account belongs to no workspace: ask an owner to add you');
    }
    return { ...identity, workspaceId: m.workspaceId, role: m.role };
  }
}

/** @throws WeftError FORBIDDEN when the principal's role is below `min` */
export function requireRole(p: Principal, min: WorkspaceRole): void {
  if (!roleAtLeast(p.role, min)) {
    throw new WeftError('FORBIDDEN', `This needs the ${min} role in workspace "${p.workspaceId}" (you are ${p.role})`, { role: p.role, required: min });
  }
}
