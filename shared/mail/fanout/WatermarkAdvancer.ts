import type { SubscriptionRepository } from '../../platform/storage/subscriptions/SubscriptionRepository';
import { advanceWatermark } from '../subscriptions/advanceWatermark';

export interface WatermarkAdvancerInit {
  subscriptions: Pick<SubscriptionRepository, 'getVersioned' | 'update'>;
  /**
   * How far the stored watermark may lag behind what this process has processed. It is
   * the panel's "last notification" and nothing starts from it (a catch-up starts at the
   * subscription's low-water mark, `completeUntil`), so a lag of a minute costs nothing,
   * and saves a read and a write on nearly every mail.
   */
  stepMs?: number;
  maxEntries?: number;
}

/**
 * Moves subscriptions' watermarks forward as mails are processed, at most once per step
 * per subscription and process: the hot path (a mail in no linked conversation) then
 * costs no table request for it. The write itself is `advanceWatermark`'s conditional
 * read-modify-write, so it never moves a watermark back.
 */
export class WatermarkAdvancer {
  private readonly subscriptions: WatermarkAdvancerInit['subscriptions'];
  private readonly stepMs: number;
  private readonly maxEntries: number;
  /** Subscription id → the latest time this process wrote (or found written). */
  private readonly written = new Map<string, number>();

  constructor(init: WatermarkAdvancerInit) {
    this.subscriptions = init.subscriptions;
    this.stepMs = init.stepMs ?? 60_000;
    this.maxEntries = init.maxEntries ?? 10_000;
  }

  async advance(subscriptionId: string, at: string): Promise<void> {
    const time = Date.parse(at);
    if (Number.isNaN(time)) return;
    const known = this.written.get(subscriptionId);
    if (known !== undefined && time <= known + this.stepMs) return;
    await advanceWatermark(this.subscriptions, subscriptionId, new Date(time).toISOString());
    if (this.written.size >= this.maxEntries) this.written.clear();
    this.written.set(subscriptionId, Math.max(time, known ?? time));
  }
}
