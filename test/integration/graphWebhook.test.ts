import { newGuid } from '../../dev/sandbox/newGuid';
import { graphLifecycle } from '../../functions/graphLifecycle';
import { graphNotifications } from '../../functions/graphNotifications';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { graphNotificationMessageSchema, type GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import { GRAPH_CLIENT_ID, startGraphHarness, type GraphHarness } from '../support/graphHarness';

let harness: GraphHarness;
const tenantB = newGuid();
const userB = newGuid();
let subscriptionA = '';
let subscriptionB = '';

beforeAll(async () => {
  harness = await startGraphHarness({ rich: true });
  await harness.registerInstance(tenantB, 'demo');
  const link = (user?: { tenantId: string; userId: string }) =>
    harness.fetchApp('/api/links', {
      method: 'POST',
      body: JSON.stringify({ conversationId: `conv-${newGuid()}`, instanceId: 'demo', issueKey: 'DEMO-1' }),
      ...(user ? { user } : {}),
    });
  expect((await link()).status).toBe(201);
  expect((await link({ tenantId: tenantB, userId: userB })).status).toBe(201);
  subscriptionA = (await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId: harness.userId }))!
    .subscriptionId;
  subscriptionB = (await harness.services.repositories.mailboxes.get({ tenantId: tenantB, userId: userB }))!.subscriptionId;
});
afterAll(() => harness.stop());

const post = (handler: typeof graphNotifications, body: unknown, query = '') =>
  harness.invoke(handler, {
    method: 'POST',
    url: `${harness.appUrl}/api/graph/notifications${query}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

/** Items as Graph would post them for new mails (without letting the simulator post them). */
async function itemsFor(subscriptionId: string, userId: string, tenantId: string, count: number) {
  const items: Record<string, unknown>[] = [];
  let validationTokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const mail = harness.simulator.putMail({
      userId,
      tenantId,
      conversationId: `conv-${i}`,
      subject: `Mail ${i}`,
      from: 'Ann <ann@example.com>',
      notify: false,
    });
    const payload = await harness.simulator.notificationFor(subscriptionId, mail.id);
    items.push(...payload.value);
    validationTokens = payload.validationTokens ?? [];
  }
  return { items, validationTokens };
}

describe('graphNotifications', () => {
  test('a batch of 100: 202, and exactly the valid ones are queued (decrypted); forged, unknown, untrusted, tampered and repeated are not', async () => {
    const valid = await itemsFor(subscriptionA, harness.userId, harness.tenantId, 60);
    const forged = (await itemsFor(subscriptionA, harness.userId, harness.tenantId, 10)).items.map((item) => ({
      ...item,
      clientState: 'guessed',
    }));
    const unknown = (await itemsFor(subscriptionA, harness.userId, harness.tenantId, 10)).items.map((item) => ({
      ...item,
      subscriptionId: newGuid(),
    }));
    // Tenant B's items come with a validation token minted for another audience.
    const untrusted = (await itemsFor(subscriptionB, userB, tenantB, 10)).items;
    const wrongAudience = await harness.simulator.mintValidationToken({ tenantId: tenantB, audience: 'some-other-app' });
    const tampered = (await itemsFor(subscriptionA, harness.userId, harness.tenantId, 5)).items.map((item) => {
      const content = item.encryptedContent as { dataSignature: string };
      return { ...item, encryptedContent: { ...content, dataSignature: Buffer.alloc(32, 1).toString('base64') } };
    });
    const repeated = valid.items.slice(0, 5);
    const value = [...valid.items, ...forged, ...unknown, ...untrusted, ...tampered, ...repeated].sort(() => Math.random() - 0.5);
    expect(value).toHaveLength(100);

    const { response, body, logs } = await post(graphNotifications, {
      value,
      validationTokens: [...valid.validationTokens, wrongAudience],
    });
    expect(response.status).toBe(202);
    expect(body).toBe('');

    const queued = (await harness.drain(queueNames.graphNotifications)).map((message) => graphNotificationMessageSchema.parse(message));
    const expected = valid.items.map((item) => (item.resourceData as { id: string }).id);
    expect(queued.map((message) => message.messageId).sort()).toEqual([...expected].sort());
    for (const message of queued) {
      expect(message).toMatchObject({
        tenantId: harness.tenantId,
        userId: harness.userId,
        subscriptionId: subscriptionA,
        changeType: 'created',
        origin: 'webhook',
      });
      const mail = harness.simulator.state.mails.get(message.messageId)!;
      expect(message.resourceData).toMatchObject({
        id: mail.id,
        internetMessageId: mail.internetMessageId,
        conversationId: mail.conversationId,
        subject: mail.subject,
        from: mail.from,
        bodyPreview: mail.bodyPreview,
        webLink: mail.webLink,
      });
    }
    expect(logs.join('\n')).toMatch(/queued 60, dropped 40 .*clientStateMismatch=10.*/);
    expect(logs.join('\n')).toMatch(/unknownSubscription=10/);
    expect(logs.join('\n')).toMatch(/untrustedRichContent=10/);
    expect(logs.join('\n')).toMatch(/undecryptable=5/);
    expect(logs.join('\n')).toMatch(/duplicate=5/);
    expect(logs.join('\n')).not.toContain('guessed');
  });

  test('a rich notification posted by Graph arrives on the queue with the mail’s fields decrypted', async () => {
    const mail = harness.simulator.putMail({
      userId: harness.userId,
      tenantId: harness.tenantId,
      conversationId: 'conv-live',
      subject: 'Über <b>café</b>',
      from: 'bob@example.com',
    });
    const [delivery] = await mail.delivered;
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([202]);
    const body = delivery?.body as { value: { encryptedContent?: unknown }[]; validationTokens?: string[] };
    expect(body.value[0]?.encryptedContent).toBeDefined();
    expect(body.validationTokens).toHaveLength(1);
    const [message] = (await harness.drain(queueNames.graphNotifications)) as GraphNotificationMessage[];
    expect(message?.resourceData).toMatchObject({
      id: mail.id,
      subject: 'Über <b>café</b>',
      internetMessageId: mail.internetMessageId,
      conversationId: 'conv-live',
    });
    expect(GRAPH_CLIENT_ID).toBeTruthy();
  });

  test.each([
    ['markup', '<script>alert(1)</script>'],
    ['spaces and colons', 'Validation: Testing client application reachability for subscription Request-Id: 6a1f5c3e-0000-4000-8000-1234'],
    ['percent and plus', '100% + more & less=?#'],
  ])('echoes a validation token with %s exactly, as text/plain with nosniff', async (_what, token) => {
    for (const handler of [graphNotifications, graphLifecycle]) {
      const { response, body } = await post(handler, '', `?validationToken=${encodeURIComponent(token)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain(;|$)/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(body).toBe(token);
    }
    // And over HTTP, byte for byte, as Graph sees it.
    const over = await fetch(`${harness.appUrl}/api/graph/notifications?validationToken=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
    });
    expect(Buffer.from(await over.arrayBuffer()).equals(Buffer.from(token, 'utf8'))).toBe(true);
    expect(over.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('a space sent as + is decoded as a space, as Graph URL-encodes it', async () => {
    const { body } = await post(graphNotifications, '', '?validationToken=Validation:+Testing+Request-Id:+1');
    expect(body).toBe('Validation: Testing Request-Id: 1');
  });

  test('malformed JSON or envelope is 400 problem+json, and nothing is queued', async () => {
    for (const bad of ['{', '[]', JSON.stringify({ value: 'no' }), JSON.stringify({ items: [] })]) {
      const { response, body } = await post(graphNotifications, bad);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(['invalid_json', 'invalid_body']).toContain((JSON.parse(body) as { code: string }).code);
    }
    expect(await harness.drain(queueNames.graphNotifications)).toEqual([]);
  });

  test('lifecycle notifications are validated the same way and queued to graph-lifecycle', async () => {
    const clientState = harness.simulator.state.subscriptions.get(subscriptionA)!.clientState;
    const { response } = await harness.invoke(graphLifecycle, {
      method: 'POST',
      url: `${harness.appUrl}/api/graph/lifecycle`,
      body: JSON.stringify({
        value: [
          { subscriptionId: subscriptionA, clientState, lifecycleEvent: 'missed', tenantId: harness.tenantId },
          { subscriptionId: subscriptionA, clientState: 'forged', lifecycleEvent: 'subscriptionRemoved', tenantId: harness.tenantId },
        ],
      }),
    });
    expect(response.status).toBe(202);
    expect(await harness.drain(queueNames.graphLifecycle)).toEqual([
      expect.objectContaining({
        subscriptionId: subscriptionA,
        lifecycleEvent: 'missed',
        userId: harness.userId,
        tenantId: harness.tenantId,
      }),
    ]);
  });
});
