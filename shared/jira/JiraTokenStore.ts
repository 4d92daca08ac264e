import { randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors/AppError';
import type { SecretBox } from '../platform/crypto/SecretBox';
import { TtlCache } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { JiraTokenRepository } from '../platform/storage/jiraTokens/JiraTokenRepository';
import { hashKey } from '../platform/storage/tableKey';
import type { OAuthToken } from './OAuthSigner';

export interface JiraTokenStoreInit {
  repository: JiraTokenRepository;
  secrets: SecretBox;
  clock: Clock;
  /** How long a read access token is trusted in this process; a drop here is seen at once. */
  cacheTtlMs?: number;
}

export interface PendingAuthorization {
  tenantId: string;
  userId: string;
  instanceId: string;
  requestToken: string;
  tokenSecret: string;
  /** The secret half of the begin URL's id: whoever opens that URL first is the browser that began. */
  beginKey: string;
  expiresAt: number;
}

export interface BegunAuthorization {
  instanceId: string;
  requestToken: string;
  /** The value of the cookie that binds the browser which began to the callback. */
  browserBinding: string;
  expiresAt: number;
}

export interface ConsumedAuthorization {
  userId: string;
  instanceId: string;
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

  constructor(init: JiraTokenStoreInit) {
    this.repository = init.repository;
    this.secrets = init.secrets;
    this.clock = init.clock;
    this.cache = new TtlCache({ clock: init.clock, ttlMs: init.cacheTtlMs ?? 60_000, maxEntries: MAX_CACHED });
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
  }

  async dropAccess(tenantId: string, userId: string, instanceId: string): Promise<void> {
    this.cache.delete(cacheKey(tenantId, userId, instanceId));
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
    return {
      instanceId: entity.instanceId,
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
