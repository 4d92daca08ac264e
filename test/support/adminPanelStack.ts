import { randomUUID } from 'node:crypto';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { panelPageRoute, PANEL_PAGE_PATH } from '../../dev/sandbox/jira/panelPageRoute';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import { UpmLicenses } from '../../dev/sandbox/jira/upmLicenses';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { functionTable } from '../../functions/functionTable';
import type { PanelCredentials } from '../../shared/admin/PanelSecretIssuer';
import { connectSignedUrl } from '../../dev/sandbox/jira/connectJwt';
import { FAST_QUEUES, startFanoutStack, type FanoutStack, type Scenario } from './fanoutStack';

/** The API audience of the stack's bearer tokens, for tests that mint their own (e.g. with other roles). */
export const PANEL_AUDIENCE = 'api://admin-panel-test';
const ADMIN_ROLE = 'Integration.Admin';
/** The Jira app's key in the simulator's plugin manager, licensed (`active`). */
export const PANEL_APP_KEY = 'com.example.outlook-cloud';

export interface PanelInstance extends Scenario {
  credentials: PanelCredentials;
}

export interface AdminPanelStack {
  fanout: FanoutStack;
  issuer: TokenIssuer;
  /** The plugin manager's license resource of the simulated Jira; `PANEL_APP_KEY` is licensed. */
  upm: UpmLicenses;
  /** The local host serving the panel's HTTP rows of the real function table. */
  http: LocalHost;
  /** Stops the fan-out's queue functions (started with `queues: true`): the queues then stay as they are. */
  stopQueues(): Promise<void>;
  /** A fresh tenant with instance `demo` registered (see `FanoutStack.newScenario`) and its panel secret. */
  newInstance(): Promise<PanelInstance>;
  /** Gives the instance's `demo` the service user and `PANEL_APP_KEY`, so its license can be checked (it is licensed). */
  licenseInstance(instance: PanelInstance): Promise<void>;
  /**
   * The URL our Jira app would frame: `/api/manage/ui?jwt=…`, a token with a fresh `jti`
   * (each token opens one session) unless `jti` is given.
   */
  panelUrl(
    instance: PanelInstance,
    options?: { jiraUser?: string; issuedAt?: number; lifetimeSeconds?: number; jti?: string },
  ): Promise<string>;
  /** The simulated Jira page that frames the panel for this instance (served by the Jira simulator). */
  jiraPageUrl(instance: PanelInstance): string;
  adminToken(tenantId: string): Promise<string>;
  userToken(tenantId: string): Promise<string>;
  stop(): Promise<void>;
}

/** The panel's rows of the function table: the page, its assets, its JSON endpoints, and the instance registration it edits. */
export const panelRows: readonly FunctionDefinition[] = functionTable.filter(
  (row) =>
    row.kind === 'http' && (row.route.startsWith('manage/ui') || row.route.startsWith('manage/panel') || row.name === 'manageInstances'),
);

/**
 * Azurite, the Jira and Graph simulators and the app's real services (the fan-out stack),
 * a token issuer for admin bearer tokens, and a local host serving the panel's rows of the
 * real function table. With `queues`, a second local host runs the fan-out's queue rows,
 * `notifyIssueWatchers` with the poison count the function table gives it. `env` adds
 * settings (e.g. the operator role).
 */
export async function startAdminPanelStack(init: { queues?: boolean; env?: Record<string, string> } = {}): Promise<AdminPanelStack> {
  const issuer = await startTokenIssuer();
  const fanout = await startFanoutStack({
    host: false,
    env: { API_AUDIENCE: PANEL_AUDIENCE, ...issuer.appSettings, ADMIN_ROLE, ...init.env },
  });
  const { services } = fanout;
  const upm = new UpmLicenses({ apps: { [PANEL_APP_KEY]: { mode: 'active' } } });
  for (const route of upm.routes()) fanout.jira.addRoute(route);
  const log = { write: () => undefined };
  const http = await startLocalHost({ functions: panelRows, services, port: 0, log });
  let queueHost: LocalHost | undefined;
  if (init.queues) {
    const rows = functionTable.filter((row) => row.name === 'processMailNotification' || row.name === 'notifyIssueWatchers');
    queueHost = await startLocalHost({
      functions: rows,
      services,
      queueClient: (name) => services.queueClients.get(name),
      port: 0,
      log,
      queues: FAST_QUEUES,
    });
  }
  // One page route for every tenant of the stack: the simulator is one Jira, the stack's tenants each registered it as `demo`.
  let pageFor: PanelCredentials | undefined;
  fanout.jira.addRoute(panelPageRoute({ appUrl: http.url, credentials: () => pageFor }));

  return {
    fanout,
    issuer,
    upm,
    http,
    stopQueues: async () => {
      await queueHost?.stop();
      queueHost = undefined;
    },
    newInstance: async () => {
      const scenario = await fanout.newScenario();
      const credentials = await services.admin.panelSecrets.issue({ tenantId: scenario.tenantId, instanceId: scenario.instanceId });
      return { ...scenario, credentials };
    },
    licenseInstance: async (instance) => {
      await services.instances.register(instance.tenantId, 'demo', {
        baseUrl: fanout.jira.url,
        displayName: 'Demo',
        serviceUser: 'jira-service',
        appKey: PANEL_APP_KEY,
      });
    },
    panelUrl: (instance, options = {}) =>
      connectSignedUrl({
        method: 'GET',
        url: new URL(`${http.url}/api/manage/ui`),
        issuer: instance.credentials.issuer,
        sharedSecret: instance.credentials.sharedSecret,
        jiraUser: options.jiraUser ?? 'admin',
        issuedAt: options.issuedAt ?? Math.floor(Date.now() / 1000),
        ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
        jti: options.jti ?? randomUUID(),
      }),
    jiraPageUrl: (instance) => {
      pageFor = instance.credentials;
      return `${fanout.jira.url}${PANEL_PAGE_PATH}`;
    },
    adminToken: (tenantId) =>
      issuer.mint({ tenantId, userId: '00000000-0000-4000-8000-00000000adad', audience: PANEL_AUDIENCE, roles: [ADMIN_ROLE] }),
    userToken: (tenantId) => issuer.mint({ tenantId, userId: '00000000-0000-4000-8000-0000000005e7', audience: PANEL_AUDIENCE }),
    stop: async () => {
      await queueHost?.stop();
      queueHost = undefined;
      await http.stop();
      await fanout.stop();
      await issuer.stop();
    },
  };
}
