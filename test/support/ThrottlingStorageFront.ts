import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The 503 ServerBusy a busy service answers, in its own format: Table's OData JSON
 * (learn.microsoft.com/rest/api/storageservices/table-service-error-codes), Queue's XML error
 * body with `x-ms-error-code` (…/queue-service-error-codes, …/status-and-error-codes2).
 */
const BUSY: Record<'table' | 'queue', { headers: http.OutgoingHttpHeaders; body: string }> = {
  table: {
    headers: { 'Content-Type': 'application/json;odata=minimalmetadata;charset=utf-8' },
    body: JSON.stringify({ 'odata.error': { code: 'ServerBusy', message: { lang: 'en-US', value: 'The server is busy.' } } }),
  },
  queue: {
    headers: { 'Content-Type': 'application/xml', 'x-ms-error-code': 'ServerBusy' },
    body: '<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>',
  },
};

/**
 * A loopback front of Azurite that answers its next `throttled` requests as a busy Storage
 * service does and relays the rest untouched (Shared Key signs the path, not the host).
 */
export class ThrottlingStorageFront {
  throttled = 0;
  /** TCP connections opened to the front so far: a client that leaves answers unread opens one per request. */
  connections = 0;
  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, service: 'table' | 'queue'): Promise<ThrottlingStorageFront> {
    const holder: { front?: ThrottlingStorageFront } = {};
    const server = http.createServer((request, response) => {
      const front = holder.front!;
      if (front.throttled > 0) {
        front.throttled -= 1;
        request.resume();
        response.writeHead(503, BUSY[service].headers);
        response.end(BUSY[service].body);
        return;
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: targetPort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(upstream);
    });
    server.on('connection', () => (holder.front!.connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.front = new ThrottlingStorageFront(server, (server.address() as AddressInfo).port);
    return holder.front;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
