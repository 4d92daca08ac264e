import type { ClaimedDelivery, DeliveryClaim, DeliveryLedger, DeliveryOutcome } from './DeliveryLedger';
import type { JiraNotifyMessage } from './jiraNotifyMessage';
import { notifyWatchers, type NotifyWatchersDeps, type NotifyWatchersResult } from './notifyWatchers';

export interface NotifyMailWatchersDeps extends Omit<NotifyWatchersDeps, 'ledger'> {
  ledger: Pick<DeliveryLedger, 'claim' | 'complete' | 'release' | 'extend' | 'claimAll' | 'completeAll' | 'completed'>;
}

/**
 * The `jira-notify` items of one mail (its linked issues) at once: their delivery rows are
 * claimed in one table transaction (one partition: tenant + mail), each issue is notified as
 * `notifyWatchers` does, side by side, and the rows they record are written in one more
 * transaction before this returns — so before the message that carried them is acknowledged.
 * Two `deliveries` requests per mail instead of two per issue.
 *
 * The price: a crash after Jira's 2xx for one issue and before the common write repeats that
 * notification, as a crash before `complete` did; the window now spans the mail's other Jira
 * calls too (bounded by the outbound timeouts: no call starts unless its issue's lease covers
 * it and the write, `notifyWatchers` renews a shorter one). A digest flush keeps
 * its own order (ledger, then window) and goes alone.
 *
 * Each item's own result or error, in the items' order; throws when the claims or the common
 * write fail (storage): then the host retries the lot, and the ledger lets each issue through once.
 */
export async function notifyMailWatchers(
  messages: readonly JiraNotifyMessage[],
  deps: NotifyMailWatchersDeps,
): Promise<PromiseSettledResult<NotifyWatchersResult>[]> {
  const together = messages.filter((message) => message.digest === undefined);
  const claims = await deps.ledger.claimAll(
    together.map((message) => ({
      tenantId: message.tenantId,
      internetMessageId: message.mail.internetMessageId,
      instanceId: message.instanceId,
      issueKey: message.issueKey,
    })),
  );
  const claimOf = new Map(together.map((message, i) => [message, claims[i]!]));
  const recorded: Array<{ claim: ClaimedDelivery; outcome: DeliveryOutcome }> = [];
  const { ledger } = deps;

  const results = await Promise.allSettled(
    messages.map((message) => {
      const claim = claimOf.get(message);
      if (claim === undefined) return notifyWatchers(message, deps);
      return notifyWatchers(message, {
        ...deps,
        ledger: {
          claim: () => Promise.resolve<DeliveryClaim>(claim),
          // Recorded with the others below, before this mail's message is acknowledged.
          complete: (claimed, outcome) => {
            recorded.push({ claim: claimed, outcome });
            return Promise.resolve(ledger.completed(claimed, outcome));
          },
          release: (claimed, lastStatus) => ledger.release(claimed, lastStatus),
          // A renewed claim is what `complete` then records, so the write is tried until the renewed lease ends.
          extend: (claimed, forMs, renewForMs) => ledger.extend(claimed, forMs, renewForMs),
        },
      });
    }),
  );
  await ledger.completeAll(recorded);
  return results;
}
