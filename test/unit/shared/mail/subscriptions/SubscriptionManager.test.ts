import { createSelfSignedCertificate } from '../../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { newGuid } from '../../../../../dev/sandbox/newGuid';
import { queueNames } from '../../../../../shared/platform/storage/queueNames';
import { renewExpiringSubscriptions } from '../../../../../shared/mail/subscriptions/renewExpiringSubscriptions';
import { SubscriptionManager } from '../../../../../shared/mail/subscriptions/SubscriptionManager';
import type { SubscriptionSettings } from '../../../../../shared/mail/subscriptions/SubscriptionSettings';
import { startGraphHarness, type GraphHarness } from '../../../../support/graphHarness';

let harness: GraphHarness;

beforeAll(async () => {
  harness = await startGraphHarness({ rich: true });
});
afterAll(() => harness.stop());

function managerWith(settings: Partial<SubscriptionSettings>): SubscriptionManager {
  const { services } = harness;
  return new SubscriptionManager({
    graph: services.graph,
    subscriptions: services.repositories.subscriptions,
    mailboxes: services.repositories.mailboxes,
    queues: services.queues,
    clock: services.clock,
    settings: {
      publicBaseUrl: harness.appUrl,
      subscriptionMinutes: 4230,
      renewalWindowMinutes: 720,
      richNotifications: undefined,
      ...settings,
    },
    catchUpMaxLookbackMs: 15 * 86_400_000,
  });
}

describe('SubscriptionManager against Azurite and the Graph simulator', () => {
  test('concurrent links of one mailbox end with one subscription; the losers’ are deleted at Graph', async () => {
    const userId = newGuid();
    const results = await Promise.all(
      Array.from({ length: 4 }, () => harness.services.mailboxSubscriptions.ensureForMailbox(harness.tenantId, userId)),
    );
    const ids = new Set(results.map((s) => s.subscriptionId));
    expect(ids.size).toBe(1);
    const [winner] = [...ids];
    const atGraph = [...harness.simulator.state.subscriptions.values()].filter((s) => s.userId === userId);
    expect(atGraph.map((s) => s.id)).toEqual([winner]);
    expect((await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId }))?.subscriptionId).toBe(winner);
  });

  test('rich subscriptions select the fan-out’s fields and carry the certificate; a rotated certificate means a new subscription', async () => {
    const userId = newGuid();
    const first = await harness.services.mailboxSubscriptions.ensureForMailbox(harness.tenantId, userId);
    const atGraph = harness.simulator.state.subscriptions.get(first.subscriptionId)!;
    expect(atGraph).toMatchObject({ includeResourceData: true, encryptionCertificateId: 'harness-cert-1' });
    expect(atGraph.selectFields).toEqual([
      'id',
      'internetMessageId',
      'conversationId',
      'subject',
      'from',
      'receivedDateTime',
      'bodyPreview',
      'webLink',
    ]);

    const rotated = createSelfSignedCertificate('rotated');
    const result = await managerWith({ richNotifications: { certificate: rotated.certificate, certificateId: 'harness-cert-2' } }).renew(
      first,
    );
    expect(result.outcome).toBe('recreated');
    const replacement = result.outcome === 'recreated' ? result.subscription : undefined;
    expect(harness.simulator.state.subscriptions.get(replacement!.subscriptionId)?.encryptionCertificateId).toBe('harness-cert-2');
    expect(harness.simulator.state.subscriptions.has(first.subscriptionId)).toBe(false);
    expect(await harness.services.repositories.subscriptions.get({ subscriptionId: first.subscriptionId })).toBeUndefined();
    // Anything that arrived meanwhile is caught up by the new subscription.
    const catchUps = await harness.drain(queueNames.graphLifecycle);
    expect(catchUps).toContainEqual(expect.objectContaining({ subscriptionId: replacement!.subscriptionId, lifecycleEvent: 'missed' }));

    // Turning rich notifications off replaces it with a plain one.
    const plain = await managerWith({}).renew(replacement!);
    expect(plain.outcome).toBe('recreated');
    const plainId = plain.outcome === 'recreated' ? plain.subscription.subscriptionId : '';
    expect(harness.simulator.state.subscriptions.get(plainId)).toMatchObject({
      includeResourceData: false,
      resource: `users/${userId}/messages`,
    });
  });

  test('a subscription its mailbox no longer uses is removed, not renewed; the timer drops mailboxes that own no link', async () => {
    const userId = newGuid();
    const subscription = await harness.services.mailboxSubscriptions.ensureForMailbox(harness.tenantId, userId);
    await harness.services.repositories.mailboxes.upsert({
      tenantId: harness.tenantId,
      userId,
      subscriptionId: 'someone-else',
      updatedAt: new Date().toISOString(),
    });
    expect((await harness.services.mailboxSubscriptions.renew(subscription)).outcome).toBe('removed');
    expect(harness.simulator.state.subscriptions.has(subscription.subscriptionId)).toBe(false);

    const lonely = newGuid();
    const unused = await harness.services.mailboxSubscriptions.ensureForMailbox(harness.tenantId, lonely);
    // A leftover whose mailbox names another subscription goes too.
    const leftoverUser = newGuid();
    const leftover = await harness.services.mailboxSubscriptions.ensureForMailbox(harness.tenantId, leftoverUser);
    await harness.services.repositories.mailboxes.upsert({
      tenantId: harness.tenantId,
      userId: leftoverUser,
      subscriptionId: 'another',
      updatedAt: new Date().toISOString(),
    });
    const summary = await renewExpiringSubscriptions({
      manager: harness.services.mailboxSubscriptions,
      subscriptions: harness.services.repositories.subscriptions,
      ownsLinks: (tenantId, user) => harness.services.linkOwnership.ownsAny(tenantId, user),
      clock: { now: () => harness.clock.now() + 5000 * 60_000 },
      renewalWindowMinutes: 720,
    });
    expect(summary.removed).toBeGreaterThanOrEqual(1);
    expect(harness.simulator.state.subscriptions.has(unused.subscriptionId)).toBe(false);
    expect(await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId: lonely })).toBeUndefined();
    expect(await harness.services.repositories.subscriptions.get({ subscriptionId: leftover.subscriptionId })).toBeUndefined();
    expect(harness.simulator.state.subscriptions.has(leftover.subscriptionId)).toBe(false);
  });
});
