import type { InvocationContext } from '@azure/functions';
import { QueueClient } from '@azure/storage-queue';
import { startAzurite, type RunningAzurite } from '../../../../dev/azurite';
import { startLocalHost, type LocalHost } from '../../../../dev/host/startLocalHost';
import type { FunctionDefinition } from '../../../../functions/FunctionDefinition';
import type { Services } from '../../../../functions/Services';
import { eventually, memoryLog, testServices } from './localHostTestSupport';

interface Delivery {
  message: unknown;
  metadata: Record<string, unknown> | undefined;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('local host: queue triggers against Azurite', () => {
  let azurite: RunningAzurite;
  let services: Services;
  let host: LocalHost;
  const log = memoryLog();
  const received: Delivery[] = [];
  const failures: Delivery[] = [];
  const client = (name: string) => new QueueClient(azurite.connectionString, name);

  const record = (into: Delivery[]) => (message: unknown, context: InvocationContext) => {
    into.push({ message, metadata: context.triggerMetadata });
  };

  const functions: FunctionDefinition[] = [
    {
      kind: 'queue',
      name: 'works',
      queueName: 'local-host-works',
      handler: async (message, context) => record(received)(message, context),
    },
    {
      kind: 'queue',
      name: 'alwaysFails',
      queueName: 'local-host-fails',
      handler: async (message, context) => {
        record(failures)(message, context);
        throw new Error('handler failure with secret-detail');
      },
    },
  ];

  beforeAll(async () => {
    azurite = await startAzurite();
    services = testServices(azurite.connectionString);
    host = await startLocalHost({
      functions,
      services,
      queueClient: (name) => services.queueClients.get(name),
      port: 0,
      // Short waits keep the test quick; the semantics are the host.json ones.
      queues: { visibilityTimeoutSeconds: 1, maxPollingIntervalMs: 200 },
      log,
    });
  });

  afterAll(async () => {
    await host?.stop();
    await services?.http.close();
    await azurite?.stop();
  });

  it('creates the queues it polls', async () => {
    expect(await client('local-host-works').exists()).toBe(true);
    expect(await client('local-host-fails').exists()).toBe(true);
  });

  it('hands a base64 JSON message to the handler parsed, with the trigger metadata, then deletes it', async () => {
    const sent = await client('local-host-works').sendMessage(base64(JSON.stringify({ mail: 'AAMk+/=', n: 1 })));
    const delivery = await eventually(() => received.find((d) => d.metadata?.id === sent.messageId), 'the message to reach the handler');
    expect(delivery.message).toEqual({ mail: 'AAMk+/=', n: 1 });
    expect(delivery.metadata).toMatchObject({
      id: sent.messageId,
      dequeueCount: 1,
      insertionTime: sent.insertedOn.toISOString(),
      expirationTime: sent.expiresOn.toISOString(),
      queueTrigger: JSON.stringify({ mail: 'AAMk+/=', n: 1 }),
    });
    expect(typeof delivery.metadata?.popReceipt).toBe('string');
    expect(typeof delivery.metadata?.nextVisibleTime).toBe('string');
    await eventually(
      async () => ((await client('local-host-works').getProperties()).approximateMessagesCount === 0 ? true : undefined),
      'the message to be deleted',
    );
    expect((await client('local-host-works').peekMessages()).peekedMessageItems).toHaveLength(0);
  });

  it('hands a text that is not JSON over as a string', async () => {
    const sent = await client('local-host-works').sendMessage(base64('plain words'));
    const delivery = await eventually(() => received.find((d) => d.metadata?.id === sent.messageId), 'the text message');
    expect(delivery.message).toBe('plain words');
  });

  it('moves a message that fails 5 times to <queue>-poison with its text unchanged', async () => {
    const text = base64(JSON.stringify({ doomed: true }));
    const sent = await client('local-host-fails').sendMessage(text);
    const poison = client('local-host-fails-poison');
    const poisoned = await eventually(
      async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined),
      'the poison queue to get the message',
      60_000,
    );
    expect(poisoned.messageText).toBe(text);
    const attempts = failures.filter((d) => d.metadata?.id === sent.messageId);
    expect(attempts.map((d) => d.metadata?.dequeueCount)).toEqual([1, 2, 3, 4, 5]);
    expect(attempts.every((d) => JSON.stringify(d.message) === '{"doomed":true}')).toBe(true);
    expect((await client('local-host-fails').peekMessages()).peekedMessageItems).toHaveLength(0);
    const lines = log.lines.map((l) => l.line).join('\n');
    expect(lines).toContain('MaxDequeueCount of 5');
    expect(lines).not.toContain('secret-detail');
  });

  it('moves a message that is not base64 to poison at once, without running the function', async () => {
    const sent = await client('local-host-works').sendMessage('{"not":"base64"}');
    const poison = client('local-host-works-poison');
    const poisoned = await eventually(
      async () =>
        (await poison.exists())
          ? (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.find((m) => m.messageText === '{"not":"base64"}')
          : undefined,
      'the undecodable message in poison',
    );
    expect(poisoned.messageText).toBe('{"not":"base64"}');
    expect(received.some((d) => d.metadata?.id === sent.messageId)).toBe(false);
  });

  it('moves a message received past maxDequeueCount to poison without running the function', async () => {
    const queue = client('local-host-past-max');
    await queue.create();
    const sent = await queue.sendMessage(base64('"old"'));
    // Five receives nobody completed, as after five crashed workers.
    for (let i = 0; i < 5; i += 1) {
      const got = await eventually(
        async () => (await queue.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems[0],
        'the message to be visible again',
      );
      await queue.updateMessage(got.messageId, got.popReceipt, undefined, 0);
    }
    const calls: unknown[] = [];
    const own = await startLocalHost({
      functions: [{ kind: 'queue', name: 'late', queueName: 'local-host-past-max', handler: async (message) => void calls.push(message) }],
      services,
      queueClient: (name) => services.queueClients.get(name),
      port: 0,
      queues: { maxPollingIntervalMs: 200 },
      log: memoryLog(),
    });
    try {
      const poison = client('local-host-past-max-poison');
      const poisoned = await eventually(
        async () => ((await poison.exists()) ? (await poison.peekMessages()).peekedMessageItems[0] : undefined),
        'poison',
      );
      expect(poisoned.messageText).toBe(base64('"old"'));
      expect(poisoned.messageId).not.toBe(sent.messageId);
      expect(calls).toEqual([]);
    } finally {
      await own.stop();
    }
  });
});
