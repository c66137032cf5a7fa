/**
 * Embedded mode's first run: a local owner account, the `default` workspace and an API key,
 * so `npm run demo` stays one command. Created once and stored hashed; the plaintext password
 * and key go to `<dataDir>/credentials.json` (mode 0600), which the CLI reads by itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MembershipEntity, UserEntity, WorkspaceEntity, findApiKey, newAuthId, openDatabase, type Config, type DatabaseHandle } from '@weft/common';
import { createApiKey, createWorkspace, randomPassword } from './accounts.js';
import { hashPassword } from './passwords.js';

/** Email of the local owner account. */
export const LOCAL_OWNER_EMAIL = 'owner@weft.local';
/** Workspace of the local owner (the one data from before accounts existed belongs to). */
export const LOCAL_WORKSPACE_ID = 'default';
export const CREDENTIALS_FILE = 'credentials.json';

/** The document in `<dataDir>/credentials.json`. */
export interface LocalCredentials {
  email: string;
  password: string;
  apiKey: string;
  workspaceId: string;
  createdAt: string;
}

export function credentialsPath(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE);
}

function readCredentials(file: string): LocalCredentials | undefined {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
    return typeof doc.apiKey === 'string' && typeof doc.email === 'string' ? (doc as LocalCredentials) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Ensures the local owner, its workspace and a working API key exist. When the credentials
 * file is missing or its key no longer works, the owner's password is reset and a new key is
 * made (the old hashes cannot be turned back into secrets).
 * @returns `created: true` when new secrets were written (the caller prints them once)
 */
export async function ensureLocalOwner(cfg: Config, opts: { db?: DatabaseHandle } = {}): Promise<{ created: boolean; file: string; credentials: LocalCredentials }> {
  const file = credentialsPath(cfg.dataDir);
  const db = opts.db ?? (await openDatabase(cfg));
  try {
    const existing = readCredentials(file);
    if (existing && (await findApiKey(db.em() as never, existing.apiKey))) return { created: false, file, credentials: existing };

    const em = db.em();
    const password = randomPassword();
    const passwordHash = await hashPassword(password);
    let user = await em.findOne(UserEntity, { email: LOCAL_OWNER_EMAIL });
    if (user) user.passwordHash = passwordHash;
    else user = em.create(UserEntity, { id: newAuthId('usr'), email: LOCAL_OWNER_EMAIL, name: 'Local owner', passwordHash, createdAt: new Date() });
    const ws = await em.findOne(WorkspaceEntity, { id: LOCAL_WORKSPACE_ID });
    if (!ws) createWorkspace(em, user.id, 'Local workspace', LOCAL_WORKSPACE_ID);
    else {
      const m = await em.findOne(MembershipEntity, { workspaceId: LOCAL_WORKSPACE_ID, userId: user.id });
      if (!m) em.create(MembershipEntity, { id: newAuthId('mem'), workspaceId: LOCAL_WORKSPACE_ID, userId: user.id, role: 'owner', createdAt: new Date() });
      else m.role = 'owner';
    }
    await em.flush();
    const { key } = await createApiKey(db, { workspaceId: LOCAL_WORKSPACE_ID, name: 'local CLI (credentials.json)', role: 'owner', createdBy: user.id });
    const credentials: LocalCredentials = { email: LOCAL_OWNER_EMAIL, password, apiKey: key, workspaceId: LOCAL_WORKSPACE_ID, createdAt: new Date().toISOString() };
    fs.mkdirSync(cfg.dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
    return { created: true, file, credentials };
  } finally {
    if (!opts.db) await db.close();
  }
}
