import { azuriteConnectionString, startAzurite, type RunningAzurite } from '../../dev/azurite';
import type { HostLog } from '../../dev/host/HostLog';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import type { QueueTriggerOptions } from '../../dev/host/QueueTriggerOptions';
import type { PutMailInput } from '../../dev/sandbox/graph/SimulatedGraph';
import { startGraphSimulator, type GraphSimulator } from '../../dev/sandbox/graph/startGraphSimulator';
import { JiraNotifications } from '../../dev/sandbox/jira/notifyRoutes';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import type { SimulatedUser } from '../../dev/sandbox/jira/JiraSimulatorState';
import { newGuid } from '../../dev/sandbox/newGuid';
import { functionTable } from '../../functions/functionTable';
import type { Clock } from '../../shared/platform/clock';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import type { GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import { createServices } from '../../functions/compose';
import { hashClientState } from '../../shared/mail/webhooks/clientState';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { QueueAdmin } from '../../shared/platform/storage/QueueAdmin';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { FaultyRelay } from './faultyRelay';
import { CuttableRelay } from './graphHarness';

const GRAPH_CLIENT_ID = '00000000-0000-4000-8000-00000000f00d';
const GRAPH_CLIENT_SECRET = 'fanout-test-secret';
/** The clientState of every subscription of the stack, for a test that posts to the webhook as Graph would. */
export const FANOUT_CLIENT_STATE = 'fanout-client-state';

/** Users beyond the simulator's alice, bob, carol and jira-service, so issues can have distinct watchers. */
const EXTRA_USERS: SimulatedUser[] = [
  { name: 'dave', key: 'JIRAUSER10010', displayName: 'Dave Example', emailAddress: 'dave@example.test' },
  { name: 'erin', key: 'JIRAUSER10011', displayName: 'Erin Example', emailAddress: 'erin@example.test' },
  { name: 'frank', key: 'JIRAUSER10012', displayName: 'Frank Example', emailAddress: 'frank@example.test' },
];

/** The host's queue trigger settings, made quick for tests: short polling, a failed message is retried after a second. */
export const FAST_QUEUES: Partial<QueueTriggerOptions> = {
  maxPollingIntervalMs: 200,
  visibilityTimeoutSeconds: 1,
  batchSize: 8,
  newBatchThreshold: 4,
};

export interface FanoutStackInit {
  /** Settings over the stack's own (e.g. `DELIVERY_LEASE`). */
  env?: Record<string, string>;
  /** Start the local host with the fan-out's queue functions (default true). */
  host?: boolean;
  queues?: Partial<QueueTriggerOptions>;
  /** One clock for the app, the host and both simulators (a test moves it); the system's by default. */
  clock?: Clock;
  /** Tables reached through a relay the test can cut (`tables`), queues directly. */
  cuttableTables?: boolean;
  /** Also serve the webhook (`graphNotifications`) over the host's HTTP server. */
  webhook?: boolean;
  /** Instances registered behind a relay the test can slow down or cut (`jiraRelay`), not Jira's own address. */
  faultyJira?: boolean;
}

export interface Scenario {
  tenantId: string;
  instanceId: string;
  subscriptionId: string;
  userId: string;
  conversationId: string;
}

export interface FanoutStack {
  azurite: RunningAzurite;
  jira: JiraSimulator;
  notifications: JiraNotifications;
  graph: GraphSimulator;
  services: Services;
  admin: QueueAdmin;
  /** The app settings of this stack, for a child process to build the same services. */
  env: Record<string, string>;
  host: LocalHost | undefined;
  /** The relay in front of the table service, with `cuttableTables`. */
  tables: CuttableRelay | undefined;
  /** The relay the instances reach Jira through, with `faultyJira`. */
  jiraRelay: FaultyRelay | undefined;
  log: { lines: string[] } & HostLog;
  /** A fresh tenant with the instance `demo` registered (2-legged OAuth as jira-service), a mailbox subscription and a conversation. */
  newScenario(): Promise<Scenario>;
  /** Another subscribed mailbox in the scenario's tenant, for the same conversation. */
  addMailbox(scenario: Scenario): Promise<Scenario>;
  addIssue(key: string, watchers: string[]): void;
  link(scenario: Scenario, issueKey: string, conversationId?: string): Promise<void>;
  /** Puts a mail into the Graph simulator's mailbox (no Graph notification) and returns the queue message a notification would become. */
  mail(
    scenario: Scenario,
    init: Pick<PutMailInput, 'isDraft' | 'headers'> & { from: string; subject?: string; userId?: string; internetMessageId?: string },
  ): GraphNotificationMessage;
  notify(message: GraphNotificationMessage): Promise<void>;
  /** Approximate count of a queue (invisible messages included). */
  count(queue: string): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Azurite, the Jira simulator with the watchers and notify resources, the Graph simulator,
 * and the app's real services, with the function table's fan-out rows run by the local
 * host's queue pollers (the Functions host's semantics: base64, dequeue count, poison).
 */
export async function startFanoutStack(init: FanoutStackInit = {}): Promise<FanoutStack> {
  const azurite = await startAzurite();
  const { clock } = init;
  const tables = init.cuttableTables ? await CuttableRelay.start(azurite.tablePort) : undefined;
  const notifications = new JiraNotifications();
  const jira = await startJiraSimulator({ routes: notifications.routes(), ...(clock ? { clock } : {}) });
  const jiraRelay = init.faultyJira ? await FaultyRelay.start(Number(new URL(jira.url).port)) : undefined;
  for (const user of EXTRA_USERS) jira.state.users.set(user.name, { ...user });
  const graph = await startGraphSimulator({
    ...(clock ? { clock } : {}),
    clientId: GRAPH_CLIENT_ID,
    clientSecret: GRAPH_CLIENT_SECRET,
    tokenLifetimeSeconds: 24 * 3600,
  });
  const env: Record<string, string> = {
    AzureWebJobsStorage: tables
      ? azuriteConnectionString('127.0.0.1', { blobPort: azurite.blobPort, queuePort: azurite.queuePort, tablePort: tables.port })
      : azurite.connectionString,
    DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 11).toString('base64')}`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    API_AUDIENCE: 'api://fanout-test',
    GRAPH_CLIENT_ID,
    GRAPH_CLIENT_SECRET,
    GRAPH_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_BASE_URL: graph.baseUrl,
    ALLOW_INSECURE_JIRA: 'true',
    ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
    DELIVERY_LEASE: '5s',
    NOTIFY_RETRY_MAX_DELAY: '30s',
    // Storm control off: these tests count one notification per mail; the storm tests set a window.
    NOTIFY_DIGEST_WINDOW: '0s',
    ...init.env,
  };
  const services = createServices({ config: loadConfig(env), ...(clock ? { clock } : {}) });
  await ensureStorage(services);
  const lines: string[] = [];
  const log = { lines, write: (_level: string, line: string) => void lines.push(line) };
  const names = ['processMailNotification', 'notifyIssueWatchers', ...(init.webhook ? ['graphNotifications'] : [])];
  const functions = functionTable.filter((row) => names.includes(row.name));
  const host =
    init.host === false
      ? undefined
      : await startLocalHost({
          functions,
          services,
          queueClient: (name) => services.queueClients.get(name),
          port: 0,
          log,
          queues: { ...FAST_QUEUES, ...init.queues },
          ...(clock ? { clock } : {}),
        });
  const admin = new QueueAdmin({ queues: services.queueClients });
  const now = () => services.clock.now();
  const subscribe = async (tenantId: string) => {
    const userId = newGuid();
    const subscriptionId = newGuid();
    await services.repositories.subscriptions.insert({
      subscriptionId,
      tenantId,
      userId,
      resource: `users/${userId}/messages`,
      clientStateHash: hashClientState(FANOUT_CLIENT_STATE),
      expiresAt: new Date(now() + 86_400_000).toISOString(),
      createdAt: new Date(now()).toISOString(),
    });
    return { userId, subscriptionId };
  };

  return {
    azurite,
    jira,
    notifications,
    graph,
    services,
    admin,
    env,
    host,
    tables,
    jiraRelay,
    log,
    newScenario: async () => {
      const tenantId = newGuid();
      const instanceId = 'demo';
      const { view } = await services.instances.register(tenantId, instanceId, {
        baseUrl: jiraRelay?.url ?? jira.url,
        displayName: 'Demo',
        serviceUser: 'jira-service',
      });
      jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
      return { tenantId, instanceId, ...(await subscribe(tenantId)), conversationId: `AAQkAD${newGuid()}/+=` };
    },
    addMailbox: async (scenario) => ({ ...scenario, ...(await subscribe(scenario.tenantId)) }),
    addIssue: (key, watchers) => {
      jira.state.issues.set(key, { key, summary: `Issue ${key}`, watchers: [...watchers], reporter: 'alice' });
    },
    link: async (scenario, issueKey, conversationId = scenario.conversationId) => {
      await services.repositories.links.insert({
        tenantId: scenario.tenantId,
        conversationId,
        instanceId: scenario.instanceId,
        issueKey,
        userId: scenario.userId,
        linkedAt: new Date(now()).toISOString(),
      });
    },
    mail: (scenario, mailInit) => {
      const userId = mailInit.userId ?? scenario.userId;
      const put = graph.putMail({
        userId,
        tenantId: scenario.tenantId,
        conversationId: scenario.conversationId,
        subject: mailInit.subject ?? 'Quarterly numbers',
        from: mailInit.from,
        notify: false,
        ...(mailInit.internetMessageId ? { internetMessageId: mailInit.internetMessageId } : {}),
        ...(mailInit.isDraft === undefined ? {} : { isDraft: mailInit.isDraft }),
        ...(mailInit.headers ? { headers: mailInit.headers } : {}),
      });
      return {
        version: 1,
        origin: 'webhook',
        tenantId: scenario.tenantId,
        subscriptionId: scenario.subscriptionId,
        userId,
        changeType: 'created',
        resource: `Users/${userId}/Messages/${put.id}`,
        messageId: put.id,
        receivedAt: new Date(now()).toISOString(),
      };
    },
    notify: (message) => services.queues.send(queueNames.graphNotifications, message),
    count: (queue) => admin.approximateCount(queue),
    stop: async () => {
      await host?.stop();
      await services.http.close();
      await Promise.all([jira.stop(), graph.stop()]);
      await tables?.stop();
      await jiraRelay?.stop();
      await azurite.stop();
    },
  };
}

/** Polls until `check` answers something other than undefined; fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
