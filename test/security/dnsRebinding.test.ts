import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundClient } from '../../shared/platform/http/OutboundClient';

/**
 * The production outbound client (private targets refused) given a host NAME that resolves
 * to loopback: literal IPs are checked before connecting, so only the guarded `lookup`
 * stands between a re-pointed DNS name and our own network. undici calls it with `all: true`.
 */
describe('DNS rebinding: a name that resolves to a private address', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  let client: OutboundClient;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      requests += 1;
      response.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    client = new OutboundClient({
      connectTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      bodyTimeoutMs: 2000,
      connectionsPerOrigin: 1,
      allowPrivateNetworkTargets: false,
    });
  });

  afterAll(async () => {
    await client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is refused with the forbidden-target error and the server sees no request', async () => {
    const failure = await client.request(new URL(`http://localhost:${port}/`), { method: 'GET' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const codes = [failure, (failure as { cause?: unknown } | undefined)?.cause].map(
      (error) => (error as { code?: unknown } | undefined)?.code,
    );
    expect(codes).toContain('ERR_FORBIDDEN_TARGET');
    expect(requests).toBe(0);
  });
});
