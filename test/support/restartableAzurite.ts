import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../bench/freePort';
import { azuriteConnectionString, type RunningAzurite } from '../../dev/azurite';

export interface RestartableAzurite extends RunningAzurite {
  /** Stops the emulator as an operator would (SIGTERM: it saves its state), keeping its ports and files. */
  halt(): Promise<void>;
  /** Starts it again on the same ports, over the same files. */
  resume(): Promise<void>;
  readonly running: boolean;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening/g;

/**
 * Azurite that persists to a temporary folder instead of memory, so it can be stopped and
 * started again mid-run with its queues and tables intact: storage going away and coming
 * back, not storage losing data. `dev/azurite.ts` (in memory) is what every other test uses.
 */
export async function startRestartableAzurite(): Promise<RestartableAzurite> {
  const host = '127.0.0.1';
  const location = await mkdtemp(join(tmpdir(), 'azurite-chaos-'));
  const ports = { blobPort: await freePort(), queuePort: await freePort(), tablePort: await freePort() };
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const script = require.resolve('azurite/dist/src/azurite.js');
    const started = spawn(
      process.execPath,
      [
        script,
        '--location',
        location,
        '--silent',
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
        String(ports.blobPort),
        '--queuePort',
        String(ports.queuePort),
        '--tablePort',
        String(ports.tablePort),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s: ${output.slice(-500)}`)), 30_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        started.kill('SIGKILL');
        reject(error);
      };
      started.stdout.setEncoding('utf8');
      started.stdout.on('data', (chunk: string) => {
        output += chunk;
        if ((output.match(LISTENING) ?? []).length >= 3) {
          clearTimeout(timer);
          started.stdout.removeAllListeners('data');
          started.stdout.resume();
          started.removeAllListeners('exit');
          resolve();
        }
      });
      started.stderr.setEncoding('utf8');
      started.stderr.on('data', (chunk: string) => (output += chunk));
      started.once('exit', (code) => fail(new Error(`Azurite exited with ${code}: ${output.slice(-500)}`)));
    });
    child = started;
  };

  const halt = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const hard = setTimeout(() => running.kill('SIGKILL'), 10_000);
      running.once('exit', () => {
        clearTimeout(hard);
        resolve();
      });
      running.kill('SIGTERM');
    });
  };

  await launch();
  return {
    ...ports,
    connectionString: azuriteConnectionString(host, ports),
    halt,
    resume: launch,
    get running() {
      return child !== undefined;
    },
    stop: async () => {
      await halt();
      await rm(location, { recursive: true, force: true });
    },
  };
}
