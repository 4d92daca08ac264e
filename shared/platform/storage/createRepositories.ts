import { DeliveryRepository } from './deliveries/DeliveryRepository';
import { DigestRepository } from './digests/DigestRepository';
import { InstanceRepository } from './instances/InstanceRepository';
import { JobRunRepository } from './jobRuns/JobRunRepository';
import { JiraTokenRepository } from './jiraTokens/JiraTokenRepository';
import { LicenseRepository } from './licenses/LicenseRepository';
import { LinkRepository } from './links/LinkRepository';
import { MailboxRepository } from './mailboxes/MailboxRepository';
import type { Repositories } from './Repositories';
import { SubscriptionRepository } from './subscriptions/SubscriptionRepository';
import type { TableClientFactory } from './TableClientFactory';
import { MailTrailRepository } from './trails/MailTrailRepository';
import { tableNames } from './tableNames';

/** Builds every repository over the factory's clients; no network I/O. */
export function createRepositories(tables: TableClientFactory): Repositories {
  return {
    instances: new InstanceRepository({ client: tables.get(tableNames.instances) }),
    jiraTokens: new JiraTokenRepository({ client: tables.get(tableNames.jiraTokens) }),
    subscriptions: new SubscriptionRepository({ client: tables.get(tableNames.subscriptions) }),
    mailboxes: new MailboxRepository({ client: tables.get(tableNames.mailboxes) }),
    links: new LinkRepository({ client: tables.get(tableNames.links) }),
    deliveries: new DeliveryRepository({ client: tables.get(tableNames.deliveries) }),
    licenses: new LicenseRepository({ client: tables.get(tableNames.licenses) }),
    digests: new DigestRepository({ client: tables.get(tableNames.digests) }),
    trails: new MailTrailRepository({ client: tables.get(tableNames.trails) }),
    jobRuns: new JobRunRepository({ client: tables.get(tableNames.jobRuns) }),
  };
}
