import type { SubscriptionLookup, SubscriptionSnapshot } from './SubscriptionLookup';

/**
 * The subscriptions a webhook batch names, the ids with most items asked for first (in
 * order of first appearance among equals): Graph sends many items per subscription, a
 * forger's random ids come once each, so the reads that `getAll` allows go to ids that
 * are likely ours. Items of ids left unread are dropped as unknown by the caller.
 */
export async function lookupSubscriptions(
  lookup: Pick<SubscriptionLookup, 'getAll'>,
  items: readonly { subscriptionId: string }[],
): Promise<Map<string, SubscriptionSnapshot>> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.subscriptionId, (counts.get(item.subscriptionId) ?? 0) + 1);
  const ids = [...counts.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
  return (await lookup.getAll(ids)).found;
}
