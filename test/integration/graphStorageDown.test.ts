import { newGuid } from '../../dev/sandbox/newGuid';
import { queueNames } from '../../shared/platform/storage/queueNames';
import type { GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import { startGraphHarness, type GraphHarness } from '../support/graphHarness';

let harness: GraphHarness;

beforeAll(async () => {
  // Graph's retries come quickly here; Graph itself backs off for up to 4 hours.
  harness = await startGraphHarness({ cuttableStorage: true, retryDelaysMs: [300, 600, 1200, 2400, 4800, 9600] });
  const linked = await harness.fetchApp('/api/links', {
    method: 'POST',
    body: JSON.stringify({ conversationId: `conv-${newGuid()}`, instanceId: 'demo', issueKey: 'DEMO-1' }),
  });
  expect(linked.status).toBe(201);
});
afterAll(() => harness.stop());

async function until<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 600; i += 1) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('storage down while a batch arrives → 503; Graph’s retry after it is back is accepted and queued', async () => {
  const storage = harness.storage!;
  storage.down();
  const mail = harness.simulator.putMail({
    userId: harness.userId,
    tenantId: harness.tenantId,
    conversationId: 'conv-down',
    subject: 'While storage was down',
    from: 'ann@example.com',
  });
  const delivery = await until('a first delivery attempt', () =>
    harness.simulator.state.deliveries.find((d) => d.attempts.length > 0 && d.subscriptionId !== ''),
  );
  expect(delivery.attempts[0]?.status).toBe(503);
  expect(delivery.delivered).toBe(false);
  storage.up();

  await mail.delivered;
  expect(delivery.delivered).toBe(true);
  expect(delivery.attempts.at(-1)?.status).toBe(202);
  expect(delivery.attempts.slice(0, -1).every((attempt) => attempt.status === 503)).toBe(true);

  const queued = (await harness.drain(queueNames.graphNotifications)) as GraphNotificationMessage[];
  expect(queued.map((message) => message.messageId)).toContain(mail.id);
  expect(new Set(queued.map((message) => message.messageId))).toEqual(new Set([mail.id]));
});
