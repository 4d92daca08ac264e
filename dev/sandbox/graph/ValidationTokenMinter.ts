import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';
import type { Clock } from '../../../shared/platform/clock';

/** The `appid` Microsoft Graph's change tracker signs validation tokens as. */
export const CHANGE_TRACKER_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';
export const VALIDATION_ISSUER_TEMPLATE = 'https://sts.windows.net/{tenantId}/';

export interface ValidationTokenClaims {
  tenantId: string;
  /** The subscribing app's client id. */
  audience: string;
  appId?: string;
  issuer?: string;
  expiresInSeconds?: number;
}

/**
 * Mints the `validationTokens` of rich notifications: RS256 JWTs shaped like the v1 tokens
 * Graph sends (issuer `https://sts.windows.net/{tid}/`, `appid` of the change tracker),
 * signed with a key published at the simulator's key-set URL.
 */
export class ValidationTokenMinter {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicJwk: JWK,
    private readonly clock: Clock,
  ) {}

  static async create(clock: Clock): Promise<ValidationTokenMinter> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new ValidationTokenMinter(privateKey, { ...jwk, kid, use: 'sig', alg: 'RS256' }, clock);
  }

  keySet(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  mint(claims: ValidationTokenClaims): Promise<string> {
    const now = Math.floor(this.clock.now() / 1000);
    return new SignJWT({
      aud: claims.audience,
      iss: claims.issuer ?? VALIDATION_ISSUER_TEMPLATE.replace('{tenantId}', claims.tenantId),
      iat: now,
      nbf: now,
      exp: now + (claims.expiresInSeconds ?? 3600),
      appid: claims.appId ?? CHANGE_TRACKER_APP_ID,
      appidacr: '2',
      tid: claims.tenantId,
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid ?? '' })
      .sign(this.privateKey);
  }
}
