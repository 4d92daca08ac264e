import type { AdminServices } from '../shared/admin/createAdminServices';
import type { BearerAuthenticator } from '../shared/auth/BearerAuthenticator';
import type { AppConfig } from '../shared/platform/config/loadConfig';
import type { SecretBox } from '../shared/platform/crypto/SecretBox';
import type { FanoutServices } from '../shared/mail/fanout/createFanoutServices';
import type { OutboundClient } from '../shared/platform/http/OutboundClient';
import type { JiraServices } from '../shared/jira/createJiraServices';
import type { LicenseService } from '../shared/licenses/LicenseService';
import type { QueueClientFactory } from '../shared/platform/storage/QueueClientFactory';
import type { QueueSender } from '../shared/platform/storage/QueueSender';
import type { Repositories } from '../shared/platform/storage/Repositories';
import type { StorageHealth } from '../shared/platform/storage/StorageHealth';
import type { TableClientFactory } from '../shared/platform/storage/TableClientFactory';
import type { GraphServices } from '../shared/mail/subscriptions/createGraphServices';
import type { Clock } from '../shared/platform/clock';

/**
 * Everything a function needs, built once per process by `createServices` and handed to
 * every handler. Tests build their own with real parts pointed at Azurite and simulators.
 */
export interface Services {
  config: AppConfig;
  clock: Clock;
  /** Validates the add-in's bearer tokens; one per process so the signing keys stay cached. */
  auth: BearerAuthenticator;
  http: OutboundClient;
  secrets: SecretBox;
  /** One repository per table of DESIGN.md. */
  repositories: Repositories;
  /** Enqueues JSON messages, base64-encoded as the queue triggers expect. */
  queues: QueueSender;
  storageHealth: StorageHealth;
  /** The storage clients behind the above: for `ensureStorage` at start and the queue admin tools. */
  tableClients: TableClientFactory;
  queueClients: QueueClientFactory;
  /** Is the Jira app licensed on an instance: cached per process and in `licenses`, with grace. */
  licenses: LicenseService;
  /** Registered Jira instances, cached per process with their parsed keys. */
  instances: JiraServices['instances'];
  /** Users' Jira access tokens and pending request tokens, encrypted; access tokens cached. */
  jiraTokenStore: JiraServices['jiraTokenStore'];
  oauthDance: JiraServices['oauthDance'];
  jiraProxy: JiraServices['jiraProxy'];
  /** Background Jira calls with the service credential (PAT, or 2-legged OAuth with impersonation). */
  jiraService: JiraServices['jiraService'];
  /** Microsoft Graph, one client per customer tenant; MSAL and the SDK load on the first call. */
  graph: GraphServices['graph'];
  /** The webhook side of Graph: cached subscription reads, validation tokens, rich notification keys. */
  graphWebhooks: GraphServices['graphWebhooks'];
  /** Creates, renews, recreates and removes mailbox subscriptions. */
  mailboxSubscriptions: GraphServices['mailboxSubscriptions'];
  /** Which mailbox still owns a link (what keeps its subscription). */
  linkOwnership: GraphServices['linkOwnership'];
  /** Conversation ↔ issue links, per tenant. */
  links: GraphServices['links'];
  /** The mail → Jira notification fan-out: delivery ledger, watchers/notify client, watermarks. */
  fanout: FanoutServices;
  /** The administration panel: iframe tokens, panel sessions and secrets, report counters, queue admin. */
  admin: AdminServices;
}
