import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import { accessTokenClaimsSchema } from './accessTokenClaims';
import { bearerChallenge } from './bearerChallenge';
import type { Caller } from './Caller';
import { requireRole } from './requireRole';
import { VerifiedTokenCache } from './VerifiedTokenCache';

export interface BearerAuthenticatorInit {
  /** Accepted `aud` values: the API's client id and/or its App ID URI. */
  audiences: readonly string[];
  /** The expected `iss` with `{tenantId}` standing for the token's own `tid`. */
  issuerTemplate: string;
  jwksUrl: string;
  /** Tenants whose users may call; empty means any tenant. */
  allowedTenants: readonly string[];
  clockSkewSeconds: number;
  adminRole: string;
  clock: Clock;
  /** Verified tokens trusted again without verification: 5 minutes and 10,000 tokens by default; `false` verifies every call. */
  verifiedTokenCache?: { ttlMs: number; maxEntries: number } | false;
}

export const TENANT_PLACEHOLDER = '{tenantId}';

type TokenFailure = 'malformed' | 'expired' | 'not_yet_valid' | 'audience' | 'issuer' | 'algorithm' | 'signature' | 'claims';

/** Fixed texts: the challenge and the problem tell what failed, never echo the token. */
const failureDescriptions: Record<TokenFailure, string> = {
  malformed: 'The token is malformed',
  expired: 'The token has expired',
  not_yet_valid: 'The token is not valid yet',
  audience: 'The token is not issued for this API',
  issuer: 'The token issuer is not trusted',
  algorithm: 'The token signing algorithm is not allowed',
  signature: 'The token signature is not valid',
  claims: 'The token lacks a required claim or has a malformed one',
};

const MISSING_DESCRIPTION = 'An Authorization header with a Bearer token is required';

/** RFC 6750 §2.1 b64token: a JWT fits it; anything else is not worth parsing. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Validates Microsoft identity platform v2 access tokens (or the sandbox issuer's, which
 * go through the very same checks). The key set is fetched once and cached; a token with
 * an unknown `kid` triggers a refetch at most once per cooldown, which is how a key
 * rollover is picked up.
 */
export class BearerAuthenticator {
  readonly adminRole: string;
  private readonly audiences: string[];
  private readonly issuerTemplate: string;
  private readonly allowedTenants: ReadonlySet<string>;
  private readonly clockSkewSeconds: number;
  private readonly clock: Clock;
  private readonly keys: JWTVerifyGetKey;
  private readonly verified: VerifiedTokenCache | undefined;

  constructor(init: BearerAuthenticatorInit) {
    if (!init.issuerTemplate.includes(TENANT_PLACEHOLDER)) {
      throw new TypeError(`issuerTemplate must contain ${TENANT_PLACEHOLDER}`);
    }
    if (init.audiences.length === 0) throw new TypeError('audiences must not be empty');
    this.audiences = [...init.audiences];
    this.issuerTemplate = init.issuerTemplate;
    this.allowedTenants = new Set(init.allowedTenants.map((tenant) => tenant.toLowerCase()));
    this.clockSkewSeconds = init.clockSkewSeconds;
    this.adminRole = init.adminRole;
    this.clock = init.clock;
    const cache = init.verifiedTokenCache ?? { ttlMs: 5 * 60_000, maxEntries: 10_000 };
    this.verified =
      cache === false ? undefined : new VerifiedTokenCache({ clock: init.clock, clockSkewSeconds: init.clockSkewSeconds, ...cache });
    // Keys rotate rarely and an unknown kid forces a reload anyway; an hour bounds how long
    // a key the provider withdrew stays trusted.
    const remote = createRemoteJWKSet(new URL(init.jwksUrl), {
      timeoutDuration: 5_000,
      cooldownDuration: 30_000,
      cacheMaxAge: 3_600_000,
    });
    this.keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
        // Unreachable, slow, non-200 or unparsable key set: the provider's fault, not the
        // caller's, so a retryable 503 rather than a 401 that would make the add-in sign out.
        throw new AppError({
          code: 'service_unavailable',
          detail: 'The signing keys of the identity provider could not be loaded',
          headers: { 'Retry-After': '30' },
          cause: error,
        });
      }
    };
  }

  /** The issuer a token of that tenant must name. */
  issuerFor(tenantId: string): string {
    return this.issuerTemplate.split(TENANT_PLACEHOLDER).join(tenantId);
  }

  async authenticate(authorizationHeader: string | null): Promise<Caller> {
    const token = bearerTokenOf(authorizationHeader);
    const known = this.verified?.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ['RS256'],
        audience: this.audiences,
        clockTolerance: this.clockSkewSeconds,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp', 'iss'],
      }));
    } catch (error) {
      // Anything but jose's own verdict (ours, or a bug) is not the caller's fault.
      if (!(error instanceof errors.JOSEError)) throw error;
      throw invalidToken(failureOf(error), error);
    }

    const parsed = accessTokenClaimsSchema.safeParse(payload);
    if (!parsed.success) throw invalidToken('claims');
    const claims = parsed.data;
    // The common key set signs for every tenant, so a valid signature alone does not make
    // the issuer right: it must be this token's own tenant's issuer.
    if (claims.iss !== this.issuerFor(claims.tid)) throw invalidToken('issuer');

    const tenantId = claims.tid.toLowerCase();
    if (this.allowedTenants.size > 0 && !this.allowedTenants.has(tenantId)) {
      throw new AppError({ code: 'tenant_not_allowed', detail: 'Users of this tenant may not use this service' });
    }
    const caller: Caller = { tenantId, userId: claims.oid.toLowerCase(), roles: claims.roles ?? [] };
    if (claims.name) caller.name = claims.name;
    // `exp` is a required claim (checked above), so every cached entry ends with its token.
    if (typeof payload.exp === 'number') this.verified?.set(token, caller, payload.exp);
    return caller;
  }

  /** Throws `admin_role_required` unless the caller holds the configured admin role. */
  requireAdmin(caller: Caller): void {
    requireRole(caller, this.adminRole);
  }
}

function bearerTokenOf(header: string | null): string {
  const value = header?.trim() ?? '';
  const separator = value.search(/\s/);
  const scheme = separator < 0 ? value : value.slice(0, separator);
  if (scheme.toLowerCase() !== 'bearer') {
    // No credentials of our scheme: RFC 6750 §3.1 says the challenge carries no error code.
    throw new AppError({ code: 'unauthenticated', detail: MISSING_DESCRIPTION, headers: { 'WWW-Authenticate': bearerChallenge() } });
  }
  const token = separator < 0 ? '' : value.slice(separator).trim();
  if (!B64TOKEN.test(token)) throw invalidToken('malformed');
  return token;
}

function failureOf(error: errors.JOSEError): TokenFailure {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') return 'not_yet_valid';
    if (error.claim === 'aud') return 'audience';
    if (error.claim === 'iss') return 'issuer';
    return 'claims';
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'algorithm';
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'signature';
  }
  return 'malformed';
}

function invalidToken(failure: TokenFailure, cause?: unknown): AppError {
  const description = failureDescriptions[failure];
  return new AppError({
    code: 'invalid_token',
    detail: description,
    headers: { 'WWW-Authenticate': bearerChallenge({ error: 'invalid_token', description }) },
    cause,
  });
}
