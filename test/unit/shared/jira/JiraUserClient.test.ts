import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedInstance } from '../../../../shared/jira/InstanceService';
import { JiraUserAuthorizer } from '../../../../shared/jira/JiraUserAuthorizer';
import { JiraUserClient } from '../../../../shared/jira/JiraUserClient';
import { OAuthSigner, type OAuthToken } from '../../../../shared/jira/OAuthSigner';
import { OutboundClient } from '../../../../shared/platform/http/OutboundClient';

/**
 * The link check's Jira call, against a small server that answers as told: how each
 * answer becomes a result or a stable error, and what is signed and sent.
 */
describe('JiraUserClient.issueAccess', () => {
  const answer: { status: number; headers: Record<string, string> } = { status: 200, headers: {} };
  const seen: { url: string; authorization: string }[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization ?? '' });
    request.resume();
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end('{"key":"DEMO-1","fields":{"summary":"x"}}');
  });
  const outbound = new OutboundClient({
    connectTimeoutMs: 2000,
    headersTimeoutMs: 5000,
    bodyTimeoutMs: 5000,
    connectionsPerOrigin: 4,
    allowPrivateNetworkTargets: true,
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stored = new Map<string, OAuthToken>();
  const dropped: OAuthToken[] = [];
  let client: JiraUserClient;
  const caller = { tenantId: 'tenant-1', userId: 'user-1' };

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jira`;
    const instance: LoadedInstance = {
      entity: {
        tenantId: caller.tenantId,
        instanceId: 'demo',
        baseUrl,
        displayName: 'Demo',
        consumerKey: 'consumer-1',
        publicKeyPem: 'unused',
        encryptedPrivateKey: 'unused',
        createdAt: '2030-01-01T00:00:00.000Z',
        updatedAt: '2030-01-01T00:00:00.000Z',
      },
      signer: new OAuthSigner({ consumerKey: 'consumer-1', privateKey, clock: { now: () => Date.now() } }),
      serviceToken: () => undefined,
    };
    const startUrl = (instanceId: string) => `https://app.example/api/jira/${instanceId}/oauth/start`;
    client = new JiraUserClient({
      instances: { require: async () => instance, startUrl },
      authorizer: new JiraUserAuthorizer({
        instances: { startUrl },
        tokens: {
          getAccess: async (_tenantId, userId) => stored.get(userId),
          dropRejected: async (_tenantId, userId, _instanceId, token) => {
            dropped.push(token);
            stored.delete(userId);
          },
          dropRejectedGrant: async () => {
            throw new Error('an OAuth 1.0a instance has no OAuth 2.0 grant to drop');
          },
        },
        bearers: {
          current: async () => {
            throw new Error('an OAuth 1.0a instance asks for no bearer token');
          },
          renew: async () => {
            throw new Error('an OAuth 1.0a instance renews no bearer token');
          },
        },
      }),
      http: outbound,
    });
  });
  afterAll(async () => {
    await outbound.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    stored.set(caller.userId, { key: 'access-token-1', secret: 'secret-1' });
    seen.length = 0;
    dropped.length = 0;
    answer.status = 200;
    answer.headers = {};
  });

  test('asks for the issue as the user (their token in the signature), under the instance base path', async () => {
    expect(await client.issueAccess(caller, 'demo', 'DEMO-1')).toEqual({ kind: 'visible' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/jira/rest/api/2/issue/DEMO-1?fields=summary');
    expect(seen[0]!.authorization).toMatch(/^OAuth /);
    expect(seen[0]!.authorization).toContain('oauth_token="access-token-1"');
    expect(seen[0]!.authorization).toContain('oauth_signature_method="RSA-SHA1"');
  });

  test('404 and 403 are answers, not errors', async () => {
    answer.status = 404;
    expect(await client.issueAccess(caller, 'demo', 'DEMO-1')).toEqual({ kind: 'notFound' });
    answer.status = 403;
    expect(await client.issueAccess(caller, 'demo', 'DEMO-1')).toEqual({ kind: 'forbidden' });
  });

  test('no token: 401 jira_authorization_required with the start URL, and Jira is not asked', async () => {
    stored.clear();
    await expect(client.issueAccess(caller, 'demo', 'DEMO-1')).rejects.toMatchObject({
      code: 'jira_authorization_required',
      extensions: { startUrl: 'https://app.example/api/jira/demo/oauth/start' },
    });
    expect(seen).toHaveLength(0);
  });

  test('a token Jira rejects is dropped, and the user is asked to authorize again', async () => {
    answer.status = 401;
    answer.headers = { 'www-authenticate': 'OAuth realm="http%3A%2F%2Fjira", oauth_problem="token_rejected"' };
    await expect(client.issueAccess(caller, 'demo', 'DEMO-1')).rejects.toMatchObject({
      code: 'jira_authorization_required',
      extensions: { oauthProblem: 'token_rejected', startUrl: 'https://app.example/api/jira/demo/oauth/start' },
    });
    expect(dropped).toEqual([{ key: 'access-token-1', secret: 'secret-1' }]);
  });

  test('throttled Jira is 429 with its Retry-After; anything else is a bad upstream answer', async () => {
    answer.status = 429;
    answer.headers = { 'retry-after': '7' };
    await expect(client.issueAccess(caller, 'demo', 'DEMO-1')).rejects.toMatchObject({
      code: 'throttled',
      headers: { 'Retry-After': '7' },
    });
    answer.status = 500;
    answer.headers = {};
    await expect(client.issueAccess(caller, 'demo', 'DEMO-1')).rejects.toMatchObject({ code: 'upstream_bad_response' });
  });
});
