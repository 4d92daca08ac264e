import { createHash, timingSafeEqual } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SecretBox } from '../platform/crypto/SecretBox';
import type { Clock } from '../platform/clock';
import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';
import type { InstanceRepository } from '../platform/storage/instances/InstanceRepository';
import { queryStringHash, type RequestTarget } from './canonicalRequest';
import { parsePanelIssuer, toPanelIssuer, type PanelInstanceRef } from './panelIssuer';
import { panelSecretContext, panelSecretKey } from './panelSecret';
import type { UsedPanelTokens } from './UsedPanelTokens';

/** Why a token was refused: for the log only, never for the caller. */
export type IframeRejection =
  | 'malformed'
  | 'unknown_issuer'
  | 'unknown_instance'
  | 'no_panel_secret'
  | 'expired'
  | 'signature'
  | 'claims'
  | 'lifetime'
  | 'issued_in_future'
  | 'qsh'
  | 'replayed';

export type IframeCheck = { ok: true; identity: IframeIdentity } | { ok: false; reason: IframeRejection };

/** Who opened the panel from Jira, as the Jira app vouches for it. */
export interface IframeIdentity {
  tenantId: string;
  instanceId: string;
  /** The Jira user (`sub`). */
  jiraUser: string;
  /** The instance row read for the check, so the page needs no second read. */
  instance: InstanceEntity;
}

export interface IframeJwtVerifierInit {
  /** Read directly, not through a cache: a rotated secret must count at once on every worker. */
  repository: Pick<InstanceRepository, 'get'>;
  secrets: Pick<SecretBox, 'open'>;
  /** Remembers the tokens that opened a session: each opens one. */
  usedTokens: Pick<UsedPanelTokens, 'claim'>;
  clock: Clock;
  /** Tolerance for the Jira server's clock. Default 60 s. */
  clockSkewSeconds?: number;
  /** The longest lifetime (`exp` − `iat`) accepted. Default 600 s. */
  maxLifetimeSeconds?: number;
}

const claimsSchema = z.object({
  iss: z.string(),
  sub: z.string().min(1).max(255),
  iat: z.number(),
  exp: z.number(),
  qsh: z.string().regex(/^[0-9a-f]{64}$/),
  jti: z.string().min(1).max(256).optional(),
});

/**
 * Checks the token the Jira app puts in the iframe URL (`?jwt=`): HS256 with the
 * instance's panel secret, `iss` naming the instance (`<tenantId>/<instanceId>`), `sub` the
 * Jira user, a lifetime of minutes at most, and `qsh` — the hash of this very request's
 * method, path and query — so a token opens one URL only, and once: a token that passes
 * every check is then remembered until it expires (its `jti`, or the token itself when the
 * Jira app sends none), and a second use is refused like a forgery. A refusal carries a
 * reason for the log; the caller gets the same 401 whatever it is. Storage and decryption
 * failures are thrown: they are faults of ours, not a bad token.
 */
export class IframeJwtVerifier {
  private readonly repository: IframeJwtVerifierInit['repository'];
  private readonly secrets: IframeJwtVerifierInit['secrets'];
  private readonly usedTokens: IframeJwtVerifierInit['usedTokens'];
  private readonly clock: Clock;
  private readonly skewSeconds: number;
  private readonly maxLifetimeSeconds: number;

  constructor(init: IframeJwtVerifierInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
    this.usedTokens = init.usedTokens;
    this.clock = init.clock;
    this.skewSeconds = init.clockSkewSeconds ?? 60;
    this.maxLifetimeSeconds = init.maxLifetimeSeconds ?? 600;
  }

  async verify(token: string, target: RequestTarget): Promise<IframeCheck> {
    let unverifiedIssuer: unknown;
    try {
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      return refuse('malformed');
    }
    const ref = parsePanelIssuer(unverifiedIssuer);
    if (!ref) return refuse('unknown_issuer');
    const instance = await this.repository.get(ref);
    if (!instance) return refuse('unknown_instance');
    if (instance.encryptedAdminSecret === undefined) return refuse('no_panel_secret');
    const secret = this.secrets.open(instance.encryptedAdminSecret, panelSecretContext(ref.tenantId, ref.instanceId));

    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, panelSecretKey(secret), {
        algorithms: ['HS256'],
        issuer: toPanelIssuer(ref),
        clockTolerance: this.skewSeconds,
        currentDate: new Date(this.clock.now()),
        // No `requiredClaims`: claimsSchema below requires the same claims, with the same refusal.
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return refuse('expired');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse('signature');
      // Stryker disable next-line ConditionalExpression: with a Uint8Array key, a Date and a number of seconds (all typed), jwtVerify throws only JOSE errors.
      if (error instanceof joseErrors.JOSEError) return refuse('claims');
      throw error;
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return refuse('claims');
    const { sub, iat, exp, qsh, jti } = claims.data;
    // A token minted for longer than minutes is a standing credential in a URL: refused.
    if (exp - iat > this.maxLifetimeSeconds) return refuse('lifetime');
    if (iat > this.clock.now() / 1000 + this.skewSeconds) return refuse('issued_in_future');
    if (!hashesEqual(qsh, queryStringHash(target))) return refuse('qsh');
    // Last, so that only a token that would open the panel is spent.
    if (!(await this.usedTokens.claim(ref, useKey(token, ref, jti), exp + this.skewSeconds))) return refuse('replayed');
    return { ok: true, identity: { tenantId: ref.tenantId, instanceId: ref.instanceId, jiraUser: sub, instance } };
  }
}

function refuse(reason: IframeRejection): IframeCheck {
  return { ok: false, reason };
}

/**
 * What names a token's use. With a `jti`, the Jira app's id of the token (per instance), so
 * a token re-signed with a used id is refused too. Without one, the signed part
 * (`header.payload`): HS256 makes it determine the token, while the signature's base64url
 * has spellings that decode alike (the unused bits of its last character), each of which
 * would otherwise be a "new" token.
 */
function useKey(token: string, ref: PanelInstanceRef, jti: string | undefined): string {
  // A verified token has exactly three parts: up to the last `.` is `header.payload`.
  const named = jti === undefined ? `jwt\n${token.slice(0, token.lastIndexOf('.'))}` : `jti\n${ref.tenantId}\n${ref.instanceId}\n${jti}`;
  return createHash('sha256').update(named).digest('hex');
}

/** Both are 64 hex digits (claimsSchema, SHA-256), the equal lengths timingSafeEqual needs. */
function hashesEqual(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
