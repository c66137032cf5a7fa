/**
 * Access and refresh tokens: JWTs signed with the rotating ES256 keys (see keys.ts).
 *
 * - access token: `typ: at+jwt`, `aud: weft-api`, `sub` = user id, lifetime WEFT_ACCESS_TOKEN_TTL_S.
 * - refresh token: `typ: rt+jwt`, `aud: weft-refresh`, `jti` = its row id, `fam` = its family.
 *   Stored as a SHA-256 hash; each refresh consumes it and issues the next of the family; a
 *   consumed token presented again revokes the whole family (REFRESH_TOKEN_REUSED).
 *
 * Verification pins the algorithm (so `alg: none` and HMAC tricks fail), the issuer, the
 * audience and the `typ`, and takes the key from the `kid` among the current and previous keys.
 */
import * as crypto from 'node:crypto';
import * as jose from 'jose';
import { RefreshTokenEntity, digestsEqual, sha256Hex, type Config, type DatabaseHandle } from '@weft/common';
import { WeftError } from '@weft/proto';
import { TOKEN_ALG, type SigningKeys } from './keys.js';

export const ACCESS_AUDIENCE = 'weft-api';
export const REFRESH_AUDIENCE = 'weft-refresh';
const ACCESS_TYP = 'at+jwt';
const REFRESH_TYP = 'rt+jwt';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface AccessClaims {
  userId: string;
  /** Expiry, ms since the epoch. */
  expiresAtMs: number;
}

const unauthenticated = (message: string) => new WeftError('UNAUTHENTICATED', message);

/** Issues and verifies tokens. */
export class TokenService {
  constructor(
    private readonly cfg: Config,
    private readonly db: DatabaseHandle,
    readonly keys: SigningKeys,
    private readonly now: () => number = Date.now,
  ) {}

  private async sign(claims: jose.JWTPayload, typ: string, audience: string, ttlS: number): Promise<string> {
    const { kid, key } = await this.keys.signingKey();
    const iat = Math.floor(this.now() / 1000);
    return new jose.SignJWT(claims)
      .setProtectedHeader({ alg: TOKEN_ALG, kid, typ })
      .setIssuer(this.cfg.jwtIssuer)
      .setAudience(audience)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlS)
      .sign(key);
  }

  private async verify(token: string, typ: string, audience: string): Promise<jose.JWTPayload> {
    try {
      const { payload } = await jose.jwtVerify(token, async (header) => {
        const key = await this.keys.verificationKey(header.kid);
        if (!key) throw new jose.errors.JWKSNoMatchingKey();
        return key;
      }, {
        algorithms: [TOKEN_ALG],
        issuer: this.cfg.jwtIssuer,
        audience,
        typ,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      return payload;
    } catch (err) {
      if (err instanceof jose.errors.JWTExpired) throw unauthenticated('The token has expired: refresh it or sign in again');
      throw unauthenticated('The token is not valid');
    }
  }

  /** A new access token for a user. */
  accessToken(userId: string): Promise<string> {
    return this.sign({ sub: userId, jti: crypto.randomUUID() }, ACCESS_TYP, ACCESS_AUDIENCE, this.cfg.accessTokenTtlS);
  }

  /** Verifies an access token. @throws WeftError UNAUTHENTICATED */
  async verifyAccess(token: string): Promise<AccessClaims> {
    const p = await this.verify(token, ACCESS_TYP, ACCESS_AUDIENCE);
    return { userId: String(p.sub), expiresAtMs: (p.exp ?? 0) * 1000 };
  }

  /** Starts a new refresh token family (a sign-in) and returns the pair. */
  issuePair(userId: string): Promise<TokenPair> {
    return this.pairInFamily(userId, `fam_${crypto.randomBytes(12).toString('hex')}`);
  }

  private async pairInFamily(userId: string, familyId: string): Promise<TokenPair> {
    const jti = `rt_${crypto.randomBytes(16).toString('hex')}`;
    const refreshToken = await this.sign({ sub: userId, jti, fam: familyId }, REFRESH_TYP, REFRESH_AUDIENCE, this.cfg.refreshTokenTtlS);
    const em = this.db.em();
    em.create(RefreshTokenEntity, {
      id: jti,
      userId,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(this.now() + this.cfg.refreshTokenTtlS * 1000),
      usedAt: null,
      revokedAt: null,
      createdAt: new Date(this.now()),
    });
    await em.flush();
    return { accessToken: await this.accessToken(userId), refreshToken, tokenType: 'Bearer', expiresIn: this.cfg.accessTokenTtlS };
  }

  /**
   * Exchanges a refresh token for a new pair (rotation).
   * @throws WeftError REFRESH_TOKEN_REUSED when it was already exchanged (the family is revoked), UNAUTHENTICATED otherwise
   */
  async refresh(refreshToken: string): Promise<{ userId: string; pair: TokenPair }> {
    const p = await this.verify(refreshToken, REFRESH_TYP, REFRESH_AUDIENCE);
    const em = this.db.em();
    const row = typeof p.jti === 'string' ? await em.findOne(RefreshTokenEntity, { id: p.jti }) : null;
    if (!row || row.userId !== p.sub || !digestsEqual(row.tokenHash, sha256Hex(refreshToken))) throw unauthenticated('The refresh token is not valid');
    if (row.revokedAt) throw unauthenticated('The refresh token was revoked: sign in again');
    if (new Date(row.expiresAt).getTime() <= this.now()) throw unauthenticated('The refresh token has expired: sign in again');
    // Consume atomically: of two concurrent uses only one wins; the other is a reuse.
    const won = row.usedAt ? 0 : await em.nativeUpdate(RefreshTokenEntity, { id: row.id, usedAt: null, revokedAt: null }, { usedAt: new Date(this.now()) });
    if (won !== 1) {
      await this.revokeFamily(row.familyId);
      throw new WeftError('REFRESH_TOKEN_REUSED', 'This refresh token was already used: every session of this sign-in is revoked, sign in again');
    }
    return { userId: row.userId, pair: await this.pairInFamily(row.userId, row.familyId) };
  }

  /** Revokes every refresh token of a family. */
  async revokeFamily(familyId: string): Promise<void> {
    await this.db.em().nativeUpdate(RefreshTokenEntity, { familyId, revokedAt: null }, { revokedAt: new Date(this.now()) });
  }

  /** Revokes the family of a refresh token if it verifies (logout); silently ignores anything else. */
  async revokeByToken(refreshToken: string, userId?: string): Promise<boolean> {
    try {
      const p = await this.verify(refreshToken, REFRESH_TYP, REFRESH_AUDIENCE);
      if (userId && p.sub !== userId) return false;
      if (typeof p.fam !== 'string') return false;
      await this.revokeFamily(p.fam);
      return true;
    } catch {
      return false;
    }
  }

  /** Revokes every refresh token of a user. */
  async revokeUser(userId: string): Promise<void> {
    await this.db.em().nativeUpdate(RefreshTokenEntity, { userId, revokedAt: null }, { revokedAt: new Date(this.now()) });
  }
}
