import { SingleFlight } from '../platform/cache';
import type { Clock } from '../platform/clock';
import type { InstanceService, LoadedInstance } from './InstanceService';
import type { JiraTokenStore, StoredGrant } from './JiraTokenStore';
import type { OAuth2Grant, OAuth2TokenClient } from './OAuth2TokenClient';

export interface JiraBearerTokensInit {
  tokens: Pick<JiraTokenStore, 'getGrant' | 'readGrant' | 'replaceGrant' | 'dropRejectedGrant'>;
  instances: Pick<InstanceService, 'oauth2Client' | 'callbackUrl'>;
  tokenClient: Pick<OAuth2TokenClient, 'refresh'>;
  clock: Clock;
  /** How long before its end an access token is refreshed: no request leaves with one about to lapse. */
  refreshMarginMs?: number;
  /**
   * After Jira refused a refresh token, how often and how long to re-read the row before
   * giving up: another process may have used the same refresh token first (Jira rotates
   * it, so the second use is refused) and be about to store the new one.
   */
  loserPollMs?: number;
  loserPolls?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Users' OAuth 2.0 access tokens, refreshed before they expire. In a process one refresh
 * per (tenant, user, instance) runs at a time and every concurrent request waits for it;
 * across processes the table's ETag decides: the refresh that stores first wins, and a
 * loser (its write refused, or its refresh token refused because the winner rotated it)
 * re-reads the row and uses the winner's token. Undefined means the user must authorize.
 */
export class JiraBearerTokens {
  private readonly flights = new SingleFlight<string, OAuth2Grant | undefined>();
  private readonly refreshMarginMs: number;
  private readonly loserPollMs: number;
  private readonly loserPolls: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly init: JiraBearerTokensInit) {
    this.refreshMarginMs = init.refreshMarginMs ?? 60_000;
    this.loserPollMs = init.loserPollMs ?? 200;
    this.loserPolls = init.loserPolls ?? 10;
    this.sleep = init.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async current(tenantId: string, userId: string, instance: LoadedInstance): Promise<OAuth2Grant | undefined> {
    const { instanceId } = instance.entity;
    const grant = await this.init.tokens.getGrant(tenantId, userId, instanceId);
    if (!grant || this.fresh(grant)) return grant;
    return this.flights.run(`${tenantId}\n${userId}\n${instanceId}`, () => this.refresh(tenantId, userId, instance));
  }

  /**
   * After Jira refused `refused`'s access token before its expiry (revoked, or Jira
   * restarted its token store): one refresh, shared with any running for the user; the new
   * grant, or undefined once the refresh is refused too (the grant is dropped then).
   */
  async renew(tenantId: string, userId: string, instance: LoadedInstance, refused: OAuth2Grant): Promise<OAuth2Grant | undefined> {
    const key = `${tenantId}\n${userId}\n${instance.entity.instanceId}`;
    return this.flights.run(key, () => this.refresh(tenantId, userId, instance, refused.accessToken));
  }

  private fresh(grant: OAuth2Grant): boolean {
    return grant.expiresAt - this.refreshMarginMs > this.init.clock.now();
  }

  /** `refusedAccessToken`: refresh even before expiry, unless the stored grant is already another one. */
  private async refresh(
    tenantId: string,
    userId: string,
    instance: LoadedInstance,
    refusedAccessToken?: string,
  ): Promise<OAuth2Grant | undefined> {
    const { tokens, tokenClient, instances } = this.init;
    const { instanceId, baseUrl } = instance.entity;
    const stored = await tokens.readGrant(tenantId, userId, instanceId);
    // Another process may have refreshed since this one cached the grant.
    if (!stored) return undefined;
    if (refusedAccessToken === undefined ? this.fresh(stored.grant) : stored.grant.accessToken !== refusedAccessToken) return stored.grant;
    const answer = await tokenClient.refresh({
      baseUrl,
      client: instances.oauth2Client(instance),
      refreshToken: stored.grant.refreshToken,
      redirectUri: instances.callbackUrl,
    });
    if (answer.kind === 'granted') {
      if (await tokens.replaceGrant(tenantId, userId, instanceId, answer.grant, stored.etag)) return answer.grant;
      // The row changed under this refresh (the user authorized again, or another process
      // refreshed from the same row and stored first): the table's grant is the one to use.
      return (await tokens.readGrant(tenantId, userId, instanceId))?.grant;
    }
    const winner = await this.awaitWinner(tenantId, userId, instanceId, stored);
    if (winner) return winner;
    await tokens.dropRejectedGrant(tenantId, userId, instanceId, stored.grant);
    return undefined;
  }

  /** After a refused refresh: the grant another process stored with a newer refresh token, if one appears. */
  private async awaitWinner(tenantId: string, userId: string, instanceId: string, lost: StoredGrant): Promise<OAuth2Grant | undefined> {
    for (let poll = 0; poll <= this.loserPolls; poll += 1) {
      const now = await this.init.tokens.readGrant(tenantId, userId, instanceId);
      if (!now) return undefined;
      if (now.grant.refreshToken !== lost.grant.refreshToken) return now.grant;
      if (poll < this.loserPolls) await this.sleep(this.loserPollMs);
    }
    return undefined;
  }
}
