import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { UpmLicenses } from '../../dev/sandbox/jira/upmLicenses';
import { newGuid } from '../../dev/sandbox/newGuid';
import { AppError } from '../../shared/platform/errors/AppError';
import type { LoadedInstance } from '../../shared/jira/InstanceService';
import { UpmLicenseClient } from '../../shared/licenses/UpmLicenseClient';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(AppError);
  return caught as AppError;
}

describe('UpmLicenseClient against the simulated UPM', () => {
  let azurite: RunningAzurite;
  let services: Services;
  let jira: JiraSimulator;
  let client: UpmLicenseClient;
  const upm = new UpmLicenses({ apps: { 'com.example.outlook': { mode: 'active' } } });
  const tenantId = newGuid();
  let counter = 0;

  async function instance(init: { appKey?: string; serviceUser?: string; serviceToken?: string }): Promise<LoadedInstance> {
    counter += 1;
    const instanceId = `upm-${counter}`;
    const { view } = await services.instances.register(tenantId, instanceId, { baseUrl: jira.url, displayName: 'UPM', ...init });
    jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
    return services.instances.require(tenantId, instanceId);
  }

  beforeAll(async () => {
    azurite = await startAzurite();
    jira = await startJiraSimulator({ routes: upm.routes() });
    services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: azurite.connectionString,
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://license-upm-client-test',
        GRAPH_CLIENT_ID: newGuid(),
        GRAPH_CLIENT_SECRET: 'not-a-real-secret',
        ALLOW_INSECURE_JIRA: 'true',
        ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      }),
    });
    await ensureStorage(services);
    client = new UpmLicenseClient({ http: services.http });
  });

  afterAll(async () => {
    await services?.http.close();
    await jira?.stop();
    await azurite?.stop();
  });

  it('reads the license with 2-legged OAuth as the service user', async () => {
    const result = await client.fetchLicense(await instance({ appKey: 'com.example.outlook', serviceUser: 'jira-service' }));
    expect(result).toMatchObject({ found: true, body: { pluginKey: 'com.example.outlook', valid: true } });
  });

  it("reads it with the service user's personal access token when one is stored", async () => {
    const token = jira.addPersonalAccessToken('jira-service');
    jira.clearRequests();
    const result = await client.fetchLicense(await instance({ appKey: 'com.example.outlook', serviceToken: token }));
    expect(result).toMatchObject({ found: true });
    expect(jira.requests.at(-1)?.auth).toMatchObject({ kind: 'pat', user: 'jira-service' });
  });

  it('reports an app that is not installed (404) as not found', async () => {
    expect(await client.fetchLicense(await instance({ appKey: 'com.example.absent', serviceUser: 'jira-service' }))).toEqual({
      found: false,
    });
  });

  it('refuses every other answer as a failure, not a verdict', async () => {
    const target = await instance({ appKey: 'com.example.outlook', serviceUser: 'jira-service' });

    expect((await failureOf(client.fetchLicense(await instance({ appKey: 'com.example.outlook', serviceUser: 'alice' })))).code).toBe(
      'jira_forbidden',
    );

    jira.fail({ status: 503, retryAfter: 5, count: 1 });
    expect((await failureOf(client.fetchLicense(target))).code).toBe('upstream_unreachable');

    upm.setOutage('reset');
    try {
      expect((await failureOf(client.fetchLicense(target))).code).toBe('upstream_unreachable');
    } finally {
      upm.setOutage(undefined);
    }

    // A redirect (a login page, a moved instance) is never followed.
    jira.redirect('/rest/plugins/1.0/com.example.outlook-key/license', 'https://elsewhere.example.test/login');
    try {
      expect((await failureOf(client.fetchLicense(target))).code).toBe('upstream_bad_response');
    } finally {
      jira.state.redirects.clear();
    }

    // Still usable afterwards: the connection pool was not left with unread bodies.
    expect(await client.fetchLicense(target)).toMatchObject({ found: true });
  });

  it('needs an app key and a service credential before it calls Jira', async () => {
    // Registration itself reads Jira's application-links manifest; only the license calls count here.
    const withoutAppKey = await instance({ serviceUser: 'jira-service' });
    const withoutCredential = await instance({ appKey: 'com.example.outlook' });
    jira.clearRequests();
    expect((await failureOf(client.fetchLicense(withoutAppKey))).code).toBe('jira_app_key_missing');
    expect((await failureOf(client.fetchLicense(withoutCredential))).code).toBe('jira_service_credential_missing');
    expect(jira.requests).toHaveLength(0);
  });
});
