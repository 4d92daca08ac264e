import { createSelfSignedCertificate } from '../../../../../dev/sandbox/graph/createSelfSignedCertificate';
import { newGuid } from '../../../../../dev/sandbox/newGuid';
import { queueNames } from '../../../../../shared/platform/storage/queueNames';
import { renewExpiringSubscriptions } from '../../../../../shared/mail/subscriptions/renewExpiringSubscriptions';
import { SubscriptionManager } from '../../../../../shared/mail/subscriptions/SubscriptionManager';
import { toSubscriptionSettings, type SubscriptionSettings } from '../../../../../shared/mail/subscriptions/SubscriptionSettings';
import { startGraphHarness, type GraphHarness } from '../../../../support/graphHarness';

let harness: GraphHarness;

beforeAll(async () => {
  harness = await startGraphHarness({ rich: true });
});
afterAll(() => harness.stop());

/** A manager with the settings the app would derive (the lifetime follows the kind), `settings` over them. */
function managerWith(settings: Partial<SubscriptionSettings>): SubscriptionManager {
  const { services } = harness;
  const rich = settings.richNotifications;
  const derived = toSubscriptionSettings({
    PUBLIC_BASE_URL: harness.appUrl,
    GRAPH_RENEWAL_WINDOW_MINUTES: 720,
    ...(rich ? { GRAPH_ENCRYPTION_CERTIFICATE: rich.certificate, GRAPH_ENCRYPTION_CERTIFICATE_ID: rich.certificateId } : {}),
  });
  return new SubscriptionManager({
    graph: services.graph,
    subscriptions: services.repositories.subscriptions,
    mailboxes: services.repositories.mailboxes,
    queues: services.queues,
    clock: services.clock,
    settings: { ...derived, ...settings },
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

  test('a first subscription asks for a catch-up from just before it was created, after the delay; an existing one asks for none', async () => {
    const userId = newGuid();
    const manager = (delay: number) =>
      new SubscriptionManager({
        graph: harness.services.graph,
        subscriptions: harness.services.repositories.subscriptions,
        mailboxes: harness.services.repositories.mailboxes,
        queues: harness.services.queues,
        clock: harness.services.clock,
        settings: toSubscriptionSettings({ PUBLIC_BASE_URL: harness.appUrl, GRAPH_RENEWAL_WINDOW_MINUTES: 720 }),
        catchUpMaxLookbackMs: 15 * 86_400_000,
        firstCatchUpDelaySeconds: delay,
      });
    const ours = (bodies: unknown[]) => bodies.filter((body) => (body as { userId?: string }).userId === userId);
    await harness.drain(queueNames.graphLifecycle);

    const before = harness.services.clock.now();
    const first = await manager(0).ensureForMailbox(harness.tenantId, userId);
    expect(Date.parse(first.completeUntil!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(first.completeUntil!)).toBeLessThanOrEqual(harness.services.clock.now());
    expect(ours(await harness.drain(queueNames.graphLifecycle))).toEqual([
      expect.objectContaining({ subscriptionId: first.subscriptionId, lifecycleEvent: 'missed' }),
    ]);

    // The mailbox keeps its subscription: nothing to catch up.
    expect((await manager(0).ensureForMailbox(harness.tenantId, userId)).subscriptionId).toBe(first.subscriptionId);
    expect(ours(await harness.drain(queueNames.graphLifecycle))).toEqual([]);

    // With a delay the catch-up is there, but not visible yet.
    const otherUser = newGuid();
    await manager(30).ensureForMailbox(harness.tenantId, otherUser);
    expect((await harness.drain(queueNames.graphLifecycle)).filter((body) => (body as { userId?: string }).userId === otherUser)).toEqual(
      [],
    );
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
      'isDraft',
      'internetMessageHeaders',
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
      runs: harness.services.repositories.jobRuns,
    });
    expect(summary.removed).toBeGreaterThanOrEqual(1);
    expect(harness.simulator.state.subscriptions.has(unused.subscriptionId)).toBe(false);
    expect(await harness.services.repositories.mailboxes.get({ tenantId: harness.tenantId, userId: lonely })).toBeUndefined();
    expect(await harness.services.repositories.subscriptions.get({ subscriptionId: leftover.subscriptionId })).toBeUndefined();
    expect(harness.simulator.state.subscriptions.has(leftover.subscriptionId)).toBe(false);
  });

  test('asks Graph its maximum lifetime for each kind, on creation and on renewal; Graph refuses a minute more', async () => {
    const MINUTE = 60_000;
    const certificate = harness.certificate!;
    const richSettings = { certificate: certificate.certificate, certificateId: 'harness-cert-1' };
    const kinds = [
      // The harness's own services: rich notifications configured, GRAPH_SUBSCRIPTION_MINUTES unset.
      { manager: harness.services.mailboxSubscriptions, maximum: 1_440, includeResourceData: true },
      { manager: managerWith({}), maximum: 10_070, includeResourceData: false },
    ];
    for (const kind of kinds) {
      const userId = newGuid();
      const before = harness.clock.now();
      const created = await kind.manager.ensureForMailbox(harness.tenantId, userId);
      const after = harness.clock.now();
      const atGraph = harness.simulator.state.subscriptions.get(created.subscriptionId)!;
      expect(atGraph.includeResourceData).toBe(kind.includeResourceData);
      expect(atGraph.expiresAt).toBeGreaterThanOrEqual(before + kind.maximum * MINUTE);
      expect(atGraph.expiresAt).toBeLessThanOrEqual(after + kind.maximum * MINUTE);
      expect(Date.parse(created.expiresAt)).toBe(atGraph.expiresAt);

      // Graph counts the lifetime from the renewal, not from the creation.
      harness.clock.advance(5 * MINUTE);
      const renewing = harness.clock.now();
      const renewal = await kind.manager.renew(created);
      const renewed = harness.clock.now();
      expect(renewal.outcome).toBe('renewed');
      const extended = harness.simulator.state.subscriptions.get(created.subscriptionId)!.expiresAt;
      expect(extended).toBeGreaterThanOrEqual(renewing + kind.maximum * MINUTE);
      expect(extended).toBeLessThanOrEqual(renewed + kind.maximum * MINUTE);
    }

    // What the settings check keeps the app from doing, Graph (the simulator) refuses.
    for (const manager of [
      managerWith({ richNotifications: richSettings, subscriptionMinutes: 1_441 }),
      managerWith({ subscriptionMinutes: 10_071 }),
    ]) {
      await expect(manager.ensureForMailbox(harness.tenantId, newGuid())).rejects.toMatchObject({
        code: 'graph_request_failed',
        extensions: { graphCode: 'ExtensionError' },
      });
    }
  });
});
