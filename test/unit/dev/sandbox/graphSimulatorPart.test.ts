import { graphSimulatorPart } from '../../../../dev/sandbox/graph/graphSimulatorPart';
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
    expect(started.file.graphUrl).toBe(new URL(started.settings.GRAPH_BASE_URL!).origin);
    await services.http.close();
  } finally {
    await started.stop();
  }
});
