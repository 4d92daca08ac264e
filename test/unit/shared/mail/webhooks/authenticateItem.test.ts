import { authenticateItem } from '../../../../../shared/mail/webhooks/authenticateItem';
import { hashClientState } from '../../../../../shared/mail/webhooks/clientState';
import type { SubscriptionSnapshot } from '../../../../../shared/mail/webhooks/SubscriptionLookup';

const ours: SubscriptionSnapshot = { subscriptionId: 'sub-a', tenantId: 't', userId: 'u', clientStateHash: hashClientState('state-a') };
const snapshots = new Map([[ours.subscriptionId, ours]]);

describe('authenticateItem', () => {
  test('an item of our subscription with its clientState is believed, and names that subscription', () => {
    expect(authenticateItem(snapshots, { subscriptionId: 'sub-a', clientState: 'state-a' })).toEqual({ ok: true, subscription: ours });
  });

  test('an unknown subscription is refused before its clientState is looked at', () => {
    expect(authenticateItem(snapshots, { subscriptionId: 'sub-x', clientState: 'state-a' })).toEqual({
      ok: false,
      reason: 'unknownSubscription',
    });
  });

  test.each([['wrong'], [null], [undefined], [hashClientState('state-a')]])(
    'clientState %p on our subscription is a mismatch',
    (clientState) => {
      expect(authenticateItem(snapshots, { subscriptionId: 'sub-a', clientState })).toEqual({ ok: false, reason: 'clientStateMismatch' });
    },
  );
});
