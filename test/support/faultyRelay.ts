import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type RelayMode = { kind: 'pass' } | { kind: 'down' } | { kind: 'slow'; delayMs: number };

/**
 * A TCP relay in front of a simulator that a chaos run can make misbehave at any moment:
 * `down` (connections cut and refused: the service is gone), `slow` (every request held
 * `delayMs` before it reaches the service, so every answer takes that long) or `pass`.
 * Byte for byte otherwise, so OAuth signatures over the relay's address still verify.
 * (`CuttableRelay` in test/integration/graphHarness.ts only cuts.)
 */
export class FaultyRelay {
  private mode: RelayMode = { kind: 'pass' };
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<FaultyRelay> {
    const accept: { to?: FaultyRelay } = {};
    const server = net.createServer((client) => accept.to?.accept(client, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    accept.to = new FaultyRelay(server, (server.address() as AddressInfo).port);
    return accept.to;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get current(): RelayMode {
    return this.mode;
  }

  set(mode: RelayMode): void {
    this.mode = mode;
    if (mode.kind === 'down') for (const socket of this.sockets) socket.destroy();
  }

  stop(): Promise<void> {
    this.set({ kind: 'down' });
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, targetPort: number): void {
    if (this.mode.kind === 'down') {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
    // Requests are held (in order) while the relay is slow; answers flow straight back.
    let chain = Promise.resolve();
    client.on('data', (chunk: Buffer) => {
      const mode = this.mode;
      // Due a fixed time after it arrived: a request's chunks are held together, not one after another.
      const due = Date.now() + (mode.kind === 'slow' ? mode.delayMs : 0);
      chain = chain.then(
        () =>
          new Promise<void>((resolve) => {
            const forward = () => {
              if (!upstream.destroyed) upstream.write(chunk);
              resolve();
            };
            const wait = due - Date.now();
            if (wait > 0) setTimeout(forward, wait).unref();
            else forward();
          }),
      );
    });
    client.on('end', () => void chain.then(() => upstream.end()));
    upstream.pipe(client);
  }
}
