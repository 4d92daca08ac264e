import type { Settings } from '../../platform/config/settingsSchema';
import type { JiraServiceClient } from '../../jira/JiraServiceClient';
import type { Clock } from '../../platform/clock';
import type { Repositories } from '../../platform/storage/Repositories';
import { DeliveryLedger } from './DeliveryLedger';
import { JiraIssueNotifier } from './JiraIssueNotifier';
import { defaultRetryPolicy, type RetryPolicy } from './nextRetry';
import { WatermarkAdvancer } from './WatermarkAdvancer';

export interface FanoutServicesInit {
  settings: Pick<Settings, 'NOTIFY_RETRY_MAX_DELAY' | 'DELIVERY_LEASE'>;
  clock: Clock;
  repositories: Pick<Repositories, 'deliveries' | 'subscriptions'>;
  jiraService: Pick<JiraServiceClient, 'request'>;
}

export interface FanoutServices {
  /** The `deliveries` ledger: one notification per (mail, issue) in practice. */
  ledger: DeliveryLedger;
  /** Watchers and notify, as the instance's service user. */
  notifier: JiraIssueNotifier;
  /** Per-process memory of the watermarks written, so most mails cost no subscription write. */
  watermarks: WatermarkAdvancer;
  retryPolicy: RetryPolicy;
}

/** The fan-out's per-process parts. Builds objects only: no I/O. */
export function createFanoutServices(init: FanoutServicesInit): FanoutServices {
  const { settings, clock } = init;
  return {
    ledger: new DeliveryLedger({ repository: init.repositories.deliveries, clock, leaseSeconds: settings.DELIVERY_LEASE }),
    notifier: new JiraIssueNotifier({ jira: init.jiraService, clock }),
    watermarks: new WatermarkAdvancer({ subscriptions: init.repositories.subscriptions }),
    retryPolicy: { ...defaultRetryPolicy, maxDelaySeconds: settings.NOTIFY_RETRY_MAX_DELAY },
  };
}
