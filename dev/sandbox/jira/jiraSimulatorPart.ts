import { z } from 'zod';
import { JiraNotifications } from './notifyRoutes';
import { PANEL_PAGE_PATH, panelPageRoute, type PanelCredentials } from './panelPageRoute';
import { startJiraSimulator, type JiraSimulator } from './startJiraSimulator';
import { UpmLicenses } from './upmLicenses';
import type { SandboxApp, SandboxPart } from '../startSandbox';

/** The Jira app's plugin key in the sandbox (the license check asks UPM for it). */
export const SANDBOX_APP_KEY = 'com.example.jira-outlook';
/** The Jira user the sandbox's Microsoft user is (OAuth approval) and the service user. */
export const SANDBOX_JIRA_USER = 'alice';
export const SANDBOX_SERVICE_USER = 'jira-service';

const tokensSchema = z.object({ tokens: z.object({ user: z.string(), admin: z.string() }) });
const panelSchema = z.object({ issuer: z.string(), sharedSecret: z.string() });
const registeredSchema = z.object({ consumerKey: z.string(), publicKeyPem: z.string(), panel: panelSchema.optional() });
const startedSchema = z.object({ authorizeUrl: z.string() });

/**
 * The sandbox's Jira Server: the simulator with a licensed app, watchers, notify and its
 * outbox, and — once the app runs —
 * the `demo` instance registered through the admin API and authorized for the sandbox user
 * through the real OAuth dance, so the proxy works from the first request.
 */
export function jiraSimulatorPart(): SandboxPart {
  return {
    name: 'Jira Server',
    realSettings: [],
    async start(context) {
      const upm = new UpmLicenses({ apps: { [SANDBOX_APP_KEY]: { mode: 'active' } } });
      const notifications = new JiraNotifications();
      // The Jira app's admin page frames the panel with the instance's shared secret, which
      // the app hands out at registration (seed, below).
      let panel: PanelCredentials | undefined;
      const simulator = await startJiraSimulator({
        host: context.host,
        routes: [...upm.routes(), ...notifications.routes(), panelPageRoute({ appUrl: context.appUrl, credentials: () => panel })],
        controls: [(request, response, path, nowMs) => notifications.handleControl(request, response, path, nowMs)],
      });
      const instanceId = context.identity.instanceId;
      return {
        // The simulator is plain http on loopback, which production refuses.
        settings: { ALLOW_INSECURE_JIRA: 'true', ALLOW_PRIVATE_NETWORK_TARGETS: 'true' },
        file: {
          jiraUrl: simulator.url,
          jiraOutboxUrl: `${simulator.url}/_sandbox/outbox`,
          jiraAdminPageUrl: `${simulator.url}${PANEL_PAGE_PATH}`,
          jiraUser: SANDBOX_JIRA_USER,
        },
        seed: async (app) => {
          panel = await seedDemoInstance(app, simulator, instanceId);
        },
        stop: () => simulator.stop(),
      };
    },
  };
}

/** Registers and authorizes `demo`; answers the admin panel's credentials. */
async function seedDemoInstance(app: SandboxApp, simulator: JiraSimulator, instanceId: string): Promise<PanelCredentials> {
  const { tokens } = tokensSchema.parse(app.file);
  const api = `${app.url}/api`;
  const registered = registeredSchema.parse(
    await call(`${api}/manage/instances/${instanceId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        baseUrl: simulator.url,
        displayName: 'Sandbox Jira',
        serviceUser: SANDBOX_SERVICE_USER,
        appKey: SANDBOX_APP_KEY,
      }),
    }),
  );
  // What a Jira admin pastes into the application link's incoming authentication.
  simulator.registerConsumer({
    consumerKey: registered.consumerKey,
    publicKeyPem: registered.publicKeyPem,
    name: 'jira-outlook-cloud (sandbox)',
    twoLeggedUser: SANDBOX_SERVICE_USER,
    allowImpersonation: true,
  });
  const { authorizeUrl } = startedSchema.parse(
    await call(`${api}/jira/${instanceId}/oauth/start`, { method: 'POST', headers: { authorization: `Bearer ${tokens.user}` } }),
  );
  // As the Office dialog would: open the begin URL, keep the cookie that binds this browser,
  // "Allow" on Jira's page, and come back to the callback with the cookie.
  const begun = await fetch(authorizeUrl, { redirect: 'manual' });
  await begun.body?.cancel();
  const requestToken = new URL(begun.headers.get('location') ?? '', simulator.url).searchParams.get('oauth_token');
  if (begun.status !== 302 || !requestToken) throw new Error(`the OAuth begin URL answered ${begun.status}`);
  const cookie = begun.headers
    .getSetCookie()
    .map((line) => line.split(';', 1)[0] ?? '')
    .join('; ');
  const { callbackUrl } = simulator.approve(requestToken, SANDBOX_JIRA_USER);
  const done = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie } });
  await done.body?.cancel();
  if (done.status !== 200) throw new Error(`the OAuth callback answered ${done.status}`);
  // An instance that existed before (a reused Azurite) keeps its secret, unknown to us: rotate it.
  return (
    registered.panel ??
    panelSchema.parse(
      await call(`${api}/manage/panel/secret?instanceId=${instanceId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.admin}` },
      }),
    )
  );
}

async function call(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}`);
  return JSON.parse(text) as unknown;
}
