import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { QueueClientFactory } from '../../../../../shared/platform/storage/QueueClientFactory';

/** A loopback stand-in for the queue endpoint: records each request and answers 404, so nothing leaves the machine. */
async function startRecorder() {
  const requests: { method: string; url: string; authorization: string }[] = [];
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization ?? '' });
    request.resume();
    response.writeHead(404, { 'Content-Type': 'application/xml', 'x-ms-error-code': 'QueueNotFound' });
    response.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>QueueNotFound</Code><Message>no</Message></Error>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const noRetry = { maxTries: 1 };

describe('QueueClientFactory', () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  beforeAll(async () => (recorder = await startRecorder()));
  afterAll(() => recorder.close());

  it("points UseDevelopmentStorage=true at Azurite's default queue endpoint", () => {
    const factory = new QueueClientFactory({ target: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } });
    expect(factory.endpoint).toBe('http://127.0.0.1:10001/devstoreaccount1');
    expect(factory.get('jira-notify').url).toBe('http://127.0.0.1:10001/devstoreaccount1/jira-notify');
    expect(factory.get('jira-notify').name).toBe('jira-notify');
  });

  it('builds one client per queue and reuses it', () => {
    const factory = new QueueClientFactory({ target: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' } });
    expect(factory.get('graph-notifications')).toBe(factory.get('graph-notifications'));
    expect(factory.get('graph-notifications')).not.toBe(factory.get('graph-notifications-poison'));
  });

  it("talks to the connection string's queue endpoint, signed with the account key", async () => {
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5a2V5a2V5a2V5;QueueEndpoint=http://127.0.0.1:${recorder.port}/devstoreaccount1;`;
    const factory = new QueueClientFactory({ target: { kind: 'connectionString', connectionString }, retryOptions: noRetry });
    await expect(factory.get('graph-lifecycle').getProperties()).rejects.toMatchObject({ statusCode: 404 });
    expect(recorder.requests.at(-1)!.url).toMatch(/^\/devstoreaccount1\/graph-lifecycle\?comp=metadata/);
    expect(recorder.requests.at(-1)!.authorization).toMatch(/^SharedKey devstoreaccount1:/);
  });

  it('asks the identity credential for a storage token for the queue service URI', async () => {
    const scopes: string[] = [];
    const credential: TokenCredential = {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return { token: 'identity-token', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    // https to a plain-http loopback listener: the token is fetched, the TLS handshake then fails locally.
    const queueServiceUri = `https://127.0.0.1:${recorder.port}/devstoreaccount1`;
    const factory = new QueueClientFactory({
      target: { kind: 'identity', tableServiceUri: 'https://127.0.0.1:1/unused', queueServiceUri },
      credential,
      retryOptions: noRetry,
    });
    expect(factory.endpoint).toBe(queueServiceUri);
    expect(factory.get('jira-notify').url).toBe(`${queueServiceUri}/jira-notify`);
    await expect(factory.get('jira-notify').getProperties()).rejects.toThrow();
    expect(scopes).toEqual(['https://storage.azure.com/.default']);
  });
});
