import type { Dispatcher } from 'undici';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import type { QueueTriggerOptions } from '../../dev/host/QueueTriggerOptions';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { startGraphSimulator, type GraphSimulator } from '../../dev/sandbox/graph/startGraphSimulator';
import { JiraNotifications } from '../../dev/sandbox/jira/notifyRoutes';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { UpmLicenses } from '../../dev/sandbox/jira/upmLicenses';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import { freePort } from '../../bench/freePort';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { functionTable } from '../../functions/functionTable';
import type { Clock } from '../../shared/platform/clock';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { QueueAdmin } from '../../shared/platform/storage/QueueAdmin';
import { FAST_QUEUES } from './fanoutStack';
import { Browser, runConsent } from './browser';
import { ADDIN_ORIGIN, ADMIN_ROLE, AUDIENCE, LogCapture, send, type Reply } from './proxyStack';

/** The Jira app's plugin key the stack's UPM knows as licensed. */
export const APP_KEY = 'com.example.jira-outlook';
/** The Jira user background calls run as (2-legged OAuth with impersonation). */
export const SERVICE_USER = 'jira-service';
export const GRAPH_CLIENT_ID = '00000000-0000-4000-8000-0000000c4a05';
export const GRAPH_CLIENT_SECRET = 'stack-graph-client-secret-5d1e';
/** Whole, so a test can look for it (and its halves) in captured logs. */
export const DATA_KEY_BASE64 = Buffer.alloc(32, 0x5c).toString('base64');

export interface AppStackInit {
  /** Function table rows to serve; every row by default. */
  functions?: (row: FunctionDefinition) => boolean;
  /** Queue trigger settings over FAST_QUEUES; `false` runs no queue functions in this process. */
  queues?: false | Partial<QueueTriggerOptions>;
  /** Settings over the stack's own. */
  env?: Record<string, string>;
  /** Where every line goes (the host's, `context.log`); a fresh capture by default. */
  log?: LogCapture;
  /** Graph simulator redelivery delays (Graph's own back off for hours). */
  graphRetryDelaysMs?: number[];
  /** Run no host in this process (a child process serves the function table on `url`). */
  host?: boolean;
  /** Storage to use instead of a fresh in-memory Azurite; the caller stops it. */
  azurite?: RunningAzurite;
  /** One clock for the app, the host, the token issuer and both simulators (a test moves it); the system's by default. */
  clock?: Clock;
}

export interface StackUsers {
  tenantId: string;
  userId: string;
  /** The same tenant, another user. */
  colleagueId: string;
  otherTenantId: string;
  otherTenantUserId: string;
}

export interface StackTokens {
  user: string;
  admin: string;
  colleague: string;
  otherTenantUser: string;
  otherTenantAdmin: string;
}

export interface AppStack {
  azurite: RunningAzurite;
  issuer: TokenIssuer;
  jira: JiraSimulator;
  notifications: JiraNotifications;
  upm: UpmLicenses;
  graph: GraphSimulator;
  services: Services;
  /** The local host, unless `host: false`. */
  host: LocalHost | undefined;
  /** `http://127.0.0.1:port`: PUBLIC_BASE_URL, where Graph posts and the OAuth callback lands. */
  url: string;
  port: number;
  /** The app settings, for a child process to build the same services. */
  env: Record<string, string>;
  log: LogCapture;
  queues: QueueAdmin;
  users: StackUsers;
  tokens: StackTokens;
  mint(user: { tenantId: string; userId: string; roles?: string[] }): Promise<string>;
  /** An HTTP request to the app, its path sent exactly as given. */
  send(
    method: Dispatcher.HttpMethod,
    path: string,
    options?: { token?: string; headers?: Record<string, string>; body?: string | Buffer },
  ): Promise<Reply>;
  /**
   * Registers an instance through the admin API (service user, app key) and links its consumer key in Jira;
   * `authKind: 'oauth2'` also creates an incoming OAuth 2.0 link in Jira and registers its client id and secret.
   */
  registerInstance(
    instanceId: string,
    options?: { adminToken?: string; baseUrl?: string; authKind?: 'oauth1' | 'oauth2' },
  ): Promise<Record<string, unknown>>;
  /** The OAuth dance for one user: start, begin in one browser, approve in Jira as `jiraUser`, follow the callback there; answers the callback page. */
  authorize(userToken: string, instanceId: string, jiraUser: string): Promise<Reply>;
  /**
   * `POST /api/links` as the add-in does (which subscribes the caller's mailbox at Graph).
   * Linking needs the user's own Jira authorization: a user who has not been through the
   * dance for the instance in this stack goes through it first (as `jiraUser`, alice by
   * default); `jiraUser: false` links without it.
   */
  link(
    userToken: string,
    link: { conversationId: string; instanceId: string; issueKey: string; sharedMailbox?: string },
    options?: { jiraUser?: string | false },
  ): Promise<Reply>;
  stop(): Promise<void>;
}

/**
 * The whole app as `npm start` runs it: Azurite, the token issuer, the Jira simulator (with
 * watchers, notify and UPM), the Graph simulator, the app's real services and the function
 * table on the local host, PUBLIC_BASE_URL pointing at it so Graph's handshakes, Graph's
 * notifications and Jira's OAuth callback really arrive. Compose the integration helpers
 * (`proxyStack`, `fanoutStack`) rather than repeat them.
 */
export async function startAppStack(init: AppStackInit = {}): Promise<AppStack> {
  const log = init.log ?? new LogCapture();
  const azurite = init.azurite ?? (await startAzurite());
  const clock = init.clock;
  const issuer = await startTokenIssuer(clock ? { clock } : {});
  const notifications = new JiraNotifications();
  const upm = new UpmLicenses({ apps: { [APP_KEY]: { mode: 'active' } }, admins: [SERVICE_USER] });
  const jira = await startJiraSimulator({ routes: [...upm.routes(), ...notifications.routes()], ...(clock ? { clock } : {}) });
  const graph = await startGraphSimulator({
    ...(clock ? { clock } : {}),
    clientId: GRAPH_CLIENT_ID,
    clientSecret: GRAPH_CLIENT_SECRET,
    tokenLifetimeSeconds: 24 * 3600,
    retryDelaysMs: init.graphRetryDelaysMs ?? [200, 500, 1000, 2000, 4000],
    // The add-in's tokens are addressed to our API; the app trades them for delegated Graph tokens.
    onBehalfOf: { jwksUrl: issuer.jwksUrl, audiences: [AUDIENCE] },
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    AzureWebJobsStorage: azurite.connectionString,
    DATA_ENCRYPTION_KEY: `k1:${DATA_KEY_BASE64}`,
    PUBLIC_BASE_URL: url,
    API_AUDIENCE: AUDIENCE,
    ...issuer.appSettings,
    ADMIN_ROLE,
    GRAPH_CLIENT_ID,
    GRAPH_CLIENT_SECRET,
    GRAPH_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_BASE_URL: graph.baseUrl,
    GRAPH_VALIDATION_JWKS_URL: graph.validationJwksUrl,
    GRAPH_VALIDATION_ISSUER_TEMPLATE: graph.validationIssuerTemplate,
    ALLOW_INSECURE_JIRA: 'true',
    ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
    ALLOWED_ORIGINS: ADDIN_ORIGIN,
    DELIVERY_LEASE: '20s',
    NOTIFY_RETRY_MAX_DELAY: '20s',
    // Storm control off: these tests count one notification per mail; the storm tests set a window.
    NOTIFY_DIGEST_WINDOW: '0s',
    ...init.env,
  };
  const services = createServices({ config: loadConfig(env), ...(clock ? { clock } : {}) });
  await ensureStorage(services);
  const rows = init.functions ? functionTable.filter(init.functions) : functionTable;
  const host =
    init.host === false
      ? undefined
      : await startLocalHost({
          functions: init.queues === false ? rows.filter((row) => row.kind !== 'queue') : rows,
          services,
          queueClient: (name) => services.queueClients.get(name),
          port,
          log: log.hostLog,
          queues: { ...FAST_QUEUES, ...(init.queues === false ? {} : init.queues) },
          ...(clock ? { clock } : {}),
        });

  const users: StackUsers = {
    tenantId: newGuid(),
    userId: newGuid(),
    colleagueId: newGuid(),
    otherTenantId: newGuid(),
    otherTenantUserId: newGuid(),
  };
  const mint = (user: { tenantId: string; userId: string; roles?: string[] }) =>
    issuer.mint({ tenantId: user.tenantId, userId: user.userId, audience: AUDIENCE, ...(user.roles ? { roles: user.roles } : {}) });
  const tokens: StackTokens = {
    user: await mint({ tenantId: users.tenantId, userId: users.userId }),
    admin: await mint({ tenantId: users.tenantId, userId: newGuid(), roles: [ADMIN_ROLE] }),
    colleague: await mint({ tenantId: users.tenantId, userId: users.colleagueId }),
    otherTenantUser: await mint({ tenantId: users.otherTenantId, userId: users.otherTenantUserId }),
    otherTenantAdmin: await mint({ tenantId: users.otherTenantId, userId: newGuid(), roles: [ADMIN_ROLE] }),
  };
  const target: LocalHost = { url, port, stop: () => Promise.resolve() };
  const call: AppStack['send'] = (method, path, options = {}) => send(host ?? target, method, path, options);
  /** `token + instance` of every dance this stack completed, so `link` goes through it once per user. */
  const authorized = new Set<string>();
  const authorize: AppStack['authorize'] = async (userToken, instanceId, jiraUser) => {
    const started = await call('POST', `/api/jira/${instanceId}/oauth/start`, { token: userToken });
    if (started.status !== 200) throw new Error(`oauth start answered ${started.status}: ${started.text}`);
    const { callback: done } = await runConsent(
      new Browser({ origin: url, send: call }),
      String(started.json().authorizeUrl),
      jira,
      jiraUser,
    );
    if (done.status === 200) authorized.add(`${userToken}\n${instanceId}`);
    return done;
  };

  return {
    azurite,
    issuer,
    jira,
    notifications,
    upm,
    graph,
    services,
    host,
    url,
    port,
    env,
    log,
    queues: new QueueAdmin({ queues: services.queueClients }),
    users,
    tokens,
    mint,
    send: call,
    registerInstance: async (instanceId, options = {}) => {
      const client = options.authKind === 'oauth2' ? jira.addOAuth2Client(`${url}/api/jira/oauth/callback`) : undefined;
      const reply = await call('PUT', `/api/manage/instances/${instanceId}`, {
        token: options.adminToken ?? tokens.admin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          baseUrl: options.baseUrl ?? jira.url,
          displayName: `Jira ${instanceId}`,
          serviceUser: SERVICE_USER,
          appKey: APP_KEY,
          ...(client ? { authKind: 'oauth2', oauth2ClientId: client.clientId, oauth2ClientSecret: client.clientSecret } : {}),
        }),
      });
      if (reply.status !== 201 && reply.status !== 200)
        throw new Error(`registration of ${instanceId} answered ${reply.status}: ${reply.text}`);
      const view = reply.json();
      jira.registerConsumer({
        consumerKey: String(view.consumerKey),
        publicKeyPem: String(view.publicKeyPem),
        twoLeggedUser: SERVICE_USER,
        allowImpersonation: true,
      });
      return view;
    },
    authorize,
    link: async (userToken, link, options = {}) => {
      const jiraUser = options.jiraUser ?? 'alice';
      if (jiraUser !== false && !authorized.has(`${userToken}\n${link.instanceId}`)) {
        const done = await authorize(userToken, link.instanceId, jiraUser);
        if (done.status !== 200) throw new Error(`the OAuth dance before linking answered ${done.status}: ${done.text}`);
      }
      return call('POST', '/api/links', { token: userToken, headers: { 'content-type': 'application/json' }, body: JSON.stringify(link) });
    },
    stop: async () => {
      await host?.stop();
      await services.http.close();
      await Promise.all([jira.stop(), graph.stop(), issuer.stop()]);
      if (!init.azurite) await azurite.stop();
    },
  };
}
