import { isAppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import type { JobRunRepository } from '../platform/storage/jobRuns/JobRunRepository';
import type { QueueAdmin } from '../platform/storage/QueueAdmin';
import { allQueueNames, poisonQueueName } from '../platform/storage/queueNames';
import type { HealthState, StorageHealth, StorageHealthResult } from '../platform/storage/StorageHealth';
import { RENEWAL_JOB } from '../mail/subscriptions/renewExpiringSubscriptions';

export interface OperatorHealthInit {
  /** The app's version (package.json). */
  version: string;
  clock: Clock;
  storage: Pick<StorageHealth, 'check'>;
  queues: Pick<QueueAdmin, 'approximateCount'>;
  jobRuns: Pick<JobRunRepository, 'get'>;
  /** Resolves when a Graph app-only token can be had (MSAL's cache first); throws the failure. */
  checkGraphAppToken: () => Promise<void>;
}

export interface PoisonDepth {
  queue: string;
  /** The service's approximate count; null when it could not be read. */
  approximateMessages: number | null;
}

export interface OperatorHealthReport {
  /** `ok` when every check passed; `degraded` names nothing itself: the fields below say what. */
  status: 'ok' | 'degraded';
  version: string;
  checkedAt: string;
  storage: StorageHealthResult['checks'];
  graphAppToken: { state: HealthState; code?: string };
  /** The renewal timer's last run; null before its first. */
  lastRenewal: { lastRunAt: string; lastSucceeded: boolean; lastSuccessAt: string | null } | null;
  poisonQueues: PoisonDepth[];
}

/**
 * The deep health answer for the deployment's operator: what an alert would have them look
 * at first. Every check stands alone (one failing never hides the others), nothing in it
 * belongs to a tenant, and no token or secret is in it: the Graph check reports only whether
 * a token could be had, with the failure's stable code.
 */
export class OperatorHealth {
  constructor(private readonly init: OperatorHealthInit) {}

  async check(): Promise<OperatorHealthReport> {
    const [storage, graphAppToken, lastRenewal, poisonQueues] = await Promise.all([
      this.init.storage.check(),
      this.graphAppToken(),
      this.lastRenewal(),
      Promise.all(allQueueNames.map((queue) => this.poisonDepth(poisonQueueName(queue)))),
    ]);
    const healthy =
      storage.ok &&
      graphAppToken.state === 'ok' &&
      lastRenewal.state === 'ok' &&
      (lastRenewal.run?.lastSucceeded ?? true) &&
      poisonQueues.every((depth) => depth.approximateMessages === 0);
    return {
      status: healthy ? 'ok' : 'degraded',
      version: this.init.version,
      checkedAt: new Date(this.init.clock.now()).toISOString(),
      storage: storage.checks,
      graphAppToken,
      lastRenewal: lastRenewal.run,
      poisonQueues,
    };
  }

  private async graphAppToken(): Promise<OperatorHealthReport['graphAppToken']> {
    try {
      await this.init.checkGraphAppToken();
      return { state: 'ok' };
    } catch (error) {
      return { state: 'unavailable', code: isAppError(error) ? error.code : 'internal' };
    }
  }

  private async lastRenewal(): Promise<{ state: HealthState; run: OperatorHealthReport['lastRenewal'] }> {
    try {
      const run = await this.init.jobRuns.get({ job: RENEWAL_JOB });
      if (!run) return { state: 'ok', run: null };
      return { state: 'ok', run: { lastRunAt: run.lastRunAt, lastSucceeded: run.lastSucceeded, lastSuccessAt: run.lastSuccessAt ?? null } };
    } catch {
      // Storage's own check says why.
      return { state: 'unavailable', run: null };
    }
  }

  private async poisonDepth(queue: string): Promise<PoisonDepth> {
    try {
      return { queue, approximateMessages: await this.init.queues.approximateCount(queue) };
    } catch {
      return { queue, approximateMessages: null };
    }
  }
}
