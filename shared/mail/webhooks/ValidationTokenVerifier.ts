import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../../platform/errors/AppError';

/** The application id of Microsoft Graph's change tracking service, the `appid` of every validation token. */
export const GRAPH_CHANGE_TRACKER_APP_ID = '0bf30f3b-4a52-48df-9a82-234910c4a086';

export interface ValidationTokenVerifierInit {
  jwksUrl: string;
  /** Our app registration's client id: the tokens' audience. */
  audience: string;
  /** e.g. `https://sts.windows.net/{tenantId}/`. */
  issuerTemplate: string;
  clockToleranceSeconds?: number;
  /** Bounds a key-set download, which happens on first use and on key rotation only. */
  jwksTimeoutMs?: number;
  /** Tests inject a local key set; otherwise the JWKS URL is fetched and cached. */
  keySet?: JWTVerifyGetKey;
}

export interface TrustedTenants {
  /** Tenants for which at least one token passed every check. */
  tenants: ReadonlySet<string>;
  /** Tokens that failed a check. */
  rejected: number;
}

/** Verification failures that say the token is bad, as opposed to our not reaching the key set. */
const TOKEN_ERRORS = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

/**
 * Checks the `validationTokens` of a rich notification batch (learn.microsoft.com, "Set up
 * change notifications that include resource data", "Validating the authenticity"):
 * signature from Microsoft's key set, audience our app id, the tenant's issuer, the change
 * tracker's `appid`, not expired. Graph adds one token per app and tenant in the batch,
 * so the answer is the set of tenants whose encrypted content may be trusted.
 */
export class ValidationTokenVerifier {
  private readonly keySet: JWTVerifyGetKey;
  private readonly audience: string;
  private readonly issuerTemplate: string;
  private readonly clockTolerance: number;

  constructor(init: ValidationTokenVerifierInit) {
    this.keySet =
      init.keySet ?? createRemoteJWKSet(new URL(init.jwksUrl), { timeoutDuration: init.jwksTimeoutMs ?? 2000, cooldownDuration: 30_000 });
    this.audience = init.audience;
    this.issuerTemplate = init.issuerTemplate;
    this.clockTolerance = init.clockToleranceSeconds ?? 300;
  }

  async trustedTenants(tokens: readonly string[]): Promise<TrustedTenants> {
    const tenants = new Set<string>();
    let rejected = 0;
    const results = await Promise.all(tokens.map((token) => this.verify(token)));
    for (const tenantId of results) {
      if (tenantId === undefined) rejected += 1;
      else tenants.add(tenantId);
    }
    return { tenants, rejected };
  }

  /** The token's tenant when it passes every check, undefined when it is not acceptable. */
  private async verify(token: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        audience: this.audience,
        algorithms: ['RS256'],
        clockTolerance: this.clockTolerance,
        requiredClaims: ['exp', 'iss', 'tid', 'appid'],
      });
      const tenantId = payload.tid;
      if (typeof tenantId !== 'string' || tenantId.length === 0) return undefined;
      if (payload.iss !== this.issuerTemplate.replace('{tenantId}', tenantId)) return undefined;
      if (payload.appid !== GRAPH_CHANGE_TRACKER_APP_ID) return undefined;
      return tenantId.toLowerCase();
    } catch (error) {
      if (TOKEN_ERRORS.some((type) => error instanceof type)) return undefined;
      // The key set could not be fetched: the tokens may well be fine, so Graph should retry.
      throw new AppError({ code: 'service_unavailable', detail: 'the key set for validation tokens could not be read', cause: error });
    }
  }
}
