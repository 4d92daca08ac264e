import { newGuid } from '../../dev/sandbox/newGuid';
import { startGraphHarness, type GraphHarness } from '../support/graphHarness';

let harness: GraphHarness;

beforeAll(async () => {
  harness = await startGraphHarness();
});
afterAll(() => harness.stop());

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe('links and mailbox subscriptions', () => {
  test('linking subscribes the mailbox after a correct validation handshake, and stores the subscription', async () => {
    const conversationId = `AAQkAD/${newGuid()}+=`;
    const response = await harness.fetchApp('/api/links', json({ conversationId, instanceId: harness.instanceId, issueKey: 'demo-1' }));
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      conversationId,
      instanceId: 'demo',
      issueKey: 'DEMO-1',
      linkedBy: harness.userId,
      stale: false,
    });

    // Graph validated both URLs, and the answers were exactly what Graph requires.
    const { handshakes } = harness.simulator.state;
    expect(handshakes.map((h) => new URL(h.url).pathname).sort()).toEqual(['/api/graph/lifecycle', '/api/graph/notifications']);
    for (const handshake of handshakes) {
      expect(handshake).toMatchObject({ ok: true, status: 200 });
      expect(handshake.contentType).toMatch(/^text\/plain/);
      expect(handshake.validationToken).toMatch(/ .*:/);
    }

    const atGraph = [...harness.simulator.state.subscriptions.values()];
    expect(atGraph).toHaveLength(1);
    const subscription = atGraph[0]!;
    expect(subscription).toMatchObject({
      userId: harness.userId,
      changeType: ['created'],
      includeResourceData: false,
      tenantId: harness.tenantId,
    });
    expect(subscription.clientState).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const mailbox = await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId: harness.userId });
    expect(mailbox?.subscriptionId).toBe(subscription.id);
    const stored = await harness.services.repositories.subscriptions.get({ subscriptionId: subscription.id });
    expect(stored).toMatchObject({ tenantId: harness.tenantId, userId: harness.userId, resource: `users/${harness.userId}/messages` });
    // The clientState is a secret: only its hash is kept.
    expect(JSON.stringify(stored)).not.toContain(subscription.clientState!);
    expect(Date.parse(stored!.expiresAt)).toBe(subscription.expiresAt);

    // Linking again (or another issue) reuses the subscription: no new handshake.
    const again = await harness.fetchApp('/api/links', json({ conversationId, instanceId: harness.instanceId, issueKey: 'DEMO-1' }));
    expect(again.status).toBe(200);
    expect(
      (await harness.fetchApp('/api/links', json({ conversationId, instanceId: harness.instanceId, issueKey: 'DEMO-2' }))).status,
    ).toBe(201);
    expect(harness.simulator.state.subscriptions.size).toBe(1);
    expect(handshakes).toHaveLength(2);

    const listed = await harness.fetchApp(`/api/links?conversationId=${encodeURIComponent(conversationId)}`);
    expect(listed.status).toBe(200);
    const { items } = (await listed.json()) as { items: { issueKey: string }[] };
    expect(items.map((link) => link.issueKey)).toEqual(['DEMO-1', 'DEMO-2']);

    // Removing one link keeps the subscription; removing the mailbox's last one deletes it.
    const remove = (issueKey: string) =>
      harness.fetchApp(`/api/links?conversationId=${encodeURIComponent(conversationId)}&instanceId=demo&issueKey=${issueKey}`, {
        method: 'DELETE',
      });
    expect((await remove('DEMO-1')).status).toBe(204);
    expect(harness.simulator.state.subscriptions.size).toBe(1);
    expect((await remove('DEMO-1')).status).toBe(404);
    expect((await remove('DEMO-2')).status).toBe(204);
    expect(harness.simulator.state.subscriptions.size).toBe(0);
    expect(await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId: harness.userId })).toBeUndefined();
    expect(await harness.services.repositories.subscriptions.get({ subscriptionId: subscription.id })).toBeUndefined();
  });

  test('a tenant never sees or touches another tenant’s links', async () => {
    const conversationId = `conv-${newGuid()}`;
    expect(
      (await harness.fetchApp('/api/links', json({ conversationId, instanceId: harness.instanceId, issueKey: 'DEMO-7' }))).status,
    ).toBe(201);
    const stranger = { tenantId: newGuid(), userId: newGuid() };
    await harness.registerInstance(stranger.tenantId, harness.instanceId);

    const listed = await harness.fetchApp(`/api/links?conversationId=${encodeURIComponent(conversationId)}`, { user: stranger });
    expect(await listed.json()).toEqual({ items: [] });
    const removed = await harness.fetchApp(
      `/api/links?conversationId=${encodeURIComponent(conversationId)}&instanceId=demo&issueKey=DEMO-7`,
      { method: 'DELETE', user: stranger },
    );
    expect(removed.status).toBe(404);
    const mine = await harness.fetchApp(`/api/links?conversationId=${encodeURIComponent(conversationId)}`);
    expect(((await mine.json()) as { items: unknown[] }).items).toHaveLength(1);
  });

  test('bad requests are problem+json: no token, unknown instance, malformed issue key, missing query', async () => {
    const anonymous = await fetch(`${harness.appUrl}/api/links?conversationId=x`);
    expect(anonymous.status).toBe(401);
    const unknown = await harness.fetchApp('/api/links', json({ conversationId: 'c', instanceId: 'nope', issueKey: 'DEMO-1' }));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/problem+json');
    expect(((await unknown.json()) as { code: string }).code).toBe('instance_not_found');
    const malformed = await harness.fetchApp('/api/links', json({ conversationId: 'c', instanceId: 'demo', issueKey: 'not a key' }));
    expect(((await malformed.json()) as { code: string }).code).toBe('invalid_body');
    const notJson = await harness.fetchApp('/api/links', { method: 'POST', body: '{' });
    expect(((await notJson.json()) as { code: string }).code).toBe('invalid_json');
    const noQuery = await harness.fetchApp('/api/links');
    expect(((await noQuery.json()) as { code: string }).code).toBe('invalid_query');
  });

  test('when Graph throttles the subscription, the link is kept, the 429 carries Retry-After, and a retry finishes the job', async () => {
    const conversationId = `conv-${newGuid()}`;
    const user = { tenantId: harness.tenantId, userId: newGuid() };
    harness.simulator.failNext({ status: 429, retryAfterSeconds: 3 });
    const throttled = await harness.fetchApp('/api/links', { ...json({ conversationId, instanceId: 'demo', issueKey: 'DEMO-3' }), user });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    const retried = await harness.fetchApp('/api/links', { ...json({ conversationId, instanceId: 'demo', issueKey: 'DEMO-3' }), user });
    expect(retried.status).toBe(200);
    expect(await harness.services.repositories.mailboxes.get(user)).toBeDefined();
  });
});
