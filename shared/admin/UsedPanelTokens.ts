import type { Clock } from '../platform/clock';
import type { UsedPanelTokenTable } from '../platform/storage/jiraTokens/JiraTokenRepository';
import type { PanelInstanceRef } from './panelIssuer';

export interface UsedPanelTokensInit {
  repository: Pick<UsedPanelTokenTable, 'insert' | 'listExpiredBefore' | 'delete'>;
  clock: Clock;
  /** Expired rows of the tenant deleted after each use. Default 20. */
  pruneBatch?: number;
}

/**
 * Which page tokens of the Jira app have opened a session. A use is an insert of the
 * token's key that fails when the key is there: Table Storage lets exactly one of any
 * number of concurrent uses, on any worker, win it. Rows last as long as the token could
 * still be accepted; each use deletes a few of the tenant's expired ones, so a tenant's
 * rows stay about as many as panel pages opened in the last minutes.
 */
export class UsedPanelTokens {
  private readonly repository: UsedPanelTokensInit['repository'];
  private readonly clock: Clock;
  private readonly pruneBatch: number;

  constructor(init: UsedPanelTokensInit) {
    this.repository = init.repository;
    this.clock = init.clock;
    this.pruneBatch = init.pruneBatch ?? 20;
  }

  /**
   * True for the first use of `tokenHash` (a hash naming the token, see IframeJwtVerifier),
   * false for every later one. `acceptedUntil` (seconds since the epoch) is when the token
   * stops being accepted anyway. Storage failures are thrown: a use that cannot be
   * recorded is not allowed.
   */
  async claim(ref: PanelInstanceRef, tokenHash: string, acceptedUntil: number): Promise<boolean> {
    const now = this.clock.now();
    const first = await this.repository.insert({
      tenantId: ref.tenantId,
      tokenHash,
      instanceId: ref.instanceId,
      expiresAt: new Date(acceptedUntil * 1000).toISOString(),
      usedAt: new Date(now).toISOString(),
    });
    if (first) await this.prune(ref.tenantId, now);
    return first;
  }

  private async prune(tenantId: string, now: number): Promise<void> {
    try {
      const expired = await this.repository.listExpiredBefore(tenantId, new Date(now).toISOString(), this.pruneBatch);
      await Promise.all(expired.map((row) => this.repository.delete(row)));
    } catch {
      // Clean-up only: an expired row refuses nothing the token's `exp` does not; the next use tries again.
    }
  }
}
