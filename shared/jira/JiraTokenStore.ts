import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors/AppError';
import type { SecretBox } from '../platform/crypto/SecretBox';
import { TtlCache } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { JiraTokenRepository } from '../platform/storage/jiraTokens/JiraTokenRepository';
import { hashKey } from '../platform/storage/tableKey';
import type { Versioned } from '../platform/storage/TypedTable';
import type { JiraAccessTokenEntity } from '../platform/storage/jiraTokens/jiraAccessTokenEntity';
import type { OAuth2Grant } from './OAuth2TokenClient';
import type { OAuthToken } from './OAuthSigner';

export interface JiraTokenStoreInit {
  repository: JiraTokenRepository;
  secrets: SecretBox;
  clock: Clock;
  /** How long a read access token is trusted in this process; a drop here is seen at once. */
  cacheTtlMs?: number;
}

/** A stored OAuth 2.0 grant as read from the table, with the ETag to replace it by. */
export interface StoredGrant {
  grant: OAuth2Grant;
  etag: string;
}

export interface PendingAuthorization {
  tenantId: string;
  userId: string;
  instanceId: string;
  /** Absent: OAuth 1.0a. OAuth 2.0 stores the `state` as `requestToken` and the PKCE verifier as `tokenSecret`. */
  flow?: 'oauth1' | 'oauth2';
  requestToken: string;
  tokenSecret: string;
  /** The secret half of the begin URL's id: whoever opens that URL first is the browser that began. */
  beginKey: string;
  expiresAt: number;
}

export interface BegunAuthorization {
  instanceId: string;
  flow: 'oauth1' | 'oauth2';
  /** OAuth 1.0a: the request token; OAuth 2.0: the `state`. */
  requestToken: string;
  /** OAuth 2.0 only: the PKCE code verifier, whose challenge goes to Jira's authorize page. */
  codeVerifier?: string;
  /** The value of the cookie that binds the browser which began to the callback. */
  browserBinding: string;
  expiresAt: number;
}

export interface ConsumedAuthorization {
  userId: string;
  instanceId: string;
  flow: 'oauth1' | 'oauth2';
  tokenSecret: string;
}

/** Who Jira says an access token acts as. */
export interface JiraUser {
  name: string;
  displayName: string;
}

const MAX_CACHED = 10_000;

/**
 * Users' Jira tokens, encrypted at rest. Access tokens are cached per process (decrypted,
 * in memory only) so a proxied request costs no table read and no decryption. Request
 * tokens between "start" and the callback are stored by hash, bound to the user who
 * started and, once begun, to the browser that began; they expire, and begin and callback
 * each succeed once (ETag-guarded, so two racing browsers or callbacks cannot both win).
 */
export class JiraTokenStore {
  private readonly repository: JiraTokenRepository;
  private readonly secrets: SecretBox;
  private readonly clock: Clock;
  private readonly cache: TtlCache<string, OAuthToken>;
  private readonly grants: TtlCache<string, OAuth2Grant>;

  constructor(init: JiraTokenStoreInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
    this.clock = init.clock;
    this.cache = new TtlCache({ clock: init.clock, ttlMs: init.cacheTtlMs ?? 60_000, maxEntries: MAX_CACHED });
    this.grants = new TtlCache({ clock: init.clock, ttlMs: init.cacheTtlMs ?? 60_000, maxEntries: MAX_CACHED });
  }

  /**
   * The user's OAuth 2.0 grant for an instance (cached, as the OAuth 1.0a tokens); undefined
   * when there is none or the stored token is an OAuth 1.0a one (an instance switched to
   * OAuth 2.0: the user authorizes once more).
   */
  async getGrant(tenantId: string, userId: string, instanceId: string): Promise<OAuth2Grant | undefined> {
    const key = cacheKey(tenantId, userId, instanceId);
    const cached = this.grants.get(key);
    if (cached) return cached;
    const stored = await this.readGrant(tenantId, userId, instanceId);
    if (stored) this.grants.set(key, stored.grant);
    return stored?.grant;
  }

  /** The grant as the table holds it now, past the cache: what another process may just have refreshed. */
  async readGrant(tenantId: string, userId: string, instanceId: string): Promise<StoredGrant | undefined> {
    const found = await this.repository.access.getVersioned({ tenantId, userId, instanceId });
    if (!found || found.entity.tokenKind !== 'oauth2') return undefined;
    return { grant: this.openGrant(found), etag: found.etag };
  }

  /** Stores the grant of a completed OAuth 2.0 authorization, replacing any token of the user for the instance. */
  async putGrant(tenantId: string, userId: string, instanceId: string, grant: OAuth2Grant, jiraUser: JiraUser): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    const existing = await this.repository.access.get({ tenantId, userId, instanceId });
    await this.repository.access.upsert({
      ...this.sealGrant(tenantId, userId, instanceId, grant),
      jiraUserName: jiraUser.name,
      jiraDisplayName: jiraUser.displayName,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    this.cache.delete(cacheKey(tenantId, userId, instanceId));
    this.grants.set(cacheKey(tenantId, userId, instanceId), grant);
  }

  /**
   * Replaces a refreshed grant only if the row is still the one read (`etag`): false when
   * another process refreshed, or the user authorized again, in between; the caller re-reads.
   */
  async replaceGrant(tenantId: string, userId: string, instanceId: string, grant: OAuth2Grant, etag: string): Promise<boolean> {
    const key = cacheKey(tenantId, userId, instanceId);
    this.grants.delete(key);
    const existing = await this.repository.access.getVersioned({ tenantId, userId, instanceId });
    if (!existing || existing.etag !== etag) return false;
    const replaced = await this.repository.access.update(
      {
        ...existing.entity,
        ...this.sealGrant(tenantId, userId, instanceId, grant),
        updatedAt: new Date(this.clock.now()).toISOString(),
      },
      etag,
    );
    if (replaced) this.grants.set(key, grant);
    return replaced;
  }

  /**
   * Drops a grant Jira refused (its access token with a 401, its refresh token with
   * `invalid_grant`), only if it is still the stored one, as `dropRejected`.
   */
  async dropRejectedGrant(tenantId: string, userId: string, instanceId: string, rejected: OAuth2Grant): Promise<void> {
    this.grants.delete(cacheKey(tenantId, userId, instanceId));
    const stored = await this.readGrant(tenantId, userId, instanceId);
    if (stored && stored.grant.refreshToken === rejected.refreshToken)
      await this.repository.access.deleteIfMatch({ tenantId, userId, instanceId }, stored.etag);
  }

  private openGrant(found: Versioned<JiraAccessTokenEntity>): OAuth2Grant {
    const { tenantId, userId, instanceId, encryptedAccessToken, encryptedRefreshToken, accessExpiresAt, scope } = found.entity;
    const context = accessContext(tenantId, userId, instanceId);
    if (encryptedRefreshToken === undefined || accessExpiresAt === undefined)
      throw new AppError({ code: 'storage_row_invalid', detail: 'an OAuth 2.0 token row lacks its refresh token or expiry' });
    return {
      accessToken: this.secrets.open(encryptedAccessToken, `${context}/token`),
      refreshToken: this.secrets.open(encryptedRefreshToken, `${context}/refresh`),
      expiresAt: Date.parse(accessExpiresAt),
      ...(scope === undefined ? {} : { scope }),
    };
  }

  private sealGrant(
    tenantId: string,
    userId: string,
    instanceId: string,
    grant: OAuth2Grant,
  ): Omit<JiraAccessTokenEntity, 'createdAt' | 'updatedAt' | 'jiraUserName' | 'jiraDisplayName'> {
    const context = accessContext(tenantId, userId, instanceId);
    return {
      tenantId,
      userId,
      instanceId,
      tokenKind: 'oauth2',
      encryptedAccessToken: this.secrets.seal(grant.accessToken, `${context}/token`),
      encryptedRefreshToken: this.secrets.seal(grant.refreshToken, `${context}/refresh`),
      accessExpiresAt: new Date(grant.expiresAt).toISOString(),
      ...(grant.scope === undefined ? {} : { scope: grant.scope }),
    };
  }

  async getAccess(tenantId: string, userId: string, instanceId: string): Promise<OAuthToken | undefined> {
    const key = cacheKey(tenantId, userId, instanceId);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const entity = await this.repository.access.get({ tenantId, userId, instanceId });
    // An OAuth 2.0 token cannot sign an OAuth 1.0a request: for this caller there is none.
    if (!entity || entity.tokenKind === 'oauth2' || entity.encryptedTokenSecret === undefined) return undefined;
    const context = accessContext(tenantId, userId, instanceId);
    const token = {
      key: this.secrets.open(entity.encryptedAccessToken, `${context}/token`),
      secret: this.secrets.open(entity.encryptedTokenSecret, `${context}/secret`),
    };
    this.cache.set(key, token);
    return token;
  }

  async putAccess(tenantId: string, userId: string, instanceId: string, token: OAuthToken, jiraUser: JiraUser): Promise<void> {
    const context = accessContext(tenantId, userId, instanceId);
    const now = new Date(this.clock.now()).toISOString();
    const existing = await this.repository.access.get({ tenantId, userId, instanceId });
    await this.repository.access.upsert({
      tenantId,
      userId,
      instanceId,
      tokenKind: 'oauth1',
      encryptedAccessToken: this.secrets.seal(token.key, `${context}/token`),
      encryptedTokenSecret: this.secrets.seal(token.secret, `${context}/secret`),
      jiraUserName: jiraUser.name,
      jiraDisplayName: jiraUser.displayName,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    });
    this.cache.set(cacheKey(tenantId, userId, instanceId), token);
    this.grants.delete(cacheKey(tenantId, userId, instanceId));
  }

  async dropAccess(tenantId: string, userId: string, instanceId: string): Promise<void> {
    this.cache.delete(cacheKey(tenantId, userId, instanceId));
    this.grants.delete(cacheKey(tenantId, userId, instanceId));
    await this.repository.access.delete({ tenantId, userId, instanceId });
  }

  /**
   * Drops the token Jira just refused, but only if it is still the stored one: another
   * worker may have cached the old token while the user authorized again elsewhere, and
   * that worker's refusal must not delete the new token.
   */
  async dropRejected(tenantId: string, userId: string, instanceId: string, rejected: OAuthToken): Promise<void> {
    this.cache.delete(cacheKey(tenantId, userId, instanceId));
    const found = await this.repository.access.getVersioned({ tenantId, userId, instanceId });
    if (!found) return;
    const stored = this.secrets.open(found.entity.encryptedAccessToken, `${accessContext(tenantId, userId, instanceId)}/token`);
    if (stored === rejected.key) await this.repository.access.deleteIfMatch({ tenantId, userId, instanceId }, found.etag);
  }

  /** Every user's token for an instance, e.g. when it is removed or moved to another host. */
  async dropInstance(tenantId: string, instanceId: string): Promise<void> {
    const users: string[] = [];
    for await (const entity of this.repository.access.listByInstance(tenantId, instanceId)) users.push(entity.userId);
    for (const userId of users) await this.dropAccess(tenantId, userId, instanceId);
  }

  /** Stores a started authorization; answers the hash it is found by (half of the begin URL's id). */
  async putPending(pending: PendingAuthorization): Promise<string> {
    const requestTokenHash = hashKey(pending.requestToken);
    const context = pendingContext(pending.tenantId, requestTokenHash);
    await this.repository.pending.upsert({
      tenantId: pending.tenantId,
      requestTokenHash,
      userId: pending.userId,
      instanceId: pending.instanceId,
      ...(pending.flow === 'oauth2' ? { flow: 'oauth2' as const } : {}),
      encryptedTokenSecret: this.secrets.seal(pending.tokenSecret, context),
      encryptedRequestToken: this.secrets.seal(pending.requestToken, `${context}/token`),
      beginKeyHash: hashKey(pending.beginKey),
      expiresAt: new Date(pending.expiresAt).toISOString(),
      used: false,
      createdAt: new Date(this.clock.now()).toISOString(),
    });
    return requestTokenHash;
  }

  /**
   * The browser that opens the begin URL first: binds it (a fresh secret for its cookie,
   * stored by hash) and answers the request token to send it to Jira with. Once only, and
   * within `windowMs` of the start: a second browser, an unknown key, a late begin, a
   * completed or expired authorization get 400.
   */
  async beginPending(tenantId: string, requestTokenHash: string, beginKey: string, windowMs: number): Promise<BegunAuthorization> {
    const found = await this.repository.pending.getVersioned({ tenantId, requestTokenHash });
    if (!found) throw invalidBegin();
    const { entity } = found;
    if (
      entity.used ||
      entity.browserBindingHash !== undefined ||
      entity.beginKeyHash === undefined ||
      entity.encryptedRequestToken === undefined ||
      Date.parse(entity.expiresAt) <= this.clock.now() ||
      Date.parse(entity.createdAt) + windowMs <= this.clock.now() ||
      !sameHash(hashKey(beginKey), entity.beginKeyHash)
    )
      throw invalidBegin();
    const browserBinding = randomBytes(32).toString('base64url');
    if (!(await this.repository.pending.update({ ...entity, browserBindingHash: hashKey(browserBinding) }, found.etag)))
      throw invalidBegin();
    const flow = entity.flow ?? 'oauth1';
    return {
      instanceId: entity.instanceId,
      flow,
      ...(flow === 'oauth2'
        ? { codeVerifier: this.secrets.open(entity.encryptedTokenSecret, pendingContext(tenantId, requestTokenHash)) }
        : {}),
      requestToken: this.secrets.open(entity.encryptedRequestToken, `${pendingContext(tenantId, requestTokenHash)}/token`),
      browserBinding,
      expiresAt: Date.parse(entity.expiresAt),
    };
  }

  /**
   * The pending authorization of this request token, marked used; 400 when unknown, expired
   * or used. Then the browser must be the one that began it (`browserBinding`, from its
   * cookie): any other gets 400 `oauth_browser_mismatch`, and the request token stays spent,
   * so a consent made in the wrong browser can never be completed.
   */
  async consumePending(tenantId: string, requestToken: string, browserBinding: string | undefined): Promise<ConsumedAuthorization> {
    const requestTokenHash = hashKey(requestToken);
    const found = await this.repository.pending.getVersioned({ tenantId, requestTokenHash });
    if (!found || found.entity.used || Date.parse(found.entity.expiresAt) <= this.clock.now()) throw invalidRequestToken();
    if (!(await this.repository.pending.update({ ...found.entity, used: true }, found.etag))) throw invalidRequestToken();
    const bound = found.entity.browserBindingHash;
    if (bound === undefined || browserBinding === undefined || !sameHash(hashKey(browserBinding), bound)) {
      throw new AppError({
        code: 'oauth_browser_mismatch',
        detail: 'the authorization was completed in a browser other than the one that began it; start again from the add-in',
      });
    }
    return {
      userId: found.entity.userId,
      instanceId: found.entity.instanceId,
      flow: found.entity.flow ?? 'oauth1',
      tokenSecret: this.secrets.open(found.entity.encryptedTokenSecret, pendingContext(tenantId, requestTokenHash)),
    };
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function cacheKey(tenantId: string, userId: string, instanceId: string): string {
  return `${tenantId}\n${userId}\n${instanceId}`;
}

function accessContext(tenantId: string, userId: string, instanceId: string): string {
  return `jiraTokens/${tenantId}/${userId}/${instanceId}`;
}

function pendingContext(tenantId: string, requestTokenHash: string): string {
  return `jiraTokens/${tenantId}/pending/${requestTokenHash}`;
}

function invalidBegin(): AppError {
  return new AppError({
    code: 'oauth_request_token_invalid',
    detail: 'this authorization link is unknown, expired or was already opened; start again from the add-in',
  });
}

function invalidRequestToken(): AppError {
  return new AppError({
    code: 'oauth_request_token_invalid',
    detail: 'the authorization request is unknown, expired or was already completed',
  });
}
