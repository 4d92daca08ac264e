import { newGuid } from '../../dev/sandbox/newGuid';
import type { PeekedQueueMessage } from '../../shared/platform/storage/QueueAdmin';
import { encodeQueueMessage } from '../../shared/platform/storage/queueMessageCodec';
import { allQueueNames, poisonQueueName, queueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import { PANEL_AUDIENCE, startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';

/**
 * Issue 15, hole 2: an admin of any tenant replayed every tenant's poisoned messages from
 * the panel, and its report showed the deployment's poison counts. Replay and counts are
 * now the caller's tenant's: another tenant's messages stay in the poison queue, visible at
 * once, with their text and id unchanged. Deployment-wide replay is for the CLI or the
 * operator role of the operator's own tenant (a customer's admin can assign our app's
 * roles to anyone in the customer's tenant, so the role alone proves nothing).
 */
const OPERATOR_ROLE = 'Integration.Operator';
const OPERATOR_TENANT = newGuid();

describe("poison replay and counts stay within the caller's tenant", () => {
  let stack: AdminPanelStack;
  let victim: PanelInstance;
  let attacker: PanelInstance;

  beforeAll(async () => {
    stack = await startAdminPanelStack({ env: { OPERATOR_ROLE, OPERATOR_TENANT_ID: OPERATOR_TENANT } });
    victim = await stack.newInstance();
    attacker = await stack.newInstance();
  }, 60_000);
  afterAll(() => stack?.stop());

  /** A message of each queue's own shape (what the handlers enqueue), for a tenant. */
  function messageOf(queue: QueueName, tenantId: string, n: number): Record<string, unknown> {
    const receivedAt = new Date().toISOString();
    const userId = newGuid();
    switch (queue) {
      case queueNames.graphNotifications:
        return {
          version: 1,
          origin: 'webhook',
          tenantId,
          subscriptionId: newGuid(),
          userId,
          changeType: 'created',
          resource: `Users/${userId}/Messages/m${n}`,
          messageId: `m${n}`,
          receivedAt,
        };
      case queueNames.graphLifecycle:
        return { version: 1, tenantId, subscriptionId: newGuid(), userId, lifecycleEvent: 'missed', receivedAt };
      case queueNames.jiraNotify:
        return {
          version: 1,
          tenantId,
          instanceId: 'demo',
          issueKey: `DEMO-${n}`,
          mailboxUserId: userId,
          mail: { internetMessageId: `<${n}@example.test>`, conversationId: 'c', messageId: `m${n}`, subject: 's', bodyPreview: 'p' },
          enqueuedAt: receivedAt,
          retry: { throttled: 0, failed: 5 },
        };
    }
  }

  const session = async (instance: PanelInstance) => {
    const page = await (await fetch(await stack.panelUrl(instance))).text();
    return /<meta name="panel-session" content="([^"]+)">/.exec(page)?.[1] ?? '';
  };

  const replay = (queue: string, auth: { session?: string; bearer?: string }, query = '') =>
    fetch(`${stack.http.url}/api/manage/panel/replay-poison${query}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(auth.session ? { 'X-Panel-Session': auth.session } : {}),
        ...(auth.bearer ? { Authorization: `Bearer ${auth.bearer}` } : {}),
      },
      body: JSON.stringify({ queue }),
    });

  const peekAll = (queue: string) => stack.fanout.admin.peek(queue, 32);
  // Order-free: a message looked at and left goes back to the queue wherever the service puts it.
  const sorted = <T>(items: T[]) => items.map((item) => JSON.stringify(item)).sort();
  const bodies = (messages: PeekedQueueMessage[]) => sorted(messages.map((message) => message.body));
  const identity = (messages: PeekedQueueMessage[]) =>
    sorted(messages.map((message) => ({ id: message.messageId, text: message.messageText, insertedOn: message.insertedOn })));

  async function drain(queue: string): Promise<void> {
    for (
      let batch = await stack.fanout.admin.receive(queue, { max: 32 });
      batch.length > 0;
      batch = await stack.fanout.admin.receive(queue, { max: 32 })
    )
      await Promise.all(batch.map((message) => stack.fanout.admin.delete(queue, message)));
  }

  it.each(allQueueNames)("%s: the report counts the tenant's own, the replay moves the tenant's own and nothing else", async (queue) => {
    const poison = poisonQueueName(queue);
    const victims = [1, 2, 3].map((n) => messageOf(queue, victim.tenantId, n));
    const attackers = [4, 5].map((n) => messageOf(queue, attacker.tenantId, n));
    // Interleaved, and a message that names no tenant: only an operator may move it.
    const nobody = { version: 1, note: 'no tenant' };
    for (const message of [victims[0], attackers[0], victims[1], nobody, attackers[1], victims[2]])
      await stack.fanout.admin.sendText(poison, encodeQueueMessage(message));
    const victimsBefore = identity(
      (await peekAll(poison)).filter((message) => (message.body as { tenantId?: string }).tenantId !== attacker.tenantId),
    );

    const attackerSession = await session(attacker);
    const report = (await (
      await fetch(`${stack.http.url}/api/manage/panel/report?days=1`, { headers: { 'X-Panel-Session': attackerSession } })
    ).json()) as {
      poisonQueues: { queue: string; count: number }[];
    };
    expect(report.poisonQueues.find((entry) => entry.queue === queue)).toMatchObject({ queue, count: 2 });

    const replayed = await replay(queue, { session: attackerSession });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({ queue, moved: 2 });
    expect(bodies(await peekAll(queue))).toEqual(sorted(attackers));

    // Everything else is still in the poison queue, visible at once, unchanged.
    const left = await peekAll(poison);
    expect(identity(left)).toEqual(victimsBefore);
    expect(bodies(left)).toEqual(sorted([...victims, nobody]));
    expect(await stack.fanout.admin.approximateCount(poison)).toBe(4);

    // The victim's own admin moves the victim's three; the message of nobody stays.
    const mine = await replay(queue, { bearer: await stack.adminToken(victim.tenantId) }, '?instanceId=demo');
    expect(await mine.json()).toMatchObject({ queue, moved: 3 });
    expect(bodies(await peekAll(poison))).toEqual(sorted([nobody]));
    await drain(queue);
    await drain(poison);
  });

  it('deployment-wide replay: not from a panel session, not for a tenant admin, not for the operator role of another tenant', async () => {
    const poison = poisonQueueName(queueNames.jiraNotify);
    const messages = [messageOf(queueNames.jiraNotify, victim.tenantId, 7), messageOf(queueNames.jiraNotify, attacker.tenantId, 8)];
    for (const message of messages) await stack.fanout.admin.sendText(poison, encodeQueueMessage(message));
    const everything = '?scope=deployment';

    const refusals = [
      await replay(queueNames.jiraNotify, { session: await session(attacker) }, everything),
      await replay(queueNames.jiraNotify, { bearer: await stack.adminToken(attacker.tenantId) }, everything),
      // The attacker's tenant admin gave themselves the operator role in their own tenant.
      await replay(
        queueNames.jiraNotify,
        {
          bearer: await stack.issuer.mint({
            tenantId: attacker.tenantId,
            userId: newGuid(),
            audience: PANEL_AUDIENCE,
            roles: [OPERATOR_ROLE],
          }),
        },
        everything,
      ),
    ];
    expect(refusals.map((response) => response.status)).toEqual([401, 403, 403]);
    for (const refused of refusals.slice(1)) expect(((await refused.json()) as { code: string }).code).toBe('operator_role_required');
    expect(bodies(await peekAll(poison))).toEqual(sorted(messages));

    const operator = await stack.issuer.mint({
      tenantId: OPERATOR_TENANT,
      userId: newGuid(),
      audience: PANEL_AUDIENCE,
      roles: [OPERATOR_ROLE],
    });
    const moved = await replay(queueNames.jiraNotify, { bearer: operator }, everything);
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ queue: queueNames.jiraNotify, moved: 2 });
    expect(bodies(await peekAll(queueNames.jiraNotify))).toEqual(sorted(messages));
    await drain(queueNames.jiraNotify);
  });
});
