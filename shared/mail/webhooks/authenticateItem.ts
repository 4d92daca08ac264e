import { clientStateMatches } from './clientState';
import type { DropReason } from './DropCounts';
import type { SubscriptionSnapshot } from './SubscriptionLookup';

export type ItemAuthentication =
  | { ok: true; subscription: SubscriptionSnapshot }
  | { ok: false; reason: Extract<DropReason, 'unknownSubscription' | 'clientStateMismatch'> };

/**
 * The one check every webhook item passes before anything else is believed: its
 * subscription is one of ours (read beforehand by `lookupSubscriptions`) and it carries
 * that subscription's clientState. Change and lifecycle notifications share it, so the
 * two webhooks cannot drift apart on what authenticates a post.
 */
export function authenticateItem(
  snapshots: ReadonlyMap<string, SubscriptionSnapshot>,
  item: { subscriptionId: string; clientState?: string | null },
): ItemAuthentication {
  const subscription = snapshots.get(item.subscriptionId);
  if (!subscription) return { ok: false, reason: 'unknownSubscription' };
  if (!clientStateMatches(item.clientState, subscription.clientStateHash)) return { ok: false, reason: 'clientStateMismatch' };
  return { ok: true, subscription };
}
