import fc from 'fast-check';
import { newGuid } from '../../dev/sandbox/newGuid';
import { agent as stackAgent } from '../support/proxyStack';
import { waitFor } from '../support/fanoutStack';
import { poisonQueueName, queueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Every queue function fed what a broken producer, a person with a storage explorer or an
 * old version could put on its queue: text that is not base64, base64 of bytes that are
 * not UTF-8, text that is not JSON, JSON of the wrong shape, and our own shapes with
 * hostile values. Each message ends either done (deleted) or in `<queue>-poison`,
 * unchanged (so it can be replayed) and with its reason in the log, after at most
 * `maxDequeueCount` runs: never a loop, never a copy that keeps coming back.
 */

const MAX_DEQUEUE_COUNT = 5;
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_123);
const PER_KIND = 4;

const queues: { queue: QueueName; functionName: string }[] = [
  { queue: queueNames.graphNotifications, functionName: 'processMailNotification' },
  { queue: queueNames.graphLifecycle, functionName: 'processLifecycleEvent' },
  { queue: queueNames.jiraNotify, functionName: 'notifyIssueWatchers' },
];

type Expectation = 'poison' | 'leaves';
interface Probe {
  queue: QueueName;
  kind: string;
  text: string;
  expect: Expectation;
  messageId?: string;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Not base64 at all (or not canonically padded): the trigger cannot even decode it. */
const notBase64 = fc.oneof(
  fc.constantFrom('{"version":1}', 'hello world', '!!!!', 'YQ', 'YQ=', '====', 'ä', '<script>', '\u0000'),
  fc.string({ minLength: 1, maxLength: 80 }).filter((text) => /[^A-Za-z0-9+/=\s]/.test(text)),
);
/** Valid base64 of bytes that are not UTF-8. */
const notUtf8 = fc
  .uint8Array({ minLength: 1, maxLength: 64 })
  .map((bytes) => Buffer.concat([Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(bytes)]).toString('base64'));
/** UTF-8 text that is not JSON: the handler gets a string. */
const notJson = fc
  .string({ minLength: 1, maxLength: 200 })
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  })
  .map(base64);
/** JSON, but no message of ours. */
const wrongShape = fc
  .oneof(
    fc.json({ maxDepth: 3 }),
    fc.constantFrom('null', '42', '"text"', '[]', '{}', '{"version":2}', '{"version":"1"}', '{"__proto__":{"version":1}}'),
  )
  .map(base64);

/** Our shapes with one top-level field missing or of the wrong type (every one of them is required and non-empty). */
function nearMiss(queue: QueueName): fc.Arbitrary<string> {
  const tenantId = newGuid();
  const complete: Record<QueueName, Record<string, unknown>> = {
    [queueNames.graphNotifications]: {
      version: 1,
      origin: 'webhook',
      tenantId,
      subscriptionId: newGuid(),
      userId: newGuid(),
      changeType: 'created',
      resource: 'Users/u/Messages/m',
      messageId: 'm',
      receivedAt: new Date().toISOString(),
    },
    [queueNames.graphLifecycle]: {
      version: 1,
      tenantId,
      subscriptionId: newGuid(),
      userId: newGuid(),
      lifecycleEvent: 'missed',
      receivedAt: new Date().toISOString(),
    },
    [queueNames.jiraNotify]: {
      version: 1,
      tenantId,
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      mailboxUserId: newGuid(),
      mail: { internetMessageId: '<a@b>', conversationId: 'c', messageId: 'm', subject: 's', bodyPreview: 'p' },
      enqueuedAt: new Date().toISOString(),
    },
  };
  const fields = Object.keys(complete[queue]);
  return fc
    .tuple(
      fc.constantFrom(...fields),
      fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.constant(''), fc.constant([]), fc.constant({})),
    )
    .map(([field, value]) => {
      const broken: Record<string, unknown> = { ...complete[queue], [field]: value };
      if (value === undefined) delete broken[field];
      return broken;
    })
    .map((broken) => base64(JSON.stringify(broken)));
}

/** Our shapes, valid, with values nobody has: the function finishes the message (or poisons it), never loops. */
function hostileButValid(queue: QueueName): fc.Arbitrary<string> {
  const hostile = fc.oneof(
    fc.constantFrom('../../x', '%2e%2e', 'a/b#c?d', '\u0000', ' ', 'x'.repeat(900), '<script>'),
    fc.string({ minLength: 1, maxLength: 30 }),
  );
  return fc.tuple(hostile, hostile, hostile).map(([a, b, c]) => {
    const now = new Date().toISOString();
    switch (queue) {
      case queueNames.graphNotifications:
        return base64(
          JSON.stringify({
            version: 1,
            origin: 'webhook',
            tenantId: a,
            subscriptionId: b,
            userId: c,
            changeType: 'created',
            resource: `Users/${c}/Messages/${b}`,
            messageId: b,
            receivedAt: now,
          }),
        );
      case queueNames.graphLifecycle:
        return base64(JSON.stringify({ version: 1, tenantId: a, subscriptionId: b, userId: c, lifecycleEvent: 'missed', receivedAt: now }));
      case queueNames.jiraNotify:
        return base64(
          JSON.stringify({
            version: 1,
            tenantId: a,
            instanceId: b,
            issueKey: c.slice(0, 255),
            mailboxUserId: a,
            mail: { internetMessageId: b, conversationId: c, messageId: a, subject: c, bodyPreview: b },
            enqueuedAt: now,
          }),
        );
    }
  });
}

function probes(): Probe[] {
  const all: Probe[] = [];
  let seed = SEED;
  const take = (queue: QueueName, kind: string, arbitrary: fc.Arbitrary<string>, expect: Expectation) => {
    for (const text of new Set(fc.sample(arbitrary, { numRuns: PER_KIND, seed: seed++ }))) {
      // One probe per text and queue, so each can be found in the poison queue by its text.
      if (!all.some((probe) => probe.queue === queue && probe.text === text)) all.push({ queue, kind, text, expect });
    }
  };
  for (const { queue } of queues) {
    take(queue, 'not base64', notBase64, 'poison');
    take(queue, 'not UTF-8', notUtf8, 'poison');
    take(queue, 'not JSON', notJson, 'poison');
    take(queue, 'wrong shape', wrongShape, 'poison');
    take(queue, 'near miss', nearMiss(queue), 'poison');
    take(queue, 'hostile but valid', hostileButValid(queue), 'leaves');
  }
  return all;
}

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({
    functions: (row) => row.kind === 'queue',
    queues: {
      visibilityTimeoutSeconds: 1,
      maxPollingIntervalMs: 200,
      maxDequeueCount: MAX_DEQUEUE_COUNT,
      batchSize: 16,
      newBatchThreshold: 8,
    },
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

async function allTexts(queue: string): Promise<string[]> {
  // Peek sees at most 32: take them (hidden for long enough to read all), then release.
  const texts: string[] = [];
  const taken: { messageId: string; popReceipt: string }[] = [];
  for (;;) {
    const batch = await stack.queues.receive(queue, { max: 32, visibilityTimeoutSeconds: 30 });
    if (batch.length === 0) break;
    for (const message of batch) {
      texts.push(message.messageText);
      taken.push(message);
    }
  }
  for (const message of taken) await stack.queues.release(queue, message);
  return texts;
}

test('malformed messages on every queue end in <queue>-poison, unchanged and with a reason, after at most maxDequeueCount runs', async () => {
  const sent = probes();
  for (const probe of sent) {
    const client = stack.services.queueClients.get(probe.queue);
    probe.messageId = (await client.sendMessage(probe.text)).messageId;
  }
  const poisonExpected = (queue: QueueName) => sent.filter((probe) => probe.queue === queue && probe.expect === 'poison').length;

  // Done when every queue is empty (invisible messages count) and every expected poison arrived.
  await waitFor(
    async () => {
      for (const { queue } of queues) {
        if ((await stack.queues.approximateCount(queue)) > 0) return undefined;
        if ((await stack.queues.approximateCount(poisonQueueName(queue))) < poisonExpected(queue)) return undefined;
      }
      return true;
    },
    'every malformed message to be settled',
    90_000,
  );

  const lines = stack.log.lines;
  const summary: string[] = [];
  for (const { queue, functionName } of queues) {
    const poisoned = await allTexts(poisonQueueName(queue));
    for (const probe of sent.filter((candidate) => candidate.queue === queue)) {
      const where = `${queue} ${probe.kind} ${JSON.stringify(probe.text.slice(0, 120))}`;
      const mine = lines.filter((line) => line.includes(`message ${probe.messageId}`));
      const runs = mine.filter((line) => line.includes(`failed on message ${probe.messageId}`)).length;
      // Never a loop: at most maxDequeueCount runs of the function for one message.
      expect({ where, runs: Math.min(runs, MAX_DEQUEUE_COUNT + 1) }).toEqual({ where, runs: Math.min(runs, MAX_DEQUEUE_COUNT) });
      const inPoison = poisoned.filter((text) => text === probe.text).length;
      if (probe.expect === 'poison') {
        // Exactly once, byte for byte: `npm run replay-poison` moves it back as it was.
        expect({ where, inPoison }).toEqual({ where, inPoison: 1 });
        const reason = mine.find((line) => /cannot be decoded|failed on message .*: AppError [a-z_]+/.test(line));
        expect({ where, reason: reason !== undefined }).toEqual({ where, reason: true });
        expect(mine.some((line) => line.includes(`moving it to ${queue}-poison`))).toBe(true);
      } else {
        expect({ where, inPoison: inPoison <= 1 }).toEqual({ where, inPoison: true });
      }
    }
    const hostile = sent.filter((probe) => probe.queue === queue && probe.expect === 'leaves');
    const hostilePoisoned = hostile.filter((probe) => poisoned.includes(probe.text)).length;
    const reasons = new Set(
      sent
        .filter((probe) => probe.queue === queue)
        .flatMap((probe) => lines.filter((line) => line.includes(`message ${probe.messageId}`)))
        .map((line) => /cannot be decoded|AppError [a-z_]+/.exec(line)?.[0])
        .filter((reason): reason is string => reason !== undefined),
    );
    summary.push(
      `${queue.padEnd(20)} sent ${sent.filter((probe) => probe.queue === queue).length}, poisoned ${poisoned.length} (malformed ${poisonExpected(queue)}, hostile-but-valid ${hostilePoisoned} of ${hostile.length}), failed runs ${lines.filter((line) => line.startsWith(`warn [${functionName}] failed on message`)).length}; reasons: ${[...reasons].join(', ')}`,
    );
  }

  // Nothing keeps coming back: a few polling rounds later the queues are still empty.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  for (const { queue } of queues) expect({ queue, count: await stack.queues.approximateCount(queue) }).toEqual({ queue, count: 0 });
  console.log(`malformed queue messages (seed ${SEED}):\n${summary.join('\n')}`);
}, 150_000);
