export interface ProcessPackedItemsInit<T> {
  items: readonly T[];
  /** Handles one item; a throw means this item failed, not its neighbours. */
  handle(item: T): Promise<void>;
  /**
   * Puts one failed item back on its queue as a message of its own (delayed), where the
   * host's retries, dequeue count and poison queue then apply to it alone.
   */
  requeueAlone(item: T, error: unknown): Promise<void>;
  /** Items handled at once. */
  concurrency?: number;
}

export interface PackedItemsOutcome {
  handled: number;
  /** Items that failed and were put back alone. */
  requeued: number;
}

/**
 * Handles the items of one packed queue message each on its own: an item that fails is
 * put back alone and the others complete. Only when putting a failed item back fails does
 * this throw (after every item had its turn), so the host retries the whole message: the
 * items that went through are then seen again, which their consumers absorb (the fan-out
 * skips issues with a delivery record, the notify step's ledger lets one copy through).
 */
export async function processPackedItems<T>(init: ProcessPackedItemsInit<T>): Promise<PackedItemsOutcome> {
  const outcome: PackedItemsOutcome = { handled: 0, requeued: 0 };
  const requeueErrors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < init.items.length; index = next++) {
      const item = init.items[index] as T;
      try {
        await init.handle(item);
        outcome.handled += 1;
      } catch (error) {
        try {
          await init.requeueAlone(item, error);
          outcome.requeued += 1;
        } catch (requeueError) {
          requeueErrors.push(requeueError);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(init.concurrency ?? 1, init.items.length)) }, worker));
  if (requeueErrors.length > 0) throw requeueErrors[0];
  return outcome;
}
