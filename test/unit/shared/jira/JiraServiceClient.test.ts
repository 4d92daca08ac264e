import { startAzurite, type RunningAzurite } from '../../../../dev/azurite';
import { startJiraSimulator, type JiraSimulator } from '../../../../dev/sandbox/jira/startJiraSimulator';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { parseEncryptionKeyring } from '../../../../shared/platform/config/encryptionKeyring';
import { SecretBox } from '../../../../shared/platform/crypto/SecretBox';
import { OutboundClient } from '../../../../shared/platform/http/OutboundClient';
import { InstanceService } from '../../../../shared/jira/InstanceService';
import { JiraServiceClient } from '../../../../shared/jira/JiraServiceClient';
import { createStorageServices } from '../../../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../../../shared/platform/storage/ensureStorage';

describe('JiraServiceClient: background calls with the service credential', () => {
  let azurite: RunningAzurite;
  let jira: JiraSimulator;
  let http: OutboundClient;
  let services: { instances: InstanceService; jiraService: JiraServiceClient };
  const tenantId = newGuid();
  const clock = { now: () => Date.now() };

  beforeAll(async () => {
    azurite = await startAzurite();
    jira = await startJiraSimulator();
    const storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
    const keyring = parseEncryptionKeyring(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    if (typeof keyring === 'string') throw new Error(keyring);
    http = new OutboundClient({
      connectTimeoutMs: 2000,
      headersTimeoutMs: 5000,
      bodyTimeoutMs: 5000,
      connectionsPerOrigin: 8,
      allowPrivateNetworkTargets: true,
    });
    const instances = new InstanceService({
      repository: storage.repositories.instances,
      secrets: new SecretBox({ keyring }),
      clock,
      publicBaseUrl: 'https://app.example',
      baseUrlPolicy: { allowInsecure: true, allowPrivateTargets: true },
    });
    services = { instances, jiraService: new JiraServiceClient({ instances, http }) };
  });
  afterAll(async () => {
    await http?.close();
    await jira?.stop();
    await azurite?.stop();
  });

  async function register(
    instanceId: string,
    body: { serviceUser?: string; serviceToken?: string },
    link: { allowImpersonation?: boolean; linked?: boolean } = {},
  ) {
    const { view } = await services.instances.register(tenantId, instanceId, { baseUrl: jira.url, displayName: instanceId, ...body });
    if (link.linked !== false)
      jira.registerConsumer({
        consumerKey: view.consumerKey,
        publicKeyPem: view.publicKeyPem,
        allowImpersonation: link.allowImpersonation ?? true,
      });
  }

  const myself = async (instanceId: string, asUser?: string) => {
    const response = await services.jiraService.request(tenantId, instanceId, {
      method: 'GET',
      path: '/rest/api/2/myself',
      query: [['expand', 'groups']],
      ...(asUser ? { asUser } : {}),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };

  it('signs 2-legged OAuth impersonating the service user, or another user', async () => {
    await register('twolo', { serviceUser: 'jira-service' });
    expect(await myself('twolo')).toEqual({ status: 200, body: expect.objectContaining({ name: 'jira-service' }) as unknown });
    expect(jira.requests.at(-1)).toMatchObject({
      url: '/rest/api/2/myself?expand=groups&xoauth_requestor_id=jira-service',
      auth: { kind: 'oauth-2lo', user: 'jira-service' },
    });
    expect((await myself('twolo', 'bob')).body.name).toBe('bob');
  });

  it('sends the personal access token as a bearer', async () => {
    await register('pat', { serviceToken: jira.addPersonalAccessToken('carol') });
    expect((await myself('pat')).body.name).toBe('carol');
    expect(jira.requests.at(-1)?.auth?.kind).toBe('pat');
  });

  it('maps refusals to stable codes and returns other answers as they are', async () => {
    await register('noimp', { serviceUser: 'jira-service' }, { allowImpersonation: false });
    await expect(myself('noimp')).rejects.toMatchObject({ code: 'jira_authorization_denied' });
    await register('nolink', { serviceUser: 'jira-service' }, { linked: false });
    await expect(myself('nolink')).rejects.toMatchObject({ code: 'jira_consumer_unknown' });
    await register('nocred', {});
    await expect(myself('nocred')).rejects.toMatchObject({ code: 'jira_service_credential_missing' });
    await expect(myself('missing')).rejects.toMatchObject({ code: 'instance_not_found' });

    jira.fail({ status: 429, retryAfter: 3, count: 1 });
    const response = await services.jiraService.request(tenantId, 'twolo', {
      method: 'POST',
      path: 'rest/api/2/issue/DEMO-1/notify',
      json: { subject: 'x' },
    });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('3');
    await response.body.dump();
  });
});
