import { timingSafeEqual } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { SecretBox } from '../platform/crypto/SecretBox';
import type { Clock } from '../platform/clock';
import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';
import type { InstanceRepository } from '../platform/storage/instances/InstanceRepository';
import { queryStringHash, type RequestTarget } from './canonicalRequest';
import { parsePanelIssuer, toPanelIssuer } from './panelIssuer';
import { panelSecretContext, panelSecretKey } from './panelSecret';

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
  | 'qsh';

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
});

/**
 * Checks the token the Jira app puts in the iframe URL (`?jwt=`): HS256 with the
 * instance's panel secret, `iss` naming the instance (`<tenantId>/<instanceId>`), `sub` the
 * Jira user, a lifetime of minutes at most, and `qsh` — the hash of this very request's
 * method, path and query — so a token opens one URL only. A refusal carries a reason for
 * the log; the caller gets the same 401 whatever it is. Storage and decryption failures
 * are thrown: they are faults of ours, not a bad token.
 */
export class IframeJwtVerifier {
  private readonly repository: IframeJwtVerifierInit['repository'];
  private readonly secrets: IframeJwtVerifierInit['secrets'];
  private readonly clock: Clock;
  private readonly skewSeconds: number;
  private readonly maxLifetimeSeconds: number;

  constructor(init: IframeJwtVerifierInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
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
        requiredClaims: ['iss', 'sub', 'iat', 'exp', 'qsh'],
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return refuse('expired');
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) return refuse('signature');
      if (error instanceof joseErrors.JOSEError) return refuse('claims');
      throw error;
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return refuse('claims');
    const { sub, iat, exp, qsh } = claims.data;
    // A token minted for longer than minutes is a standing credential in a URL: refused.
    if (exp - iat > this.maxLifetimeSeconds) return refuse('lifetime');
    if (iat > this.clock.now() / 1000 + this.skewSeconds) return refuse('issued_in_future');
    if (!hashesEqual(qsh, queryStringHash(target))) return refuse('qsh');
    return { ok: true, identity: { tenantId: ref.tenantId, instanceId: ref.instanceId, jiraUser: sub, instance } };
  }
}

function refuse(reason: IframeRejection): IframeCheck {
  return { ok: false, reason };
}

function hashesEqual(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
