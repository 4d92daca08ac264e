import { graphSimulatorPart } from '../../../../dev/sandbox/graph/graphSimulatorPart';
import { tokenIssuerPart } from '../../../../dev/sandbox/issuer/tokenIssuerPart';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import type { SandboxIdentity } from '../../../../dev/sandbox/startSandbox';
import { loadConfig } from '../../../../shared/platform/config/loadConfig';
import { createServices } from '../../../../functions/compose';

const identity: SandboxIdentity = {
  tenantId: newGuid(),
  userId: newGuid(),
  userName: 'U',
  adminUserId: newGuid(),
  otherTenantId: newGuid(),
  otherTenantUserId: newGuid(),
  appClientId: newGuid(),
  appClientSecret: 'a-secret-long-enough',
  instanceId: 'demo',
};

test('the sandbox Graph part points a valid configuration at a running simulator, rich notifications included', async () => {
  const started = await graphSimulatorPart().start({
    host: '127.0.0.1',
    appUrl: 'http://127.0.0.1:7071',
    identity,
    setting: () => undefined,
  });
  try {
    const config = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
      API_AUDIENCE: 'api://x',
      // The simulator listens on loopback, which the production client refuses.
      ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      ...started.settings,
    });
    const services = createServices({ config });
    expect(services.graphWebhooks.decryptor).toBeDefined();
    // The app's own Graph client gets a token and an answer from the simulator.
    const page = await services.graph.forTenant(identity.tenantId).listMessagesSince(identity.userId, '2020-01-01T00:00:00Z').next();
    expect(page.value).toEqual([]);
    // The sandbox user is in the directory: the panel of npm start names their mailbox.
    expect(await services.admin.users.resolve(identity.tenantId, [identity.userId])).toEqual(
      new Map([[identity.userId, { kind: 'user', displayName: 'U', mail: 'sandbox.user@sandbox.test' }]]),
    );
    expect(started.file.graphUrl).toBe(new URL(started.settings.GRAPH_BASE_URL!).origin);
    await services.http.close();
  } finally {
    await started.stop();
  }
});

test('after the token issuer part, the sandbox Graph trades the sandbox user’s token on-behalf-of, so shared-mailbox links work in npm start', async () => {
  const issuerPart = await tokenIssuerPart().start({
    host: '127.0.0.1',
    appUrl: 'http://127.0.0.1:7071',
    identity,
    setting: () => undefined,
  });
  const graphPart = await graphSimulatorPart().start({
    host: '127.0.0.1',
    appUrl: 'http://127.0.0.1:7071',
    identity,
    setting: (name) => issuerPart.settings[name],
  });
  try {
    const config = loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
      ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
      ...issuerPart.settings,
      ...graphPart.settings,
    });
    const services = createServices({ config });
    const userToken = (issuerPart.file.tokens as { user: string }).user;
    // Delegated, as the sandbox user: their own mailbox answers (an empty conversation), another one is refused.
    const asUser = services.graph.forTenant(identity.tenantId).asUser(userToken);
    expect(await asUser.hasConversation(identity.userId, 'conv-none')).toBe(false);
    await expect(asUser.hasConversation(identity.otherTenantUserId, 'conv-none')).rejects.toMatchObject({ code: 'graph_access_denied' });
    await services.http.close();
  } finally {
    await graphPart.stop();
    await issuerPart.stop();
  }
});
