import { AppError } from '../../platform/errors/AppError';
import { retryAfterOf } from '../graph/throttledError';
import type { Clock } from '../../platform/clock';
import type { JobRunRepository } from '../../platform/storage/jobRuns/JobRunRepository';
import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import type { SubscriptionManager } from './SubscriptionManager';

export interface RenewExpiringInit {
  manager: Pick<SubscriptionManager, 'renew' | 'retire'>;
  subscriptions: Pick<SubscriptionRepository, 'listExpiringBefore'>;
  /** Whether the mailbox still owns a link; a mailbox that owns none loses its subscription. */
  ownsLinks: (tenantId: string, userId: string) => Promise<boolean>;
  clock: Clock;
  renewalWindowMinutes: number;
  /** Where the run is recorded (the operators' "last successful renewal run"). */
  runs: Pick<JobRunRepository, 'recordRun'>;
  /** Parallel renewals; Outlook allows 4 concurrent requests per app and mailbox, we make one per mailbox. */
  concurrency?: number;
}

/** The renewal's row in `jobRuns`. */
export const RENEWAL_JOB = 'renewSubscriptions';

export interface RenewalSummary {
  renewed: number;
  recreated: number;
  removed: number;
  /** Left for the next run: their tenant answered 429. */
  throttled: number;
  failed: number;
  /** Error codes of the failures, for the log. */
  failures: string[];
}

/**
 * The renewal timer's work: every subscription that expires within the renewal window is
 * renewed (or recreated when Graph lost it, or removed when its mailbox owns no link any
 * more). A tenant that answers 429 is left alone for the rest of the run: the next run
 * (15 minutes later) is after any Retry-After Graph asks for.
 */
export async function renewExpiringSubscriptions(init: RenewExpiringInit): Promise<RenewalSummary> {
  const threshold = new Date(init.clock.now() + init.renewalWindowMinutes * 60_000).toISOString();
  const due: SubscriptionEntity[] = [];
  for await (const subscription of init.subscriptions.listExpiringBefore(threshold)) due.push(subscription);

  const summary: RenewalSummary = { renewed: 0, recreated: 0, removed: 0, throttled: 0, failed: 0, failures: [] };
  const throttledTenants = new Set<string>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < due.length; index = next++) {
      const subscription = due[index];
      if (!subscription) continue;
      if (throttledTenants.has(subscription.tenantId)) {
        summary.throttled += 1;
        continue;
      }
      try {
        if (!(await init.ownsLinks(subscription.tenantId, subscription.userId))) {
          await init.manager.retire(subscription);
          summary.removed += 1;
          continue;
        }
        const result = await init.manager.renew(subscription);
        summary[result.outcome] += 1;
      } catch (error) {
        if (retryAfterOf(error) !== undefined) {
          throttledTenants.add(subscription.tenantId);
          summary.throttled += 1;
        } else {
          summary.failed += 1;
          summary.failures.push(error instanceof AppError ? error.code : 'internal');
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(init.concurrency ?? 4, due.length) }, worker));
  // Throttled subscriptions are not failures: the next run renews them well before they end.
  await init.runs.recordRun({ job: RENEWAL_JOB, at: new Date(init.clock.now()).toISOString(), succeeded: summary.failed === 0 });
  return summary;
}
