/**
 * Token signing keys: ES256 key pairs kept in the database (so every api replica signs and
 * verifies with the same keys). The newest unretired key signs; a key older than
 * WEFT_SIGNING_KEY_ROTATION_S is retired and replaced on the next signature. Retired keys keep
 * verifying (and stay in the JWKS) until `retiredAt` + the refresh token lifetime, so tokens
 * signed just before a rotation stay valid. A token naming an unknown `kid` makes the store
 * reload from the database (another replica may have rotated), at most once per second.
 */
import * as crypto from 'node:crypto';
import * as jose from 'jose';
import { SigningKeyEntity, type DatabaseHandle, type SigningKeyRow } from '@weft/common';

/** The only algorithm tokens are signed and accepted with. */
export const TOKEN_ALG = 'ES256';
const RELOAD_MIN_INTERVAL_MS = 1_000;

interface LoadedKey {
  row: SigningKeyRow;
  privateKey: jose.CryptoKey | jose.KeyObject;
  publicKey: jose.CryptoKey | jose.KeyObject;
}

export interface SigningKeyOptions {
  /** Age at which the signing key is replaced, seconds. */
  rotationS: number;
  /** How long a retired key still verifies, seconds (the refresh token lifetime). */
  verifyRetiredS: number;
  now?: () => number;
}

/** Signing keys with rotation; verification accepts the previous keys. */
export class SigningKeys {
  private keys: LoadedKey[] = [];
  private loadedAt = 0;
  private rotating: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly opts: SigningKeyOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Loads the keys (creating the first one if there is none). */
  async init(): Promise<void> {
    await this.reload();
    if (!this.active()) await this.rotate();
  }

  private async reload(): Promise<void> {
    const rows = await this.db.em().find(SigningKeyEntity, {}, { orderBy: { createdAt: 'desc' } });
    const cutoff = this.now() - this.opts.verifyRetiredS * 1000;
    const live = rows.filter((r) => !r.retiredAt || new Date(r.retiredAt).getTime() > cutoff);
    const loaded: LoadedKey[] = [];
    for (const row of live) {
      const known = this.keys.find((k) => k.row.id === row.id);
      if (known) {
        loaded.push({ ...known, row });
        continue;
      }
      loaded.push({
        row,
        privateKey: (await jose.importJWK(row.privateJwk as jose.JWK, row.alg)) as jose.CryptoKey,
        publicKey: (await jose.importJWK(row.publicJwk as jose.JWK, row.alg)) as jose.CryptoKey,
      });
    }
    this.keys = loaded;
    this.loadedAt = this.now();
  }

  /** The newest unretired key, if any. */
  private active(): LoadedKey | undefined {
    return this.keys.find((k) => !k.row.retiredAt);
  }

  /** Creates a new signing key and retires the current one (it keeps verifying). */
  rotate(): Promise<void> {
    return (this.rotating ??= (async () => {
      try {
        const { privateKey, publicKey } = await jose.generateKeyPair(TOKEN_ALG, { extractable: true });
        const id = `k_${crypto.randomBytes(12).toString('hex')}`;
        const em = this.db.em();
        const now = new Date(this.now());
        const privateJwk = { ...(await jose.exportJWK(privateKey)), kid: id, alg: TOKEN_ALG };
        const publicJwk = { ...(await jose.exportJWK(publicKey)), kid: id, alg: TOKEN_ALG, use: 'sig' };
        await em.nativeUpdate(SigningKeyEntity, { retiredAt: null }, { retiredAt: now });
        em.create(SigningKeyEntity, { id, alg: TOKEN_ALG, privateJwk, publicJwk, createdAt: now, retiredAt: null });
        await em.flush();
        await this.reload();
      } finally {
        this.rotating = undefined;
      }
    })());
  }

  /** The key to sign with now (rotating first when it is too old). */
  async signingKey(): Promise<{ kid: string; key: jose.CryptoKey | jose.KeyObject }> {
    let k = this.active();
    if (!k || this.now() - new Date(k.row.createdAt).getTime() > this.opts.rotationS * 1000) {
      await this.reload();
      k = this.active();
      if (!k || this.now() - new Date(k.row.createdAt).getTime() > this.opts.rotationS * 1000) {
        await this.rotate();
        k = this.active();
      }
    }
    if (!k) throw new Error('no signing key');
    return { kid: k.row.id, key: k.privateKey };
  }

  /** Public key for a `kid` (reloading once when unknown), or undefined. */
  async verificationKey(kid: string | undefined): Promise<jose.CryptoKey | jose.KeyObject | undefined> {
    if (!kid) return undefined;
    const cutoff = this.now() - this.opts.verifyRetiredS * 1000;
    const usable = (k: LoadedKey | undefined) => (k && (!k.row.retiredAt || new Date(k.row.retiredAt).getTime() > cutoff) ? k.publicKey : undefined);
    const found = usable(this.keys.find((k) => k.row.id === kid));
    if (found) return found;
    if (this.now() - this.loadedAt < RELOAD_MIN_INTERVAL_MS) return undefined;
    await this.reload();
    return usable(this.keys.find((k) => k.row.id === kid));
  }

  /** The JWKS document of every key that still verifies. */
  jwks(): { keys: Array<Record<string, unknown>> } {
    return { keys: this.keys.map((k) => k.row.publicJwk) };
  }

  /**
   * A secret derived from the active private key (HKDF), for signing short-lived cookies.
   * Every current key yields one (newest first) so a rotation does not break a login in flight.
   */
  derivedSecrets(label: string): string[] {
    return this.keys.map((k) =>
      Buffer.from(crypto.hkdfSync('sha256', String(k.row.privateJwk.d ?? ''), k.row.id, label, 32)).toString('base64url'),
    );
  }
}
