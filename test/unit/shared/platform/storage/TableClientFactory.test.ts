import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { TableClientFactory } from '../../../../../shared/platform/storage/TableClientFactory';

/** A loopback stand-in for the table endpoint: records each request and answers 404, so nothing leaves the machine. */
async function startRecorder() {
  const requests: { method: string; url: string; authorization: string }[] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization ?? '' });
    request.resume();
    response.writeHead(404, { 'Content-Type': 'application/json', 'x-ms-error-code': 'ResourceNotFound' });
    response.end(JSON.stringify({ 'odata.error': { code: 'ResourceNotFound', message: { lang: 'en-US', value: 'not found' } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const noRetry = { maxRetries: 0 };

describe('TableClientFactory', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => (recorder = await startRecorder()));
  afterAll(() => recorder.close());
  beforeEach(() => (recorder.requests.length = 0));

  it("points UseDevelopmentStorage=true at Azurite's default table endpoint", () => {
    const factory = new TableClientFactory({ target: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } });
    expect(factory.endpoint).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(factory.get('instances').url).toBe('http://127.0.0.1:10002/devstoreaccount1');
    expect(factory.get('instances').tableName).toBe('instances');
  });

  it('builds one client per table and reuses it', () => {
    const factory = new TableClientFactory({ target: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } });
    expect(factory.get('links')).toBe(factory.get('links'));
    expect(factory.get('links')).not.toBe(factory.get('deliveries'));
  });

  it('talks plain http to an emulator endpoint, signed with the account key', async () => {
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5a2V5a2V5a2V5;TableEndpoint=http://127.0.0.1:${recorder.port}/devstoreaccount1;`;
    const factory = new TableClientFactory({ target: { kind: 'connectionString', connectionString }, retryOptions: noRetry });
    await expect(factory.get('instances').getEntity('p', 'r')).rejects.toMatchObject({ statusCode: 404 });
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]!.url).toBe("/devstoreaccount1/instances(PartitionKey='p',RowKey='r')");
    expect(recorder.requests[0]!.authorization).toMatch(/^SharedKeyLite devstoreaccount1:/);
  });

  it('derives the endpoint of a cloud account from its name and suffix', () => {
    const factory = new TableClientFactory({
      target: {
        kind: 'connectionString',
        connectionString: 'DefaultEndpointsProtocol=https;AccountName=contoso;AccountKey=a2V5a2V5;EndpointSuffix=core.windows.net',
      },
    });
    expect(factory.endpoint).toBe('https://contoso.table.core.windows.net');
    expect(factory.get('instances').url).toBe('https://contoso.table.core.windows.net');
  });

  it('asks the identity credential for a storage token for the table service URI', async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return { token: 'identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    // https to a plain-http loopback listener: the token is fetched, the TLS handshake then fails locally.
    const tableServiceUri = `https://127.0.0.1:${recorder.port}/devstoreaccount1`;
    const factory = new TableClientFactory({
      target: { kind: 'identity', tableServiceUri, queueServiceUri: 'http://127.0.0.1:1/unused' },
      credential,
      retryOptions: noRetry,
    });
    expect(factory.get('links').url).toBe(tableServiceUri);
    await expect(factory.get('links').getEntity('p', 'r')).rejects.toThrow();
    expect(scopes).toEqual(['https://storage.azure.com/.default']);
  });

  it('builds identity clients for an account name without any network call', () => {
    const factory = new TableClientFactory({
      target: {
        kind: 'identity',
        tableServiceUri: 'https://contoso.table.core.windows.net',
        queueServiceUri: 'https://contoso.queue.core.windows.net',
        clientId: 'c1',
      },
    });
    expect(factory.get('instances').url).toBe('https://contoso.table.core.windows.net');
    expect(
      factory
        .get('instances')
        .pipeline.getOrderedPolicies()
        .map((policy) => policy.name),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/bearer|challenge/i)]));
  });
});
