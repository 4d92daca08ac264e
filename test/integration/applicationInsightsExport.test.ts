import { join } from 'node:path';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { createSelfSignedCertificate } from '../../dev/sandbox/graph/createSelfSignedCertificate';
import { runTypeScript } from '../support/spawnTypeScript';

jest.setTimeout(120_000);

interface Received {
  url: string;
  body: string;
  authorization: string | undefined;
}

/**
 * Stands in for the Application Insights ingestion endpoint (Breeze): answers 200 with its
 * track result. TLS, because the exporter rewrites an `http://` IngestionEndpoint to
 * `https://` (ConnectionStringParser.sanitizeUrl in @azure/monitor-opentelemetry-exporter),
 * loopback included.
 */
function startIngestion(received: Received[]): Promise<Server> {
  const tls = createSelfSignedCertificate('127.0.0.1');
  const options = { cert: tls.x509.toString(), key: tls.privateKeyObject.export({ type: 'pkcs8', format: 'pem' }) };
  const server = createServer(options, (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      received.push({ url: req.url ?? '', body, authorization: req.headers.authorization });
      const count = parseEnvelopes(body).length;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: count, itemsAccepted: count, errors: [] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('startTelemetry with APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  const received: Received[] = [];
  let server: Server;
  beforeAll(async () => {
    server = await startIngestion(received);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("exports the app's server spans with their names and trace ids (a timer, and a queue message as a named request) and its metrics", async () => {
    const { port } = server.address() as AddressInfo;
    const key = '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b';
    const run = await runTypeScript(join(__dirname, '../support/exportServerSpans.ts'), {
      timeoutMs: 90_000,
      env: {
        APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${key};IngestionEndpoint=http://127.0.0.1:${port}/`,
        // The stand-in's certificate is self-signed; the exporter offers no CA option.
        NODE_TLS_REJECT_UNAUTHORIZED: '0',
      },
    });
    expect(run).toMatchObject({ code: 0 });
    const { processors, metricReaders, traceIds } = JSON.parse(run.stdout.trim()) as {
      processors: number;
      metricReaders: number;
      traceIds: Record<string, string>;
    };
    // The consumer-span namer and the exporter's batch processor; the metric exporter's reader.
    expect(processors).toBe(2);
    expect(metricReaders).toBe(1);
    expect(traceIds['timer licenseCheck']).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIds['process jira-notify']).toMatch(/^[0-9a-f]{32}$/);

    // The exporter posts to /v2.1/track; the key travels in the envelope, never in a query string.
    expect(received.length).toBeGreaterThan(0);
    expect(received.map((request) => request.url)).toEqual(received.map(() => '/v2.1/track'));
    const envelopes = received.flatMap((request) => parseEnvelopes(request.body));
    expect(envelopes).toContainEqual(
      expect.objectContaining({
        iKey: key,
        tags: expect.objectContaining({ 'ai.operation.id': traceIds['timer licenseCheck'] }) as unknown,
        data: expect.objectContaining({ baseData: expect.objectContaining({ name: 'timer licenseCheck' }) as unknown }) as unknown,
      }),
    );
    // A queue message is a request (the exporter maps a consumer span to one) named after the
    // queue, not an unnamed request; the naming attribute stays out of its custom properties.
    const request = envelopes.find(
      (envelope) => (envelope as { tags?: Record<string, string> }).tags?.['ai.operation.id'] === traceIds['process jira-notify'],
    ) as {
      name: string;
      tags: Record<string, string>;
      data: { baseType: string; baseData: { name?: string; properties?: Record<string, string> } };
    };
    expect(request).toMatchObject({
      name: 'Microsoft.ApplicationInsights.Request',
      tags: expect.objectContaining({ 'ai.operation.name': 'process jira-notify' }) as unknown,
      data: { baseType: 'RequestData', baseData: expect.objectContaining({ name: 'process jira-notify' }) as unknown },
    });
    expect(request.data.baseData.properties).toMatchObject({ 'messaging.destination.name': 'jira-notify', 'app.tenant_id': 'contoso' });
    expect(request.data.baseData.properties).not.toHaveProperty('ai.operation.name');
    // The app's metrics go the same way: the delivery counted arrives as a metric envelope.
    expect(envelopes).toContainEqual(
      expect.objectContaining({
        name: 'Microsoft.ApplicationInsights.Metric',
        iKey: key,
        data: expect.objectContaining({
          baseData: expect.objectContaining({
            metrics: [expect.objectContaining({ name: 'app.deliveries.sent', value: 1 })] as unknown,
          }) as unknown,
        }) as unknown,
      }),
    );
    // Local auth in this test: no bearer token is sent when no identity is configured.
    expect(received.some((request) => request.authorization !== undefined)).toBe(false);
  });
});

/** Breeze takes a JSON array or newline-delimited envelopes. */
function parseEnvelopes(body: string): unknown[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  return trimmed
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as unknown);
}
