import type { DeliveryRepository } from './deliveries/DeliveryRepository';
import type { DigestRepository } from './digests/DigestRepository';
import type { InstanceRepository } from './instances/InstanceRepository';
import type { JobRunRepository } from './jobRuns/JobRunRepository';
import type { JiraTokenRepository } from './jiraTokens/JiraTokenRepository';
import type { LicenseRepository } from './licenses/LicenseRepository';
import type { LinkRepository } from './links/LinkRepository';
import type { MailboxRepository } from './mailboxes/MailboxRepository';
import type { SubscriptionRepository } from './subscriptions/SubscriptionRepository';
import type { MailTrailRepository } from './trails/MailTrailRepository';

/** One repository per table of DESIGN.md. */
export interface Repositories {
  instances: InstanceRepository;
  /** `.access` for access tokens, `.pending` for request tokens between start and callback. */
  jiraTokens: JiraTokenRepository;
  subscriptions: SubscriptionRepository;
  mailboxes: MailboxRepository;
  links: LinkRepository;
  deliveries: DeliveryRepository;
  licenses: LicenseRepository;
  /** `.windows` and `.mails`: storm control's windows and the mails held for their digests. */
  digests: DigestRepository;
  trails: MailTrailRepository;
  /** The last run of each scheduled job. */
  jobRuns: JobRunRepository;
}
