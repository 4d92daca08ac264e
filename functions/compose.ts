import { AppError } from '../shared/platform/errors/AppError';
import { problemCodeOf } from '../shared/platform/errors/problemCodeOf';
import { buildActivityReport } from '../shared/admin/buildActivityReport';
import { IframeJwtVerifier } from '../shared/admin/IframeJwtVerifier';
import { listPanelLinks } from '../shared/admin/listPanelLinks';
import { loadMailTrail } from '../shared/admin/loadMailTrail';
import { listPanelSubscriptions } from '../shared/admin/listPanelSubscriptions';
import { OperatorHealth } from '../shared/admin/OperatorHealth';
import { PanelSecretIssuer } from '../shared/admin/PanelSecretIssuer';
import { PanelSessions } from '../shared/admin/PanelSessions';
import { ReportCounters } from '../shared/admin/ReportCounters';
import { MailTrailWriter } from '../shared/platform/storage/trails/MailTrailWriter';
import { ReportRepository } from '../shared/admin/ReportRepository';
import { UserDirectory } from '../shared/mail/graph/UserDirectory';
import { UsedPanelTokens } from '../shared/admin/UsedPanelTokens';
import { ListPager } from '../shared/platform/paging/ListPager';
import { BearerAuthenticator } from '../shared/auth/BearerAuthenticator';
import { InstanceService } from '../shared/jira/InstanceService';
import { JiraServiceClient } from '../shared/jira/JiraServiceClient';
import { JiraTokenStore } from '../shared/jira/JiraTokenStore';
import { JiraBearerTokens } from '../shared/jira/JiraBearerTokens';
import { JiraUserAuthorizer } from '../shared/jira/JiraUserAuthorizer';
import { OAuth2TokenClient } from '../shared/jira/OAuth2TokenClient';
import { proposeAuthKind } from '../shared/jira/proposeAuthKind';
import { JiraUserClient } from '../shared/jira/JiraUserClient';
import { OAuthDance } from '../shared/jira/OAuthDance';
import type { BaseUrlPolicy } from '../shared/jira/validateBaseUrl';
import { LicenseService } from '../shared/licenses/LicenseService';
import { LicenseTableStore } from '../shared/licenses/LicenseTableStore';
import { UpmLicenseClient } from '../shared/licenses/UpmLicenseClient';
import { DeliveryLedger } from '../shared/mail/fanout/DeliveryLedger';
import { fanOutMail } from '../shared/mail/fanout/fanOutMail';
import { JiraIssueNotifier } from '../shared/mail/fanout/JiraIssueNotifier';
import { defaultRetryPolicy } from '../shared/mail/fanout/nextRetry';
import { notifyMailWatchers, type NotifyMailWatchersDeps } from '../shared/mail/fanout/notifyMailWatchers';
import { toJiraNotifyPacks } from '../shared/mail/fanout/toJiraNotifyPacks';
import { NotifyWindow } from '../shared/mail/fanout/NotifyWindow';
import { pruneOldDeliveries } from '../shared/mail/fanout/pruneOldDeliveries';
import { WatermarkAdvancer } from '../shared/mail/fanout/WatermarkAdvancer';
import { GraphClientFactory } from '../shared/mail/graph/GraphClientFactory';
import { LinkOwnership } from '../shared/mail/links/LinkOwnership';
import { LinkService } from '../shared/mail/links/LinkService';
import { handleLifecycleMessage } from '../shared/mail/subscriptions/handleLifecycleMessage';
import { renewExpiringSubscriptions } from '../shared/mail/subscriptions/renewExpiringSubscriptions';
import { SubscriptionManager } from '../shared/mail/subscriptions/SubscriptionManager';
import type { GraphWebhooks } from '../shared/mail/webhooks/GraphWebhooks';
import { RichNotificationDecryptor } from '../shared/mail/webhooks/RichNotificationDecryptor';
import { SubscriptionLookup } from '../shared/mail/webhooks/SubscriptionLookup';
import { toGraphNotificationSettings } from '../shared/mail/webhooks/toGraphNotificationSettings';
import { ValidationTokenVerifier } from '../shared/mail/webhooks/ValidationTokenVerifier';
import { systemClock, type Clock } from '../shared/platform/clock';
import { LoggerFactory } from '../shared/platform/log/LoggerFactory';
import type { AppConfig } from '../shared/platform/config/loadConfig';
import { SecretBox } from '../shared/platform/crypto/SecretBox';
import { OutboundClient } from '../shared/platform/http/OutboundClient';
import { readAppVersion } from '../shared/platform/readAppVersion';
import { createStorageServices } from '../shared/platform/storage/createStorageServices';
import { QueueAdmin } from '../shared/platform/storage/QueueAdmin';
import { queueNames } from '../shared/platform/storage/queueNames';
import { tableNames } from '../shared/platform/storage/tableNames';
import { JiraProxy } from '../shared/proxy/JiraProxy';
import type { Services } from './Services';

/** How long a webhook process remembers that a subscription id was not in storage. */
const UNKNOWN_SUBSCRIPTION_TTL_MS = 2000;
export interface ServicesInit {
  config: AppConfig;
  clock?: Clock;
  /** Tests inject a DNS resolver for the base-URL policy; the system's otherwise. */
  resolve?: BaseUrlPolicy['resolve'];
}

/**
 * The one composition root: every service of the process is built here, once, from the
 * validated config, and every dependency is bound here, so handlers only hand in what a
 * request or message carries. Builds objects only: no network I/O. Loading this module loads every SDK, so the worker imports it on first use (`index.ts`).
 */
export function createServices(init: ServicesInit): Services {
  const clock = init.clock ?? systemClock;
  const { config } = init;
  const { settings } = config;

  const http = new OutboundClient({
    connectTimeoutMs: settings.OUTBOUND_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: settings.OUTBOUND_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: settings.OUTBOUND_BODY_TIMEOUT_MS,
    connectionsPerOrigin: settings.OUTBOUND_CONNECTIONS_PER_ORIGIN,
    allowPrivateNetworkTargets: settings.ALLOW_PRIVATE_NETWORK_TARGETS,
  });
  const auth = new BearerAuthenticator({
    audiences: settings.API_AUDIENCE,
    issuerTemplates: { '1.0': settings.AUTH_ISSUER_TEMPLATE_V1, '2.0': settings.AUTH_ISSUER_TEMPLATE },
    jwksUrl: settings.AUTH_JWKS_URL,
    allowedTenants: settings.AUTH_ALLOWED_TENANTS,
    allowedClientIds: settings.AUTH_ALLOWED_CLIENT_IDS,
    clockSkewSeconds: settings.AUTH_CLOCK_SKEW,
    adminRole: settings.ADMIN_ROLE,
    clock,
  });
  const secrets = new SecretBox({ keyring: config.encryption });
  const storage = createStorageServices(config.storage);
  const { repositories } = storage;

  // Jira: instances, users' tokens, the OAuth dance, the proxy and the service client.
  const jiraTokenStore = new JiraTokenStore({ repository: repositories.jiraTokens, secrets, clock });
  const instances = new InstanceService({
    repository: repositories.instances,
    secrets,
    clock,
    publicBaseUrl: settings.PUBLIC_BASE_URL,
    baseUrlPolicy: {
      allowInsecure: settings.ALLOW_INSECURE_JIRA,
      allowPrivateTargets: settings.ALLOW_PRIVATE_NETWORK_TARGETS,
      ...(init.resolve ? { resolve: init.resolve } : {}),
    },
    onInstanceMoved: (tenantId, instanceId) => jiraTokenStore.dropInstance(tenantId, instanceId),
    proposeAuthKind: (baseUrl) => proposeAuthKind(http, baseUrl),
  });
  const oauth2Tokens = new OAuth2TokenClient({ http, clock });
  const oauthDance = new OAuthDance({ instances, tokens: jiraTokenStore, http, clock, oauth2Tokens });
  const jiraUserAuthorizer = new JiraUserAuthorizer({
    instances,
    tokens: jiraTokenStore,
    bearers: new JiraBearerTokens({ tokens: jiraTokenStore, instances, tokenClient: oauth2Tokens, clock }),
  });
  const jiraProxy = new JiraProxy({ instances, authorizer: jiraUserAuthorizer, http, maxBodyBytes: settings.PROXY_MAX_BODY_BYTES });
  const jiraService = new JiraServiceClient({ instances, http });
  const jiraUsers = new JiraUserClient({ instances, authorizer: jiraUserAuthorizer, http });

  const licenses = new LicenseService({
    store: new LicenseTableStore({ repository: repositories.licenses }),
    upm: new UpmLicenseClient({ http }),
    clock,
    policy: {
      ttlSeconds: settings.LICENSE_TTL,
      badTtlSeconds: settings.LICENSE_BAD_TTL,
      graceSeconds: settings.LICENSE_GRACE,
      unknownPolicy: settings.LICENSE_UNKNOWN_POLICY,
    },
  });

  // Graph: the client, the webhook side, mailbox subscriptions and links.
  const { subscriptions: subscriptionSettings, privateKeys } = toGraphNotificationSettings(settings);
  const graph = new GraphClientFactory({
    clientId: settings.GRAPH_CLIENT_ID,
    clientSecret: settings.GRAPH_CLIENT_SECRET,
    authorityHost: settings.GRAPH_AUTHORITY_HOST,
    baseUrl: settings.GRAPH_BASE_URL,
    http,
    now: () => clock.now(),
  });
  const lookup = new SubscriptionLookup({
    load: async (subscriptionId) => {
      const entity = await repositories.subscriptions.get({ subscriptionId });
      return (
        entity && {
          subscriptionId: entity.subscriptionId,
          tenantId: entity.tenantId,
          userId: entity.userId,
          clientStateHash: entity.clientStateHash,
        }
      );
    },
    now: () => clock.now(),
    missingTtlMs: UNKNOWN_SUBSCRIPTION_TTL_MS,
  });
  const graphWebhooks: GraphWebhooks = {
    subscriptions: lookup,
    validationTokens: new ValidationTokenVerifier({
      jwksUrl: settings.GRAPH_VALIDATION_JWKS_URL,
      audience: settings.GRAPH_CLIENT_ID,
      issuerTemplate: settings.GRAPH_VALIDATION_ISSUER_TEMPLATE,
    }),
    decryptor: privateKeys.size > 0 ? new RichNotificationDecryptor({ privateKeys }) : undefined,
  };
  const mailboxSubscriptions = new SubscriptionManager({
    graph,
    subscriptions: repositories.subscriptions,
    mailboxes: repositories.mailboxes,
    queues: storage.queues,
    clock,
    settings: subscriptionSettings,
    // Half the deliveries' retention: whatever a catch-up lists again is still in the ledger.
    catchUpMaxLookbackMs: (settings.DELIVERY_RETENTION * 1000) / 2,
    onChange: (subscriptionId) => lookup.forget(subscriptionId),
    // After every webhook process has forgotten that the new id was unknown (see SubscriptionManagerInit).
    firstCatchUpDelaySeconds: Math.ceil(UNKNOWN_SUBSCRIPTION_TTL_MS / 1000) + 3,
  });
  const linkOwnership = new LinkOwnership({ client: storage.tableClients.get(tableNames.links) });
  const links = new LinkService({
    links: repositories.links,
    ownership: linkOwnership,
    instances: repositories.instances,
    jira: jiraUsers,
    subscriptions: mailboxSubscriptions,
    graph,
    clock,
  });

  // The fan-out, its dependencies bound once.
  const ledger = new DeliveryLedger({ repository: repositories.deliveries, clock, leaseSeconds: settings.DELIVERY_LEASE });
  const notifier = new JiraIssueNotifier({ jira: jiraService, clock });
  const watermarks = new WatermarkAdvancer({ subscriptions: repositories.subscriptions });
  const retryPolicy = { ...defaultRetryPolicy, maxDelaySeconds: settings.NOTIFY_RETRY_MAX_DELAY };
  // Built even when storm control is off (0): digests held before it was switched off still go out.
  const notifyWindow = new NotifyWindow({
    digests: repositories.digests,
    clock,
    windowSeconds: settings.NOTIFY_DIGEST_WINDOW,
    schedule: (flush, delaySeconds) => storage.queues.send(queueNames.jiraNotify, flush, { visibilityTimeoutSeconds: delaySeconds }),
  });
  const notifyDeps: NotifyMailWatchersDeps = {
    ledger,
    jira: notifier,
    links: repositories.links,
    requeue: (copy, delaySeconds) => storage.queues.send(queueNames.jiraNotify, copy, { visibilityTimeoutSeconds: delaySeconds }),
    policy: retryPolicy,
    clock,
    window: notifyWindow,
    // Undici's three timeouts, one after another: the longest a Jira call of the fan-out can wait.
    jiraCallMs: settings.OUTBOUND_CONNECT_TIMEOUT_MS + settings.OUTBOUND_HEADERS_TIMEOUT_MS + settings.OUTBOUND_BODY_TIMEOUT_MS,
  };
  // One per process: the trail rows of mails handled side by side share a transaction.
  const trailWriter = new MailTrailWriter({ repository: repositories.trails });
  const fanout: Services['fanout'] = {
    ledger,
    notifier,
    watermarks,
    retryPolicy,
    fanOut: (message, hooks) =>
      fanOutMail(message, {
        readMail: (tenantId, userId, messageId) => graph.forTenant(tenantId).getMessage(userId, messageId),
        links: repositories.links,
        deliveries: repositories.deliveries,
        // One message per mail, not per issue: a mail linked to three issues is one write and one delete.
        enqueue: (messages) => storage.queues.sendMany(queueNames.jiraNotify, toJiraNotifyPacks(messages)),
        watermarks,
        clock,
        maxDelaySeconds: settings.NOTIFY_RETRY_MAX_DELAY,
        trails: trailWriter,
        ...hooks,
      }),
    notifyMail: (messages) => notifyMailWatchers(messages, notifyDeps),
    notify: async (message) => {
      const [result] = await notifyMailWatchers([message], notifyDeps);
      if (result?.status === 'fulfilled') return result.value;
      throw result?.reason;
    },
    // The mail trails go with the deliveries they explain: the same retention, the same run.
    pruneDeliveries: async () => {
      const deliveries = await pruneOldDeliveries({
        repository: repositories.deliveries,
        clock,
        retentionSeconds: settings.DELIVERY_RETENTION,
      });
      const trails = await pruneOldDeliveries({ repository: repositories.trails, clock, retentionSeconds: settings.DELIVERY_RETENTION });
      return { deleted: deliveries.deleted + trails.deleted, incomplete: deliveries.incomplete || trails.incomplete };
    },
    renewSubscriptions: () =>
      renewExpiringSubscriptions({
        manager: mailboxSubscriptions,
        subscriptions: repositories.subscriptions,
        ownsLinks: (tenantId, userId) => linkOwnership.ownsAny(tenantId, userId),
        clock,
        renewalWindowMinutes: settings.GRAPH_RENEWAL_WINDOW_MINUTES,
        runs: repositories.jobRuns,
      }),
    handleLifecycle: (event) =>
      handleLifecycleMessage({ manager: mailboxSubscriptions, subscriptions: repositories.subscriptions, message: event }),
  };

  const paging = new ListPager({ keyring: config.encryption });

  // The administration panel.
  const reports = new ReportCounters({
    repository: new ReportRepository({ client: storage.tableClients.get(tableNames.reports) }),
    clock,
    flushIntervalMs: settings.REPORT_FLUSH_INTERVAL * 1000,
    // Counts only, never content; the sums are kept and written with the next flush.
    onFlushError: (error) => console.warn(`report counters not written (${problemCodeOf(error)}); kept for the next flush`),
  });
  const queueAdmin = new QueueAdmin({ queues: storage.queueClients });
  const operator =
    settings.OPERATOR_ROLE !== undefined && settings.OPERATOR_TENANT_ID !== undefined
      ? { role: settings.OPERATOR_ROLE, tenantId: settings.OPERATOR_TENANT_ID }
      : undefined;
  const users = new UserDirectory({
    graph,
    clock,
    // The code only: never a name or an id.
    onBatchError: (code) => console.warn(`user names not read from Graph (${code}); the panel shows ids`),
  });
  const admin: Services['admin'] = {
    iframeTokens: new IframeJwtVerifier({
      repository: repositories.instances,
      secrets,
      usedTokens: new UsedPanelTokens({ repository: repositories.jiraTokens.panelTokens, clock }),
      clock,
    }),
    sessions: new PanelSessions({ keyring: config.encryption, clock, instances }),
    panelSecrets: new PanelSecretIssuer({
      repository: repositories.instances,
      secrets,
      clock,
      // So a new panel secret is seen at once by this process's instance cache.
      onChanged: (ref) => instances.invalidate(ref.tenantId, ref.instanceId),
    }),
    reports,
    queueAdmin,
    operator,
    health: new OperatorHealth({
      version: readAppVersion({ fromDirectory: __dirname, name: 'jira-outlook-cloud' }),
      clock,
      storage: storage.storageHealth,
      queues: queueAdmin,
      jobRuns: repositories.jobRuns,
      // In the operator's tenant, where the app is registered: a token there proves the client
      // secret still works. Without an operator nobody can ask (the route needs one).
      checkGraphAppToken: () =>
        operator
          ? graph.forTenant(operator.tenantId).checkAppToken()
          : Promise.reject(new AppError({ code: 'config_invalid', detail: 'OPERATOR_TENANT_ID is not set' })),
    }),
    users,
    listSubscriptions: (request) =>
      listPanelSubscriptions(
        { ...request, nowMs: clock.now() },
        { subscriptions: repositories.subscriptions, mailboxes: repositories.mailboxes, pager: paging, users },
      ),
    listLinks: (request) => listPanelLinks(request, { links: repositories.links, pager: paging }),
    mailTrail: (tenantId, id) =>
      loadMailTrail(tenantId, id, { trails: repositories.trails, deliveries: repositories.deliveries, queues: queueAdmin, users }),
    report: (request) =>
      buildActivityReport(
        { ...request, nowMs: clock.now() },
        { counters: reports, deliveries: repositories.deliveries, queues: queueAdmin },
      ),
  };

  return {
    config,
    clock,
    logs: new LoggerFactory({ level: settings.LOG_LEVEL }),
    auth,
    http,
    secrets,
    ...storage,
    licenses,
    instances,
    jiraTokenStore,
    oauthDance,
    jiraProxy,
    jiraService,
    graph,
    graphWebhooks,
    mailboxSubscriptions,
    linkOwnership,
    links,
    fanout,
    admin,
    stop: async () => {
      if (!(await reports.stop())) console.warn('report counters not written at stop: the counts of the last interval are lost');
    },
    paging,
  };
}
