import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import { accessTokenClaimsSchema, clientOf, usernameOf, type AccessTokenClaims, type AccessTokenVersion } from './accessTokenClaims';
import { bearerChallenge } from './bearerChallenge';
import type { Caller } from './Caller';
import { requireRole } from './requireRole';
import { VerifiedTokenCache } from './VerifiedTokenCache';

export interface BearerAuthenticatorInit {
  /** Accepted `aud` values: the API's client id (every v2.0 token) and/or its App ID URI (v1.0 tokens requested by it). */
  audiences: readonly string[];
  /**
   * The expected `iss` per token version, `{tenantId}` standing for the token's own `tid`:
   * v1.0 `https://sts.windows.net/{tenantId}/`, v2.0 `https://login.microsoftonline.com/{tenantId}/v2.0`.
   */
  issuerTemplates: Readonly<Record<AccessTokenVersion, string>>;
  /** One key set signs both versions (Microsoft's v2.0 keys URL serves the keys of both). */
  jwksUrl: string;
  /** Tenants whose users may call; empty means any tenant. */
  allowedTenants: readonly string[];
  /** Client applications (`appid` of v1.0, `azp` of v2.0 tokens) that may call; empty refuses every token. */
  allowedClientIds: readonly string[];
  clockSkewSeconds: number;
  adminRole: string;
  clock: Clock;
  /** Verified tokens trusted again without verification: 5 minutes and 10,000 tokens by default; `false` verifies every call. */
  verifiedTokenCache?: { ttlMs: number; maxEntries: number } | false;
}

export const TENANT_PLACEHOLDER = '{tenantId}';

/** The settings an admin changes when a verdict says so; named in problem details. */
const SETTING_OF_VERSION: Record<AccessTokenVersion, string> = { '1.0': 'AUTH_ISSUER_TEMPLATE_V1', '2.0': 'AUTH_ISSUER_TEMPLATE' };
const VERSIONS: readonly AccessTokenVersion[] = ['1.0', '2.0'];

type TokenFailure = 'malformed' | 'expired' | 'not_yet_valid' | 'audience' | 'issuer' | 'algorithm' | 'signature' | 'claims';

/**
 * Fixed texts for the challenge, one per failure: a client reads them, so they never carry
 * anything from the request. The problem `detail` may say more for the admin reading it.
 */
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

const CLIENT_NOT_ALLOWED_DESCRIPTION = 'The client application may not call this API';
const MISSING_DESCRIPTION = 'An Authorization header with a Bearer token is required';

/**
 * The one signing algorithm accepted: Entra signs access tokens with RS256 only. Handed to
 * jose as its allow-list, which refuses any other `alg` (none, HS256 keyed with our public
 * key, RS512 or PS256 with the genuine key) before a key is looked up or fetched.
 */
const SIGNING_ALGORITHM = 'RS256';

/** An `alg` fit to name in a detail: a plain algorithm name, nothing else of the token. */
const PLAIN_ALGORITHM = /^[A-Za-z0-9+-]{1,16}$/;

/** RFC 6750 §2.1 b64token: a JWT fits it; anything else is not worth parsing. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Validates Microsoft identity platform access tokens of both versions (and the sandbox
 * issuer's, which go through the very same checks). Each version must name its own issuer
 * for its own tenant: a v1.0 token carrying the v2.0 issuer, or the reverse, is no token
 * Entra issues. The key set is fetched once and cached; a token with an unknown `kid`
 * triggers a refetch at most once per cooldown, which is how a key rollover is picked up.
 */
export class BearerAuthenticator {
  readonly adminRole: string;
  private readonly audiences: string[];
  private readonly issuerTemplates: Readonly<Record<AccessTokenVersion, string>>;
  private readonly allowedTenants: ReadonlySet<string>;
  private readonly allowedClientIds: ReadonlySet<string>;
  private readonly clockSkewSeconds: number;
  private readonly clock: Clock;
  private readonly keys: JWTVerifyGetKey;
  private readonly verified: VerifiedTokenCache | undefined;

  constructor(init: BearerAuthenticatorInit) {
    for (const version of VERSIONS) {
      if (!init.issuerTemplates[version].includes(TENANT_PLACEHOLDER)) {
        throw new TypeError(`the v${version} issuer template must contain ${TENANT_PLACEHOLDER}`);
      }
    }
    // Equal templates would let a token of one version pass as the other's.
    if (init.issuerTemplates['1.0'] === init.issuerTemplates['2.0']) throw new TypeError('the v1.0 and v2.0 issuer templates must differ');
    if (init.audiences.length === 0) throw new TypeError('audiences must not be empty');
    this.audiences = [...init.audiences];
    this.issuerTemplates = { ...init.issuerTemplates };
    this.allowedTenants = new Set(init.allowedTenants.map((tenant) => tenant.toLowerCase()));
    this.allowedClientIds = new Set(init.allowedClientIds.map((id) => id.toLowerCase()));
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

  /** The issuer a token of that version and tenant must name. */
  issuerFor(version: AccessTokenVersion, tenantId: string): string {
    return this.issuerTemplates[version].split(TENANT_PLACEHOLDER).join(tenantId);
  }

  async authenticate(authorizationHeader: string | null): Promise<Caller> {
    const token = bearerTokenOf(authorizationHeader);
    const known = this.verified?.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: [SIGNING_ALGORITHM],
        audience: this.audiences,
        clockTolerance: this.clockSkewSeconds,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['exp', 'iss'],
      }));
    } catch (error) {
      // Anything but jose's own verdict (ours, or a bug) is not the caller's fault.
      if (!(error instanceof errors.JOSEError)) throw error;
      const failure = failureOf(error);
      throw invalidToken(failure, this.detailOf(failure, error, token), error);
    }

    const parsed = accessTokenClaimsSchema.safeParse(payload);
    if (!parsed.success) throw invalidToken('claims', claimsDetail(payload, parsed.error.issues));
    const claims = parsed.data;
    // The common key set signs for every tenant and both versions, so a valid signature
    // alone does not make the issuer right: it must be this version's issuer for this
    // token's own tenant.
    if (claims.iss !== this.issuerFor(claims.ver, claims.tid)) throw invalidToken('issuer', this.issuerDetail(claims));

    // Any app that can get a token for our audience (another app of any tenant, a script)
    // would pass the checks above; only the configured clients (the add-in) may call.
    const client = clientOf(claims);
    if (!this.allowedClientIds.has(client.clientId.toLowerCase())) {
      throw new AppError({
        code: 'client_not_allowed',
        detail:
          this.allowedClientIds.size === 0
            ? 'No client application may call this API while AUTH_ALLOWED_CLIENT_IDS is empty: set it to the application (client) id of the Outlook add-in'
            : `The token was issued to the client application ${client.clientId} (${client.claim}), which is not in AUTH_ALLOWED_CLIENT_IDS`,
        headers: { 'WWW-Authenticate': bearerChallenge({ error: 'invalid_token', description: CLIENT_NOT_ALLOWED_DESCRIPTION }) },
      });
    }

    const tenantId = claims.tid.toLowerCase();
    if (this.allowedTenants.size > 0 && !this.allowedTenants.has(tenantId)) {
      throw new AppError({ code: 'tenant_not_allowed', detail: 'Users of this tenant may not use this service' });
    }
    const caller: Caller = { tenantId, userId: claims.oid.toLowerCase(), roles: claims.roles ?? [] };
    if (claims.name) caller.name = claims.name;
    const username = usernameOf(claims);
    if (username) caller.username = username;
    // `exp` is a required claim (checked above), so every cached entry ends with its token.
    this.verified?.set(token, caller, claims.exp);
    return caller;
  }

  /** Throws `admin_role_required` unless the caller holds the configured admin role. */
  requireAdmin(caller: Caller): void {
    requireRole(caller, this.adminRole);
  }

  /**
   * What went wrong, for the admin reading the 401. Claims are quoted only once jose has
   * verified the signature (a claim check fails after it), so they are Entra's own.
   */
  private detailOf(failure: TokenFailure, error: errors.JOSEError, token: string): string {
    if (failure === 'algorithm') {
      const alg = algorithmOf(token);
      return `${alg === undefined ? 'The token signing algorithm' : `The token signing algorithm ${alg}`} is not allowed: only ${SIGNING_ALGORITHM}, which the Microsoft identity platform signs with, is`;
    }
    if (failure === 'audience' && error instanceof errors.JWTClaimValidationFailed) {
      const aud = error.payload.aud;
      const audiences = (Array.isArray(aud) ? aud : [aud]).filter((value): value is string => typeof value === 'string').map(quoted);
      return (
        `The token is issued for ${audiences.length > 0 ? audiences.join(', ') : 'no audience'}, which is not in API_AUDIENCE` +
        ' (v2.0 tokens carry the API client id, v1.0 tokens the App ID URI or client id the add-in asked for)'
      );
    }
    if (failure === 'issuer') return 'The token names no issuer';
    return failureDescriptions[failure];
  }

  /** Tells a token of the other version, another tenant's issuer and a foreign issuer apart, naming the setting to change. */
  private issuerDetail(claims: AccessTokenClaims): string {
    const iss = quoted(claims.iss);
    const own = claims.ver;
    const other: AccessTokenVersion = own === '1.0' ? '2.0' : '1.0';
    const expected = this.issuerFor(own, claims.tid);
    if (claims.iss === this.issuerFor(other, claims.tid)) {
      return (
        `The token issuer ${iss} is the v${other} issuer, but the token is a v${own} token (ver ${own}); ` +
        `a v${own} token must name ${expected} (${SETTING_OF_VERSION[own]})`
      );
    }
    for (const version of VERSIONS) {
      const named = tenantNamedBy(this.issuerTemplates[version], claims.iss);
      if (named !== undefined) {
        return `The token issuer ${iss} names the tenant ${quoted(named)}, not the token's own tenant ${claims.tid} (tid)`;
      }
    }
    return (
      `The token issuer ${iss} is not the v${own} issuer of tenant ${claims.tid}, ${expected}; ` +
      `if your identity platform issues v${own} tokens under another issuer, set ${SETTING_OF_VERSION[own]} to it, with {tenantId} for the tenant`
    );
  }
}

function bearerTokenOf(header: string | null): string {
  // split always yields a first element, so `scheme` is defined.
  // Stryker disable next-line StringLiteral: equivalent, no header and any other non-Bearer value get the same challenge
  const [scheme, ...credentials] = (header ?? '').trim().split(/\s+/);
  if (scheme!.toLowerCase() !== 'bearer') {
    // No credentials of our scheme: RFC 6750 §3.1 says the challenge carries no error code.
    throw new AppError({ code: 'unauthenticated', detail: MISSING_DESCRIPTION, headers: { 'WWW-Authenticate': bearerChallenge() } });
  }
  // More than one word after the scheme is joined back, so the b64token check refuses it.
  const token = credentials.join(' ');
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
  // Not JOSENotSupported: with the allow-list it means an unknown critical header extension
  // (RFC 7515 §4.1.11: the JWS is invalid), which no algorithm detail would explain.
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return 'signature';
  }
  return 'malformed';
}

/**
 * The header's `alg` when it is a plain algorithm name. Not guarded: jose refuses an `alg`
 * only after it has decoded this very header, and only a string one.
 */
function algorithmOf(token: string): string | undefined {
  const { alg } = decodeProtectedHeader(token);
  return PLAIN_ALGORITHM.test(alg!) ? alg : undefined;
}

/** Names the claims that failed; their values are not repeated. */
function claimsDetail(payload: JWTPayload, issues: readonly { path: readonly PropertyKey[] }[]): string {
  const ver = payload.ver;
  if (ver !== '1.0' && ver !== '2.0') {
    return `${failureDescriptions.claims}: ver must be 1.0 or 2.0 (a Microsoft identity platform access token)`;
  }
  // The claims are an object, so every issue of a failed parse is about one of its claims.
  const names = [...new Set(issues.map((issue) => String(issue.path[0])))].sort();
  return `${failureDescriptions.claims} (v${ver} token): ${names.join(', ')}`;
}

/** The tenant an issuer names under a template, if it has the template's shape at all. */
function tenantNamedBy(template: string, iss: string): string | undefined {
  const parts = template.split(TENANT_PLACEHOLDER);
  // split always yields a first element.
  const prefix = parts[0]!;
  const suffix = parts.slice(1).join(TENANT_PLACEHOLDER);
  if (!iss.startsWith(prefix) || !iss.endsWith(suffix) || iss.length <= prefix.length + suffix.length) return undefined;
  const tenant = iss.slice(prefix.length, iss.length - suffix.length);
  return tenant.includes('/') ? undefined : tenant;
}

/** A claim value fit to quote in a detail: printable, bounded. */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  const printable = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > 200 ? `${printable.slice(0, 200)}…` : printable;
}

function invalidToken(failure: TokenFailure, detail?: string, cause?: unknown): AppError {
  const description = failureDescriptions[failure];
  return new AppError({
    code: 'invalid_token',
    detail: detail ?? description,
    headers: { 'WWW-Authenticate': bearerChallenge({ error: 'invalid_token', description }) },
    cause,
  });
}
