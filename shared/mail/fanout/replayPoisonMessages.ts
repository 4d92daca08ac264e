import { AppError } from '../../platform/errors/AppError';
import type { QueueAdmin } from '../../platform/storage/QueueAdmin';
import { allQueueNames, poisonQueueName, type QueueName } from '../../platform/storage/queueNames';

export interface ReplayResult {
  queue: QueueName;
  /** Messages moved from `<queue>-poison` back to `<queue>`. */
  moved: number;
  /** Messages that reached the poison queue while the replay ran: left there for the next one. */
  leftForLater: number;
}

export interface ReplayOptions {
  /** Receives hide a message this long; a move that dies half-way frees it again after this. */
  visibilityTimeoutSeconds?: number;
  /** Stops after this many (default: no limit but the queue's content). */
  maxMessages?: number;
  now?: () => number;
}

/** Every queue of DESIGN.md, by name; anything else is refused before a request is made. */
export function toQueueName(name: string): QueueName {
  const queue = allQueueNames.find((candidate) => candidate === name || poisonQueueName(candidate) === name);
  if (!queue) throw new AppError({ code: 'bad_request', detail: `unknown queue "${name}"; one of ${allQueueNames.join(', ')}` });
  return queue;
}

/**
 * Moves the messages of `<queue>-poison` back to `<queue>`, each with exactly the text it
 * has (still base64, retry counters and all), once the cause of the failures is fixed. A
 * message is sent to the queue before it is deleted from the poison queue: a crash in
 * between leaves a copy in both, which the consumers' de-duplication absorbs. Messages
 * that fail again during the replay and come back to poison are not replayed again by it.
 * For `npm run replay-poison` and the admin panel.
 */
export async function replayPoisonMessages(
  admin: Pick<QueueAdmin, 'receive' | 'sendText' | 'delete'>,
  queue: QueueName,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const poison = poisonQueueName(queue);
  const now = options.now ?? Date.now;
  // A message poisoned again while this runs has a later insertion time. A message failing
  // again takes several dequeues and visibility timeouts, so clock skew cannot make a loop.
  const started = now();
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 60;
  const limit = options.maxMessages ?? Number.POSITIVE_INFINITY;
  let moved = 0;
  let leftForLater = 0;
  while (moved < limit) {
    const batch = await admin.receive(poison, { max: Math.min(32, limit - moved), visibilityTimeoutSeconds });
    if (batch.length === 0) break;
    let movedInBatch = 0;
    for (const message of batch) {
      if (Date.parse(message.insertedOn) >= started) {
        // Stays hidden until its visibility timeout ends; by then this loop has finished.
        leftForLater += 1;
        continue;
      }
      await admin.sendText(queue, message.messageText);
      await admin.delete(poison, message);
      moved += 1;
      movedInBatch += 1;
    }
    if (movedInBatch === 0) break;
  }
  return { queue, moved, leftForLater };
}
