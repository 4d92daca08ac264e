import type { ActivityReport, ActivityReportRequest } from '../shared/admin/buildActivityReport';
import type { IframeJwtVerifier } from '../shared/admin/IframeJwtVerifier';
import type { OperatorHealth } from '../shared/admin/OperatorHealth';
import type { PanelLinks } from '../shared/admin/listPanelLinks';
import type { MailTrail } from '../shared/admin/loadMailTrail';
import type { PanelSubscriptions } from '../shared/admin/listPanelSubscriptions';
import type { PanelSecretIssuer } from '../shared/admin/PanelSecretIssuer';
import type { PanelSessions } from '../shared/admin/PanelSessions';
import type { ListPageRequest } from '../shared/platform/paging/ListEnvelope';
import type { ListPager } from '../shared/platform/paging/ListPager';
import type { ReportCounters } from '../shared/admin/ReportCounters';
import type { UserDirectory } from '../shared/mail/graph/UserDirectory';
import type { BearerAuthenticator } from '../shared/auth/BearerAuthenticator';
import type { OperatorPolicy } from '../shared/auth/requireOperator';
import type { InstanceService } from '../shared/jira/InstanceService';
import type { JiraServiceClient } from '../shared/jira/JiraServiceClient';
import type { JiraTokenStore } from '../shared/jira/JiraTokenStore';
import type { OAuthDance } from '../shared/jira/OAuthDance';
import type { LicenseService } from '../shared/licenses/LicenseService';
import type { DeliveryLedger } from '../shared/mail/fanout/DeliveryLedger';
import type { FanOutMailDeps, FanOutResult } from '../shared/mail/fanout/fanOutMail';
import type { JiraIssueNotifier } from '../shared/mail/fanout/JiraIssueNotifier';
import type { JiraNotifyMessage } from '../shared/mail/fanout/jiraNotifyMessage';
import type { RetryPolicy } from '../shared/mail/fanout/nextRetry';
import type { NotifyWatchersResult } from '../shared/mail/fanout/notifyWatchers';
import type { PruneResult } from '../shared/mail/fanout/pruneOldDeliveries';
import type { WatermarkAdvancer } from '../shared/mail/fanout/WatermarkAdvancer';
import type { GraphClientFactory } from '../shared/mail/graph/GraphClientFactory';
import type { LinkOwnership } from '../shared/mail/links/LinkOwnership';
import type { LinkService } from '../shared/mail/links/LinkService';
import type { LifecycleResult } from '../shared/mail/subscriptions/handleLifecycleMessage';
import type { RenewalSummary } from '../shared/mail/subscriptions/renewExpiringSubscriptions';
import type { SubscriptionManager } from '../shared/mail/subscriptions/SubscriptionManager';
import type { GraphLifecycleMessage } from '../shared/mail/webhooks/graphLifecycleMessage';
import type { GraphNotificationMessage } from '../shared/mail/webhooks/graphNotificationMessage';
import type { GraphWebhooks } from '../shared/mail/webhooks/GraphWebhooks';
import type { Clock } from '../shared/platform/clock';
import type { AppConfig } from '../shared/platform/config/loadConfig';
import type { LoggerFactory } from '../shared/platform/log/LoggerFactory';
import type { SecretBox } from '../shared/platform/crypto/SecretBox';
import type { OutboundClient } from '../shared/platform/http/OutboundClient';
import type { StorageServices } from '../shared/platform/storage/createStorageServices';
import type { QueueAdmin } from '../shared/platform/storage/QueueAdmin';
import type { JiraProxy } from '../shared/proxy/JiraProxy';

/** The mail → Jira fan-out, with its dependencies bound: handlers hand in a message and log the result. */
export interface FanoutServices {
  /** The `deliveries` ledger: one notification per (mail, issue) in practice. */
  ledger: DeliveryLedger;
  /** Watchers and notify, as the instance's service user. */
  notifier: JiraIssueNotifier;
  /** Per-process memory of the watermarks written, so most mails cost no subscription write. */
  watermarks: WatermarkAdvancer;
  retryPolicy: RetryPolicy;
  /** `graph-notifications` → `jira-notify`; `requeue` puts the message back as it came. */
  fanOut(
    message: GraphNotificationMessage,
    hooks: Pick<FanOutMailDeps, 'requeue' | 'onWatermarkError' | 'onTrailError'>,
  ): Promise<FanOutResult>;
  /** One `jira-notify` message: watchers minus the sender, then Jira's notify. */
  notify(message: JiraNotifyMessage): Promise<NotifyWatchersResult>;
  /**
   * The `jira-notify` items of one mail together (a packed message): their delivery rows
   * claimed in one table transaction and recorded in another; each item's result or error.
   */
  notifyMail(messages: readonly JiraNotifyMessage[]): Promise<PromiseSettledResult<NotifyWatchersResult>[]>;
  /** Deletes delivery records older than `DELIVERY_RETENTION`. */
  pruneDeliveries(): Promise<PruneResult>;
  /** Renews what expires within the window, recreates what Graph lost, retires what no link needs. */
  renewSubscriptions(): Promise<RenewalSummary>;
  /** What one lifecycle event asks: renew, recreate and catch up, or catch up. */
  handleLifecycle(event: GraphLifecycleMessage): Promise<{ result: LifecycleResult; caughtUp?: number }>;
}

/** The administration panel's per-process parts. */
export interface AdminServices {
  /** Checks the Jira app's iframe tokens (`?jwt=`). */
  iframeTokens: IframeJwtVerifier;
  /** The panel's own short-lived sessions. */
  sessions: PanelSessions;
  /** Issues and rotates an instance's panel secret. */
  panelSecrets: PanelSecretIssuer;
  /** Daily counters of the report (`reports` table); the webhook, the fan-out (its drops) and the poison path add to them. */
  reports: ReportCounters;
  /** Raw queue access: poison counts and replay. */
  queueAdmin: QueueAdmin;
  /** Who may replay every tenant's poison messages over HTTP; undefined: nobody (the CLI remains). */
  operator: OperatorPolicy | undefined;
  /** Object ids to names and addresses, from Graph with the tenant's app token, cached an hour. */
  users: UserDirectory;
  /** The operator's deep health answer: version, storage, Graph app token, last renewal, poison depths. */
  health: OperatorHealth;
  listSubscriptions(request: { tenantId: string; page: ListPageRequest }): Promise<PanelSubscriptions>;
  listLinks(request: { tenantId: string; instanceId: string; issueKey?: string; page: ListPageRequest }): Promise<PanelLinks>;
  /** A mail's trail within the tenant, by its Graph message id, internetMessageId or conversation id. */
  mailTrail(tenantId: string, id: string): Promise<MailTrail>;
  report(request: Omit<ActivityReportRequest, 'nowMs'>): Promise<ActivityReport>;
}

/**
 * Everything a function needs, built once per process by `createServices` (compose.ts) and
 * handed to every handler. Tests build their own with real parts pointed at Azurite and
 * the simulators.
 */
export interface Services extends StorageServices {
  config: AppConfig;
  clock: Clock;
  /** Each invocation's structured logger, at LOG_LEVEL (`services.logs.of(context, …)`). */
  logs: LoggerFactory;
  /** Validates the add-in's bearer tokens; one per process so the signing keys stay cached. */
  auth: BearerAuthenticator;
  http: OutboundClient;
  secrets: SecretBox;
  /** Is the Jira app licensed on an instance: cached per process and in `licenses`, with grace. */
  licenses: LicenseService;
  /** Registered Jira instances, cached per process with their parsed keys. */
  instances: InstanceService;
  /** Users' Jira access tokens and pending request tokens, encrypted; access tokens cached. */
  jiraTokenStore: JiraTokenStore;
  oauthDance: OAuthDance;
  jiraProxy: JiraProxy;
  /** Background Jira calls with the service credential (PAT, or 2-legged OAuth with impersonation). */
  jiraService: JiraServiceClient;
  /** Microsoft Graph, one client per customer tenant; MSAL and the SDK load on the first call. */
  graph: GraphClientFactory;
  /** The webhook side of Graph: cached subscription reads, validation tokens, rich notification keys. */
  graphWebhooks: GraphWebhooks;
  /** Creates, renews, recreates and removes mailbox subscriptions. */
  mailboxSubscriptions: SubscriptionManager;
  /** Which mailbox still owns a link (what keeps its subscription). */
  linkOwnership: LinkOwnership;
  /** Conversation ↔ issue links, per tenant. */
  links: LinkService;
  fanout: FanoutServices;
  admin: AdminServices;
  /**
   * What the process does before it goes away (the worker's `appTerminate` hook, the local
   * host's stop): writes what it holds in memory, the report counters' sums. Bounded in time;
   * never throws.
   */
  stop(): Promise<void>;
  /** Cuts every list route's answer into pages of the one envelope, with tamper-checked `next` tokens. */
  paging: ListPager;
}
