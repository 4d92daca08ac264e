import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHostJson } from '../../../../dev/host/readHostJson';

describe('readHostJson', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hostjson-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads the project's host.json queue settings in the host's units", async () => {
    const options = await readHostJson(join(__dirname, '../../../../host.json'));
    expect(options).toEqual({
      routePrefix: 'api',
      queues: {
        batchSize: 16,
        newBatchThreshold: 8,
        maxPollingIntervalMs: 500,
        visibilityTimeoutSeconds: 10,
        maxDequeueCount: 5,
        messageEncoding: 'base64',
        processingVisibilitySeconds: 600,
      },
    });
  });

  it("falls back to the host's defaults, newBatchThreshold following batchSize", async () => {
    const path = join(dir, 'host.json');
    await writeFile(
      path,
      JSON.stringify({
        version: '2.0',
        extensions: { http: { routePrefix: '' }, queues: { batchSize: 4, maxPollingInterval: '1.00:00:01.5' } },
      }),
    );
    const options = await readHostJson(path);
    expect(options.routePrefix).toBe('');
    expect(options.queues).toMatchObject({
      batchSize: 4,
      newBatchThreshold: 2,
      maxPollingIntervalMs: 86_401_500,
      visibilityTimeoutSeconds: 0,
      maxDequeueCount: 5,
    });
    expect((await readHostJson(join(dir, 'missing.json'))).queues.maxPollingIntervalMs).toBe(60_000);
  });

  it('refuses a maxPollingInterval under 100 ms, as the storage extension does at start-up', async () => {
    const path = join(dir, 'fast.json');
    await writeFile(path, JSON.stringify({ extensions: { queues: { maxPollingInterval: '00:00:00.05' } } }));
    await expect(readHostJson(path)).rejects.toThrow('maxPollingInterval: MaxPollingInterval must not be less than 00:00:00.1000000.');
    await writeFile(path, JSON.stringify({ extensions: { queues: { maxPollingInterval: '00:00:00.1' } } }));
    expect((await readHostJson(path)).queues.maxPollingIntervalMs).toBe(100);
  });

  it('names a malformed setting', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ extensions: { queues: { visibilityTimeout: '10 seconds', batchSize: 64 } } }));
    await expect(readHostJson(path)).rejects.toThrow(/visibilityTimeout.*TimeSpan|batchSize/);
  });
});
