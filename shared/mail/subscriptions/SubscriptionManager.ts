import { AppError } from '../../platform/errors/AppError';
import type { GraphApi } from '../graph/GraphApi';
import type { CreateSubscriptionRequest } from '../graph/graphSchemas';
import type { Clock } from '../../platform/clock';
import type { MailboxRepository } from '../../platform/storage/mailboxes/MailboxRepository';
import type { QueueSender } from '../../platform/storage/QueueSender';
import { queueNames } from '../../platform/storage/queueNames';
import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import type { SubscriptionEntity } from '../../platform/storage/subscriptions/subscriptionEntity';
import type { GraphLifecycleMessage } from '../webhooks/graphLifecycleMessage';
import { hashClientState, newClientState } from '../webhooks/clientState';
import { catchUpMailbox } from './catchUpMailbox';
import type { SubscriptionSettings } from './SubscriptionSettings';
import { isRichResource, subscriptionResource } from './subscriptionResource';
import { updateSubscription } from './updateSubscription';

export interface SubscriptionManagerInit {
  graph: { forTenant: (tenantId: string) => GraphApi };
  subscriptions: SubscriptionRepository;
  mailboxes: MailboxRepository;
  queues: QueueSender;
  clock: Clock;
  settings: SubscriptionSettings;
  /** How far back a catch-up lists at most: well inside `DELIVERY_RETENTION`, so a mail listed again is still in the ledger. */
  catchUpMaxLookbackMs: number;
  /** Told when a subscription is created or removed, e.g. to drop the webhook's cached copy. */
  onChange?: (subscriptionId: string) => void;
  /**
   * How long after a mailbox's first subscription is stored its catch-up runs. Graph notifies
   * from the moment it creates the subscription, before we hold its row; the webhook drops
   * those notifications as unknown, and a webhook process that read "unknown" keeps
   * believing it for a moment (`SubscriptionLookup`'s missing TTL, per process). The
   * catch-up must list only after that belief has ended everywhere; 0 by default.
   */
  firstCatchUpDelaySeconds?: number;
}

export type RenewalOutcome =
  | { outcome: 'renewed'; subscription: SubscriptionEntity }
  | { outcome: 'recreated'; subscription: SubscriptionEntity }
  /** The mailbox no longer uses this subscription (its last link went, or it was replaced). */
  | { outcome: 'removed' };

/** A subscription this close to its end is renewed on the spot rather than left to the timer. */
const LIVE_MARGIN_MS = 15 * 60_000;

/**
 * The life of mailbox subscriptions: one per mailbox that has links (the `mailboxes` row
 * names it), created after Graph's validation handshake, renewed before it expires,
 * recreated when Graph lost it (a catch-up then covers the gap), removed with the
 * mailbox's last link. Concurrent callers are resolved with ETags on the mailbox row: the
 * loser deletes the subscription it made.
 */
export class SubscriptionManager {
  constructor(private readonly init: SubscriptionManagerInit) {}

  /** Makes sure the mailbox has a live subscription; answers it. */
  async ensureForMailbox(tenantId: string, userId: string): Promise<SubscriptionEntity> {
    const { mailboxes, subscriptions, clock } = this.init;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const mailbox = await mailboxes.getVersioned({ tenantId, userId });
      if (mailbox) {
        const current = await subscriptions.get({ subscriptionId: mailbox.entity.subscriptionId });
        if (current && Date.parse(current.expiresAt) > clock.now() + LIVE_MARGIN_MS) return current;
        if (current) {
          const renewal = await this.renew(current);
          if (renewal.outcome !== 'removed') return renewal.subscription;
          continue;
        }
      }
      const created = await this.create(tenantId, userId);
      const row = { tenantId, userId, subscriptionId: created.subscriptionId, updatedAt: new Date(clock.now()).toISOString() };
      const stored = mailbox ? await mailboxes.update(row, mailbox.etag) : await mailboxes.insert(row);
      if (stored) {
        // The row named a subscription we no longer have a record of: make sure Graph drops it too.
        if (mailbox) await this.deleteAtGraph(tenantId, mailbox.entity.subscriptionId);
        // Mail that arrived while Graph created it was notified before its row existed, and
        // dropped as unknown: caught up from just before the create (its completeUntil).
        await this.requestCatchUp(created, this.init.firstCatchUpDelaySeconds ?? 0);
        return created;
      }
      // Another request for this mailbox won the race: keep theirs.
      await this.discard(created);
    }
    throw new AppError({ code: 'conflict', detail: 'the mailbox subscription kept changing' });
  }

  /**
   * Extends the subscription by the configured lifetime. Graph no longer having it (404),
   * or a configuration change (rich notifications on or off, a new certificate), means a
   * new subscription instead.
   */
  async renew(subscription: SubscriptionEntity): Promise<RenewalOutcome> {
    const { settings, clock } = this.init;
    if (!(await this.isMailboxCurrent(subscription))) {
      await this.discard(subscription);
      return { outcome: 'removed' };
    }
    const rich = settings.richNotifications;
    if (isRichResource(subscription.resource) !== (rich !== undefined)) return this.recreate(subscription);

    const expiresAt = new Date(clock.now() + settings.subscriptionMinutes * 60_000).toISOString();
    let renewed;
    try {
      renewed = await this.init.graph.forTenant(subscription.tenantId).renewSubscription(subscription.subscriptionId, expiresAt);
    } catch (error) {
      if (error instanceof AppError && error.code === 'graph_not_found') return this.recreate(subscription);
      throw error;
    }
    // After a certificate rotation, a subscription still encrypting with the old one is replaced.
    if (rich && renewed.encryptionCertificateId && renewed.encryptionCertificateId !== rich.certificateId)
      return this.recreate(subscription);

    const renewedAt = new Date(clock.now()).toISOString();
    const confirmedExpiry = toIso(renewed.expirationDateTime) ?? expiresAt;
    const updated = await updateSubscription(this.init.subscriptions, subscription.subscriptionId, (current) => ({
      ...current,
      expiresAt: confirmedExpiry,
      renewedAt,
      state: 'active',
    }));
    return updated ? { outcome: 'renewed', subscription: updated } : { outcome: 'removed' };
  }

  /**
   * Replaces a subscription Graph lost or that must change, keeping its marks (the new one
   * is complete only as far as the old one was), and queues a catch-up for the new one so
   * that nothing received in between is lost.
   */
  async recreate(old: SubscriptionEntity): Promise<RenewalOutcome> {
    const { mailboxes, subscriptions, clock } = this.init;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const mailbox = await mailboxes.getVersioned({ tenantId: old.tenantId, userId: old.userId });
      if (!mailbox) {
        await this.discard(old);
        return { outcome: 'removed' };
      }
      if (mailbox.entity.subscriptionId !== old.subscriptionId) {
        // Someone replaced it already; make sure that one catches up from where ours was complete.
        await this.discard(old);
        const current = await updateSubscription(subscriptions, mailbox.entity.subscriptionId, (replacement) =>
          completeUntilOf(replacement) <= completeUntilOf(old) ? undefined : { ...replacement, completeUntil: completeUntilOf(old) },
        );
        if (!current) return { outcome: 'removed' };
        await this.requestCatchUp(current);
        return { outcome: 'recreated', subscription: current };
      }
      const created = await this.create(old.tenantId, old.userId, {
        completeUntil: completeUntilOf(old),
        ...(old.watermark === undefined ? {} : { watermark: old.watermark }),
      });
      const switched = await mailboxes.update(
        { ...mailbox.entity, subscriptionId: created.subscriptionId, updatedAt: new Date(clock.now()).toISOString() },
        mailbox.etag,
      );
      if (!switched) {
        await this.discard(created);
        continue;
      }
      await this.requestCatchUp(created);
      await this.discard(old);
      return { outcome: 'recreated', subscription: created };
    }
    throw new AppError({ code: 'conflict', detail: 'the mailbox subscription kept changing' });
  }

  /** Removes the mailbox's subscription (its last link went). False when it had none. */
  async removeForMailbox(tenantId: string, userId: string): Promise<boolean> {
    const mailbox = await this.init.mailboxes.getVersioned({ tenantId, userId });
    if (!mailbox) return false;
    // Claim the row first: if a new link just replaced the subscription, leave it alone.
    if (!(await this.init.mailboxes.deleteIfMatch({ tenantId, userId }, mailbox.etag))) return false;
    await this.discard({ tenantId, subscriptionId: mailbox.entity.subscriptionId });
    return true;
  }

  /**
   * Ends a subscription whose mailbox owns no link any more: the mailbox's current one, and
   * this one too if it is a leftover the mailbox no longer names.
   */
  async retire(subscription: SubscriptionEntity): Promise<void> {
    await this.removeForMailbox(subscription.tenantId, subscription.userId);
    if (await this.init.subscriptions.get({ subscriptionId: subscription.subscriptionId })) await this.discard(subscription);
  }

  /** Queues every mail since the subscription was last known complete; answers how many. */
  catchUp(subscription: SubscriptionEntity): Promise<number> {
    return catchUpMailbox({
      graph: this.init.graph.forTenant(subscription.tenantId),
      queues: this.init.queues,
      subscriptions: this.init.subscriptions,
      clock: this.init.clock,
      subscription,
      maxLookbackMs: this.init.catchUpMaxLookbackMs,
    });
  }

  /** A catch-up as its own queue message, so it is retried (and throttled) on its own. */
  private async requestCatchUp(subscription: SubscriptionEntity, delaySeconds = 0): Promise<void> {
    const message: GraphLifecycleMessage = {
      version: 1,
      tenantId: subscription.tenantId,
      subscriptionId: subscription.subscriptionId,
      userId: subscription.userId,
      lifecycleEvent: 'missed',
      receivedAt: new Date(this.init.clock.now()).toISOString(),
    };
    await this.init.queues.send(queueNames.graphLifecycle, message, delaySeconds > 0 ? { visibilityTimeoutSeconds: delaySeconds } : {});
  }

  private async isMailboxCurrent(subscription: SubscriptionEntity): Promise<boolean> {
    const mailbox = await this.init.mailboxes.get({ tenantId: subscription.tenantId, userId: subscription.userId });
    return mailbox?.subscriptionId === subscription.subscriptionId;
  }

  /** `carried`: the marks of the subscription this one replaces; a first subscription is complete from its creation. */
  private async create(
    tenantId: string,
    userId: string,
    carried?: Pick<SubscriptionEntity, 'watermark' | 'completeUntil'>,
  ): Promise<SubscriptionEntity> {
    const { settings, clock } = this.init;
    const clientState = newClientState();
    const now = clock.now();
    const rich = settings.richNotifications;
    const resource = subscriptionResource(userId, rich !== undefined);
    const request: CreateSubscriptionRequest = {
      changeType: 'created',
      notificationUrl: `${settings.publicBaseUrl}/api/graph/notifications`,
      lifecycleNotificationUrl: `${settings.publicBaseUrl}/api/graph/lifecycle`,
      resource,
      expirationDateTime: new Date(now + settings.subscriptionMinutes * 60_000).toISOString(),
      clientState,
      ...(rich ? { includeResourceData: true, encryptionCertificate: rich.certificate, encryptionCertificateId: rich.certificateId } : {}),
    };
    const graph = this.init.graph.forTenant(tenantId);
    const created = await graph.createSubscription(request);
    const entity: SubscriptionEntity = {
      subscriptionId: created.id,
      tenantId,
      userId,
      resource,
      clientStateHash: hashClientState(clientState),
      expiresAt: toIso(created.expirationDateTime) ?? request.expirationDateTime,
      watermark: carried?.watermark ?? new Date(now).toISOString(),
      completeUntil: carried?.completeUntil ?? new Date(now).toISOString(),
      createdAt: new Date(now).toISOString(),
      state: 'active',
    };
    try {
      await this.init.subscriptions.upsert(entity);
    } catch (error) {
      // Without its row every notification would be dropped: do not leave it at Graph.
      await this.deleteAtGraph(tenantId, created.id);
      throw error;
    }
    this.init.onChange?.(entity.subscriptionId);
    return entity;
  }

  /**
   * Deletes a subscription at Graph and its row. A Graph failure does not keep the row: a
   * subscription nobody renews ends by itself within days, and its notifications are
   * dropped as unknown meanwhile.
   */
  private async discard(subscription: Pick<SubscriptionEntity, 'tenantId' | 'subscriptionId'>): Promise<void> {
    await this.deleteAtGraph(subscription.tenantId, subscription.subscriptionId);
    await this.init.subscriptions.delete({ subscriptionId: subscription.subscriptionId });
    this.init.onChange?.(subscription.subscriptionId);
  }

  private async deleteAtGraph(tenantId: string, subscriptionId: string): Promise<boolean> {
    try {
      await this.init.graph.forTenant(tenantId).deleteSubscription(subscriptionId);
      return true;
    } catch (error) {
      if (error instanceof AppError) return false;
      throw error;
    }
  }
}

/** Where a catch-up of this subscription starts: its low-water mark, or its creation for a row from before marks. */
function completeUntilOf(subscription: SubscriptionEntity): string {
  return new Date(subscription.completeUntil ?? subscription.createdAt).toISOString();
}

function toIso(text: string): string | undefined {
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
