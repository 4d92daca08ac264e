import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { isListening } from '../../dev/azurite';
import type { SandboxFile } from '../../dev/sandbox/sandboxFile';
import { settingNames } from '../../shared/platform/config/settingsSchema';

const root = join(__dirname, '../..');

/** A port that was free a moment ago (the OS hands out a fresh one each time). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `node dist/dev/start.js` as `npm start` runs it, in a scratch directory with the project's host.json. */
function runStart(cwd: string, env: Record<string, string>): Started {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !(settingNames as string[]).includes(name) &&
        !name.startsWith('AzureWebJobsStorage') &&
        !name.startsWith('AZURITE_') &&
        !['PORT', 'LOCAL_DIR', 'DEV_HOST'].includes(name),
    ),
  );
  const child = spawn(process.execPath, [join(root, 'dist/dev/start.js')], {
    cwd,
    env: { ...inherited, DEV_HOST: 'local', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('npm start (node dist/dev/start.js)', () => {
  let cwd: string;

  beforeAll(async () => {
    // Build as `npm start` does first; a build that fails would stop `npm start` too.
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        { cwd: root },
        (error, stdout) => (error ? reject(new Error(`build failed:\n${stdout}`)) : resolve()),
      );
    });
    cwd = await mkdtemp(join(tmpdir(), 'npm-start-'));
    await copyFile(join(root, 'host.json'), join(cwd, 'host.json'));
  }, 240_000);

  afterAll(async () => {
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('serves /api/health with Azurite and the sandbox up, writes sandbox.json, and stops everything on SIGTERM', async () => {
    const [port, blobPort, queuePort, tablePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const localDir = join(cwd, 'local-happy');
    // The environment wins over local.settings.json, as with `func start`.
    await writeFile(join(cwd, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { PUBLIC_BASE_URL: 'notaurl' } }));
    const run = runStart(cwd, {
      PORT: String(port),
      AZURITE_BLOB_PORT: String(blobPort),
      AZURITE_QUEUE_PORT: String(queuePort),
      AZURITE_TABLE_PORT: String(tablePort),
      LOCAL_DIR: localDir,
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    });
    try {
      const appUrl = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      let health: { status: number; body: unknown } | undefined;
      while (!health) {
        if (run.child.exitCode !== null) throw new Error(`npm start exited early:\n${run.output()}`);
        if (Date.now() > deadline) throw new Error(`no healthy answer within 60 s:\n${run.output()}`);
        try {
          const response = await fetch(`${appUrl}/api/health`);
          if (response.status === 200) health = { status: response.status, body: await response.json() };
        } catch {
          // Not listening yet.
        }
        if (!health) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(health.body).toMatchObject({ status: 'ok' });
      for (const azuritePort of [blobPort, queuePort, tablePort]) expect(await isListening('127.0.0.1', azuritePort)).toBe(true);

      const file = JSON.parse(await readFile(join(localDir, 'sandbox.json'), 'utf8')) as SandboxFile;
      expect(file.appUrl).toBe(appUrl);
      expect(file.instanceId).toBe('demo');
      expect(file.issuerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const keys = await fetch(`${file.issuerUrl}/discovery/v2.0/keys`);
      expect(keys.status).toBe(200);
      expect(decodeJwt(file.tokens!.user)).toMatchObject({ tid: file.tenantId, oid: file.userId });
      expect(decodeJwt(file.tokens!.admin).roles).toEqual(['Integration.Admin']);
      expect(decodeJwt(file.tokens!.otherTenantUser).tid).not.toBe(file.tenantId);
      const issuerPort = Number(new URL(file.issuerUrl!).port);

      // It said what it was doing as it went: each step as it began and as it ended, in order.
      const seeded = '✓ sandbox: registering the simulated Jira with the app';
      const until = Date.now() + 30_000;
      while (!run.output().includes(seeded) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 250));
      const progress = run
        .output()
        .split('\n')
        .filter((line) => /^[…✓✗] /.test(line))
        .map((line) => line.replace(/ \(.*\)| in \d+ ms$/g, ''));
      expect(progress).toEqual([
        '… storage: Azurite',
        '✓ storage: Azurite',
        '… simulators: token issuer, Graph, Jira',
        '✓ simulators: token issuer, Graph, Jira',
        '… storage: tables and queues',
        '✓ storage: tables and queues',
        `… host: the local development host on ${appUrl}`,
        `✓ host: the local development host on ${appUrl}`,
        '… sandbox: registering the simulated Jira with the app',
        seeded,
      ]);

      run.child.kill('SIGTERM');
      expect(await within(run.exited, 30_000, 'exit after SIGTERM')).toBe(0);
      for (const freed of [port, blobPort, queuePort, tablePort, issuerPort]) expect(await isListening('127.0.0.1', freed)).toBe(false);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await rm(join(cwd, 'local.settings.json'), { force: true });
    }
  }, 120_000);

  it('refuses to start on malformed settings with one message naming each, and leaves nothing running', async () => {
    const [port, blobPort, queuePort, tablePort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    // One bad setting from local.settings.json, one from the environment.
    await writeFile(join(cwd, 'local.settings.json'), JSON.stringify({ Values: { GRAPH_SUBSCRIPTION_MINUTES: 'abc' } }));
    const run = runStart(cwd, {
      PORT: String(port),
      AZURITE_BLOB_PORT: String(blobPort),
      AZURITE_QUEUE_PORT: String(queuePort),
      AZURITE_TABLE_PORT: String(tablePort),
      LOCAL_DIR: join(cwd, 'local-bad'),
      PUBLIC_BASE_URL: 'notaurl',
    });
    try {
      const code = await within(run.exited, 60_000, 'exit on bad settings');
      const output = run.output();
      expect(code).not.toBe(0);
      expect(output.match(/Invalid settings/g)).toHaveLength(1);
      expect(output).toMatch(/GRAPH_SUBSCRIPTION_MINUTES: expected a whole number/);
      expect(output).toMatch(/PUBLIC_BASE_URL: expected an http\(s\) URL/);
      for (const freed of [port, blobPort, queuePort, tablePort]) expect(await isListening('127.0.0.1', freed)).toBe(false);
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await rm(join(cwd, 'local.settings.json'), { force: true });
    }
  }, 90_000);
});
