import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

/** Azurite's documented development account; not a secret. */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteInit {
  /** 0 (default) picks free ports, so parallel test files never collide. */
  blobPort?: number;
  queuePort?: number;
  tablePort?: number;
  host?: string;
}

export interface RunningAzurite {
  blobPort: number;
  queuePort: number;
  tablePort: number;
  connectionString: string;
  stop(): Promise<void>;
}

export function azuriteConnectionString(host: string, ports: { blobPort: number; queuePort: number; tablePort: number }): string {
  return (
    [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_ACCOUNT}`,
      `AccountKey=${DEV_KEY}`,
      `BlobEndpoint=http://${host}:${ports.blobPort}/${DEV_ACCOUNT}`,
      `QueueEndpoint=http://${host}:${ports.queuePort}/${DEV_ACCOUNT}`,
      `TableEndpoint=http://${host}:${ports.tablePort}/${DEV_ACCOUNT}`,
    ].join(';') + ';'
  );
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

/**
 * Starts the real Storage emulator from the npm package, in memory, on loopback.
 * `--skipApiVersionCheck`: current SDKs send API versions newer than Azurite knows.
 * `--disableTelemetry`: otherwise it tries to reach the internet.
 */
export async function startAzurite(init: AzuriteInit = {}): Promise<RunningAzurite> {
  const host = init.host ?? '127.0.0.1';
  const script = require.resolve('azurite/dist/src/azurite.js');
  const child = spawn(
    process.execPath,
    [
      script,
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--loose',
      '--blobHost',
      host,
      '--queueHost',
      host,
      '--tableHost',
      host,
      '--blobPort',
      String(init.blobPort ?? 0),
      '--queuePort',
      String(init.queuePort ?? 0),
      '--tablePort',
      String(init.tablePort ?? 0),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const found: Record<string, number> = {};
    let output = '';
    const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s: ${output.slice(-500)}`)), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      output += chunk;
      for (const line of chunk.split('\n')) {
        const match = LISTENING.exec(line);
        if (match?.[1] && match[2]) found[match[1]] = Number(match[2]);
      }
      if (found.Blob && found.Queue && found.Table) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(found);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (output += chunk));
    child.once('exit', (code) => fail(new Error(`Azurite exited with ${code}: ${output.slice(-500)}`)));
  });
  const running = { blobPort: ports.Blob ?? 0, queuePort: ports.Queue ?? 0, tablePort: ports.Table ?? 0 };
  return { ...running, connectionString: azuriteConnectionString(host, running), stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.removeAllListeners('exit');
    child.once('exit', () => {
      clearTimeout(hard);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** True when something accepts TCP connections on host:port (to reuse a running Azurite). */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
