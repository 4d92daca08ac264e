import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { azuriteConnectionString, startAzurite, type RunningAzurite } from '../../dev/azurite';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { createSelfSignedCertificate, type SelfSignedCertificate } from '../../dev/sandbox/graph/createSelfSignedCertificate';
import { startGraphSimulator, type GraphSimulator } from '../../dev/sandbox/graph/startGraphSimulator';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import type { HttpServiceHandler } from '../../functions/FunctionDefinition';
import { functionTable } from '../../functions/functionTable';
import { withHttpEdge } from '../../functions/http/withHttpEdge';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { QueueAdmin } from '../../shared/platform/storage/QueueAdmin';
import { queueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import { fromGraphNotificationPack } from '../../shared/mail/webhooks/fromGraphNotificationPack';
import { graphNotificationPackSchema } from '../../shared/mail/webhooks/graphNotificationPack';

export const GRAPH_CLIENT_ID = '0f0e0d0c-0b0a-4000-8000-000000000001';
const GRAPH_CLIENT_SECRET = 'sandbox-graph-secret';
const AUDIENCE = 'api://jira-outlook-cloud-graph-test';

/** A clock the test moves forward; shared by the app, the simulator and the token issuer. */
export class TestClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** A TCP relay in front of a port that the test can cut, to take storage "down" and back. */
export class CuttableRelay {
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly state: { cut: boolean; sockets: Set<net.Socket> },
  ) {}

  static async start(targetPort: number): Promise<CuttableRelay> {
    const state = { cut: false, sockets: new Set<net.Socket>() };
    const server = net.createServer((client) => {
      if (state.cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        state.sockets.add(socket);
        socket.once('close', () => state.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CuttableRelay(server, (server.address() as AddressInfo).port, state);
  }

  down(): void {
    this.state.cut = true;
    for (const socket of this.state.sockets) socket.destroy();
  }

  up(): void {
    this.state.cut = false;
  }

  stop(): Promise<void> {
    this.down();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface GraphHarnessInit {
  /** Rich notifications on (an encryption certificate configured). */
  rich?: boolean;
  /** Storage behind a relay the test can cut. */
  cuttableStorage?: boolean;
  /** `GRAPH_SUBSCRIPTION_MINUTES`; unset asks Graph's maximum for the kind, as the app does by default. */
  subscriptionMinutes?: number;
  renewalWindowMinutes?: number;
  retryDelaysMs?: number[];
}

export interface GraphHarness {
  azurite: RunningAzurite;
  simulator: GraphSimulator;
  /** The instances' Jira: issues DEMO-1 … DEMO-10; linking checks them as the user. */
  jira: JiraSimulator;
  issuer: TokenIssuer;
  services: Services;
  host: LocalHost;
  appUrl: string;
  clock: TestClock;
  /** Cuts and restores the connections to Azurite's queues and tables (with `cuttableStorage`). */
  storage: { down(): void; up(): void } | undefined;
  certificate: SelfSignedCertificate | undefined;
  tenantId: string;
  userId: string;
  instanceId: string;
  /** A fresh bearer token for a user of a tenant (the harness's by default). */
  token(user?: { tenantId: string; userId: string }): Promise<string>;
  /**
   * Calls the app over HTTP, as the add-in would. The user has authorized the app in Jira
   * (as alice, like the sandbox user), unless `jiraAuthorized: false`.
   */
  fetchApp(path: string, init?: RequestInit & { user?: { tenantId: string; userId: string }; jiraAuthorized?: boolean }): Promise<Response>;
  /**
   * Gives a user a Jira access token for the instance, as the end of the OAuth dance would
   * (issued by the simulated Jira, stored encrypted by the app); once per user and instance.
   */
  authorizeInJira(user: { tenantId: string; userId: string }, instanceId?: string, jiraUser?: string): Promise<void>;
  /** Calls a handler as written (not a `functionTable` row's, which is wrapped already) through withHttpEdge, with real request and context objects. */
  invoke(
    handler: HttpServiceHandler,
    init: { method: string; url: string; body?: string; headers?: Record<string, string> },
  ): Promise<{ response: HttpResponse; body: string; logs: string[] }>;
  /** Takes every visible message of a queue, decoded as the trigger would. */
  drain(queue: QueueName): Promise<unknown[]>;
  registerInstance(tenantId: string, instanceId: string): Promise<void>;
  stop(): Promise<void>;
}

/** The HTTP functions of issue 3, served by the local host; queues are left for the test to read. */
const HTTP_FUNCTIONS = new Set(['graphNotifications', 'graphLifecycle', 'links']);
const httpRows = functionTable.filter((row) => HTTP_FUNCTIONS.has(row.name));

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Azurite, the token issuer, the Graph simulator and the app (the real services, its
 * Graph HTTP functions on the local host) wired together the way `npm start` wires them.
 */
export async function startGraphHarness(init: GraphHarnessInit = {}): Promise<GraphHarness> {
  const clock = new TestClock();
  const azurite = await startAzurite();
  const relay = init.cuttableStorage ? await CuttableRelay.start(azurite.queuePort) : undefined;
  const tableRelay = init.cuttableStorage ? await CuttableRelay.start(azurite.tablePort) : undefined;
  const issuer = await startTokenIssuer({ clock });
  const jira = await startJiraSimulator({ clock });
  for (let number = 4; number <= 10; number += 1)
    jira.state.issues.set(`DEMO-${number}`, {
      key: `DEMO-${number}`,
      summary: `Demo issue ${number}`,
      watchers: ['bob'],
      reporter: 'alice',
    });
  const simulator = await startGraphSimulator({
    clientId: GRAPH_CLIENT_ID,
    clientSecret: GRAPH_CLIENT_SECRET,
    clock,
    tokenLifetimeSeconds: 24 * 3600,
    retryDelaysMs: init.retryDelaysMs ?? [100, 200],
  });
  const certificate = init.rich ? createSelfSignedCertificate('graph harness') : undefined;
  const port = await freePort();
  const appUrl = `http://127.0.0.1:${port}`;
  const connectionString =
    relay && tableRelay
      ? azuriteConnectionString('127.0.0.1', { blobPort: azurite.blobPort, queuePort: relay.port, tablePort: tableRelay.port })
      : azurite.connectionString;
  const services = createServices({
    clock,
    config: loadConfig({
      AzureWebJobsStorage: connectionString,
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
      PUBLIC_BASE_URL: appUrl,
      API_AUDIENCE: AUDIENCE,
      ...issuer.appSettings,
      GRAPH_CLIENT_ID,
      GRAPH_CLIENT_SECRET,
      GRAPH_AUTHORITY_HOST: simulator.authorityHost,
      GRAPH_BASE_URL: simulator.baseUrl,
      GRAPH_VALIDATION_JWKS_URL: simulator.validationJwksUrl,
      GRAPH_VALIDATION_ISSUER_TEMPLATE: simulator.validationIssuerTemplate,
      ...(init.subscriptionMinutes === undefined ? {} : { GRAPH_SUBSCRIPTION_MINUTES: String(init.subscriptionMinutes) }),
      GRAPH_RENEWAL_WINDOW_MINUTES: String(init.renewalWindowMinutes ?? 720),
      ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      ALLOW_INSECURE_JIRA: 'true',
      ...(certificate
        ? {
            GRAPH_ENCRYPTION_CERTIFICATE: certificate.certificate,
            GRAPH_ENCRYPTION_CERTIFICATE_ID: 'harness-cert-1',
            GRAPH_ENCRYPTION_PRIVATE_KEYS: `harness-cert-1:${certificate.privateKey}`,
          }
        : {}),
    }),
  });
  await ensureStorage(services);
  const host = await startLocalHost({ functions: httpRows, services, port, clock, log: { write: () => undefined } });
  const admin = new QueueAdmin({ queues: services.queueClients });
  const tenantId = newGuid();
  const userId = newGuid();
  const instanceId = 'demo';

  const token = (user = { tenantId, userId }) => issuer.mint({ tenantId: user.tenantId, userId: user.userId, audience: AUDIENCE });
  const registerInstance = async (tenant: string, instance: string) => {
    const { view } = await services.instances.register(tenant, instance, {
      baseUrl: jira.url,
      displayName: 'Demo',
      serviceUser: 'jira-service',
    });
    jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
  };
  await registerInstance(tenantId, instanceId);
  const authorized = new Set<string>();
  const authorizeInJira: GraphHarness['authorizeInJira'] = async (user, instance = instanceId, jiraUser = 'alice') => {
    const key = `${user.tenantId}\n${user.userId}\n${instance}`;
    if (authorized.has(key)) return;
    const { consumerKey } = (await services.instances.require(user.tenantId, instance)).entity;
    const token = { key: randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex') };
    jira.state.accessTokens.set(token.key, {
      token: token.key,
      secret: token.secret,
      consumerKey,
      user: jiraUser,
      expiresAt: clock.now() + 365 * 86_400_000,
      revoked: false,
    });
    const { displayName } = jira.state.users.get(jiraUser) ?? { displayName: jiraUser };
    await services.jiraTokenStore.putAccess(user.tenantId, user.userId, instance, token, { name: jiraUser, displayName });
    authorized.add(key);
  };

  return {
    azurite,
    simulator,
    jira,
    issuer,
    services,
    host,
    appUrl,
    clock,
    storage:
      relay && tableRelay
        ? {
            down: () => {
              relay.down();
              tableRelay.down();
            },
            up: () => {
              relay.up();
              tableRelay.up();
            },
          }
        : undefined,
    certificate,
    tenantId,
    userId,
    instanceId,
    token,
    registerInstance,
    authorizeInJira,
    fetchApp: async (path, requestInit = {}) => {
      const { user, headers, jiraAuthorized, ...rest } = requestInit;
      // Only where the instance exists: a test may call with a tenant that has none.
      const who = user ?? { tenantId, userId };
      if (jiraAuthorized !== false && (await services.instances.find(who.tenantId, instanceId))) await authorizeInJira(who);
      return fetch(`${appUrl}${path}`, {
        ...rest,
        headers: { authorization: `Bearer ${await token(user)}`, ...(headers as Record<string, string> | undefined) },
      });
    },
    invoke: async (handler, request) => {
      const logs: string[] = [];
      const context = new InvocationContext({
        functionName: 'test',
        logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
      });
      const result = await withHttpEdge(handler)(
        new HttpRequest({
          method: request.method,
          url: request.url,
          headers: request.headers ?? {},
          ...(request.body === undefined ? {} : { body: { string: request.body } }),
        }),
        context,
        services,
      );
      const response = new HttpResponse(result);
      return { response, body: await response.text(), logs };
    },
    drain: async (queue) => {
      const bodies: unknown[] = [];
      for (;;) {
        const batch = await admin.receive(queue, { max: 32, visibilityTimeoutSeconds: 300 });
        if (batch.length === 0) return bodies;
        for (const message of batch) {
          // A pack of notifications stands for its items, as the fan-out sees them.
          const pack = graphNotificationPackSchema.safeParse(message.body);
          if (queue === queueNames.graphNotifications && pack.success) bodies.push(...fromGraphNotificationPack(pack.data));
          else bodies.push(message.body);
          await admin.delete(queue, message);
        }
      }
    },
    stop: async () => {
      await host.stop();
      await simulator.stop();
      await jira.stop();
      await issuer.stop();
      await services.http.close();
      await relay?.stop();
      await tableRelay?.stop();
      await azurite.stop();
    },
  };
}
