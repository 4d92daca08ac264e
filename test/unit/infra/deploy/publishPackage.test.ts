import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../../../../shared/platform/errors/AppError';
import { publishPackage, scmUrlOf, type PublishPackageInit } from '../../../../infra/deploy/publishPackage';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  sha256: string;
  bytes: number;
}

/**
 * A stand-in for the SCM site of a Flex Consumption app: records every request, answers the
 * one-deploy POST as scripted and each status GET with the next scripted deployment state.
 */
async function startScm(script: {
  publish: { status: number; body?: string; location?: (origin: string) => string };
  deployments?: unknown[];
}): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const states = [...(script.deployments ?? [])];
  const server = http.createServer((request, response) => {
    const hash = createHash('sha256');
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, sha256: hash.digest('hex'), bytes });
      if (request.method === 'POST') {
        const origin = `http://${request.headers.host ?? ''}`;
        response.writeHead(script.publish.status, script.publish.location ? { Location: script.publish.location(origin) } : {});
        response.end(script.publish.body ?? '');
        return;
      }
      const state = states.length > 1 ? states.shift() : states[0];
      if (state === undefined) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(state));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const zip = randomBytes(256 * 1024);
const TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.scm-token';

function setup(url: string, overrides: Partial<PublishPackageInit> = {}) {
  const lines: string[] = [];
  const init: PublishPackageInit = {
    zipPath: 'dist/package/jira-outlook-cloud-0.1.0.zip',
    readFile: async () => zip,
    scmUrl: url,
    accessToken: async () => TOKEN,
    print: (line) => lines.push(line),
    wait: () => new Promise((resolve) => setImmediate(resolve)),
    pollIntervalMs: 5000,
    maxPolls: 10,
    ...overrides,
  };
  return { lines, run: () => publishPackage(init) };
}

describe('publishPackage (Flex Consumption one-deploy)', () => {
  let scm: Awaited<ReturnType<typeof startScm>> | undefined;

  afterEach(async () => {
    await scm?.close();
    scm = undefined;
  });

  it('POSTs the zip to /api/publish?RemoteBuild=false with a bearer token, then follows the deployment to its end', async () => {
    scm = await startScm({
      publish: { status: 202, body: 'a1b2c3d4-0000', location: (origin) => `${origin}/api/deployments/a1b2c3d4-0000` },
      deployments: [
        { id: 'a1b2c3d4-0000', status: 1, status_text: 'Building', complete: false },
        { id: 'a1b2c3d4-0000', status: 2, progress: 'Uploading the package to storage', complete: false },
        { id: 'a1b2c3d4-0000', status: 2, progress: 'Uploading the package to storage', complete: false },
        { id: 'a1b2c3d4-0000', status: 4, status_text: '', complete: true },
      ],
    });
    const { lines, run } = setup(scm.url);

    await run();

    const [upload, ...polls] = scm.seen;
    expect(upload).toMatchObject({ method: 'POST', url: '/api/publish?RemoteBuild=false', bytes: zip.length });
    expect(upload!.sha256).toBe(createHash('sha256').update(zip).digest('hex'));
    expect(upload!.headers['content-type']).toBe('application/zip');
    expect(upload!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(polls.map((poll) => [poll.method, poll.url, poll.headers.authorization])).toEqual(
      Array.from({ length: 4 }, () => ['GET', '/api/deployments/a1b2c3d4-0000', `Bearer ${TOKEN}`]),
    );
    expect(lines).toEqual([
      `Publishing dist/package/jira-outlook-cloud-0.1.0.zip (0.3 MB) to ${scm.url} (Flex Consumption one-deploy) …`,
      '  Uploaded; the app is deploying it.',
      '  Building',
      '  Deploying: Uploading the package to storage',
      '  Succeeded',
      '  Published.',
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('fails with deployment_failed and the log when the deployment fails', async () => {
    scm = await startScm({
      publish: { status: 202, body: '"b2c3d4e5-0000"' },
      deployments: [
        { status: 3, status_text: 'Package deployment failed', complete: true, log_url: 'https://scm/api/deployments/b2c3d4e5-0000/log' },
      ],
    });
    const { run } = setup(scm.url);

    const error = await run().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('deployment_failed');
    expect((error as AppError).detail).toBe(
      'publishing: the deployment ended Failed: Package deployment failed (log: https://scm/api/deployments/b2c3d4e5-0000/log)',
    );
    // Without a Location, the id the SCM site answered names the deployment to follow.
    expect(scm.seen[1]!.url).toBe('/api/deployments/b2c3d4e5-0000');
  });

  it('refuses when another deployment is running, and reports any other refusal with its status', async () => {
    scm = await startScm({ publish: { status: 409 } });
    await expect(setup(scm.url).run()).rejects.toThrow('another deployment is in progress');
    await scm.close();
    scm = await startScm({ publish: { status: 401, body: 'Unauthorized' } });
    await expect(setup(scm.url).run()).rejects.toThrow('publishing: the SCM site answered 401: Unauthorized');
    expect(scm.seen).toHaveLength(1);
  });

  it('never sends the token to a Location on another host, and gives up after maxPolls', async () => {
    scm = await startScm({ publish: { status: 202, location: () => 'https://elsewhere.example/api/deployments/x' }, deployments: [] });
    await expect(setup(scm.url, { maxPolls: 3 }).run()).rejects.toThrow('did not finish within 3 status checks');
    expect(scm.seen.slice(1).map((poll) => poll.url)).toEqual([
      '/api/deployments/latest',
      '/api/deployments/latest',
      '/api/deployments/latest',
    ]);
  });
});

describe('scmUrlOf', () => {
  it('puts .scm after the first label of the host name, Flex hashed names included', () => {
    expect(scmUrlOf('func-abc.azurewebsites.net')).toBe('https://func-abc.scm.azurewebsites.net');
    expect(scmUrlOf('func-abc-d4e5f6.westeurope-01.azurewebsites.net')).toBe('https://func-abc-d4e5f6.scm.westeurope-01.azurewebsites.net');
    expect(() => scmUrlOf('localhost')).toThrow('not a function app host name');
  });
});
