import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on host:port (0: a free port) and answers the port and the base URL to reach it. */
export async function listen(server: Server, host: string, port = 0): Promise<{ port: number; url: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}
