import { AppError } from '../../platform/errors/AppError';
import type { QueueAdmin, ReceivedQueueMessage } from '../../platform/storage/QueueAdmin';
import { allQueueNames, poisonQueueName, type QueueName } from '../../platform/storage/queueNames';

export interface ReplayResult {
  queue: QueueName;
  /** Messages moved from `<queue>-poison` back to `<queue>`; with `dryRun`, how many would be. */
  moved: number;
  /** Messages that reached the poison queue while the replay ran: left there for the next one. */
  leftForLater: number;
  /** False when the replay stopped at a bound (`maxMessages`, `maxScanned`): there may be more to move. */
  complete: boolean;
  /** True when nothing was moved: a preview of what a replay would move. */
  dryRun: boolean;
}

export interface ReplayOptions {
  /**
   * Receives hide a message this long; one that is looked at and not moved is made visible
   * again when the replay ends, or after this if the replay dies first. Default 30 s.
   */
  visibilityTimeoutSeconds?: number;
  /** Stops after moving this many (default: no limit but the queue's content). */
  maxMessages?: number;
  /** Stops after looking at this many messages, moved or not (default: no limit). */
  maxScanned?: number;
  /** Only messages whose decoded body this accepts are moved (default: every message). */
  belongsTo?: (body: unknown) => boolean;
  /**
   * Looks at the messages exactly as a replay would and counts those it would move, but
   * moves none: every message is made visible again at the end. The panel's preview; a
   * peek could not do it, as it sees only the first 32 messages and cannot tell a
   * tenant's beyond them.
   */
  dryRun?: boolean;
  now?: () => number;
}

/** Released in groups of this many at the end: one call per message, none of them long. */
const RELEASE_CONCURRENCY = 16;

/** Every queue of DESIGN.md, by name; anything else is refused before a request is made. */
export function toQueueName(name: string): QueueName {
  const queue = allQueueNames.find((candidate) => candidate === name || poisonQueueName(candidate) === name);
  if (!queue) throw new AppError({ code: 'bad_request', detail: `unknown queue "${name}"; one of ${allQueueNames.join(', ')}` });
  return queue;
}

/**
 * Accepts the messages of one tenant. Every message of our three queues names its tenant
 * at the top (`tenantId`, from our own records, never from Graph); a body that does not
 * (not ours, not JSON) belongs to no tenant and is for the deployment's operator to move.
 */
export function isTenantMessage(tenantId: string): (body: unknown) => boolean {
  return (body) => typeof body === 'object' && body !== null && 'tenantId' in body && body.tenantId === tenantId;
}

/**
 * Moves the messages of `<queue>-poison` back to `<queue>`, each with exactly the text it
 * has (still base64, retry counters and all), once the cause of the failures is fixed. A
 * message is sent to the queue before it is deleted from the poison queue: a crash in
 * between leaves a copy in both, which the consumers' de-duplication absorbs. Messages
 * that fail again during the replay and come back to poison are not replayed again by it.
 * With `belongsTo` (the admin panel: one tenant's messages) the others are only looked
 * at: they stay in the poison queue with their id, text and insertion time, and are made
 * visible again as soon as the replay ends. Looking costs them one dequeue on the poison
 * queue, which nothing reads (the host counts dequeues on `<queue>`, where a replayed
 * message starts afresh). For `npm run replay-poison` and the admin panel.
 */
export async function replayPoisonMessages(
  admin: Pick<QueueAdmin, 'receive' | 'sendText' | 'delete' | 'release'>,
  queue: QueueName,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const poison = poisonQueueName(queue);
  const now = options.now ?? Date.now;
  // A message poisoned again while this runs has a later insertion time. A message failing
  // again takes several dequeues and visibility timeouts, so clock skew cannot make a loop.
  const started = now();
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 30;
  const maxMoved = options.maxMessages ?? Number.POSITIVE_INFINITY;
  const maxScanned = options.maxScanned ?? Number.POSITIVE_INFINITY;
  const belongsTo = options.belongsTo ?? (() => true);
  let moved = 0;
  let leftForLater = 0;
  let complete = true;
  const seen = new Set<string>();
  /** Looked at and not moved, by message id, with the latest receipt: released at the end. */
  const left = new Map<string, ReceivedQueueMessage>();
  try {
    for (;;) {
      if (moved >= maxMoved || seen.size >= maxScanned) {
        complete = false;
        break;
      }
      const max = Math.min(32, maxMoved - moved, maxScanned - seen.size);
      const batch = await admin.receive(poison, { max, visibilityTimeoutSeconds });
      if (batch.length === 0) break;
      let fresh = 0;
      for (const message of batch) {
        if (seen.has(message.messageId)) {
          // Back after its visibility timeout (a slow replay): already counted, and every
          // message still visible has been looked at once.
          left.set(message.messageId, message);
          continue;
        }
        seen.add(message.messageId);
        fresh += 1;
        if (!belongsTo(message.body)) {
          left.set(message.messageId, message);
        } else if (Date.parse(message.insertedOn) >= started) {
          leftForLater += 1;
          left.set(message.messageId, message);
        } else if (options.dryRun === true) {
          left.set(message.messageId, message);
          moved += 1;
        } else {
          await admin.sendText(queue, message.messageText);
          await admin.delete(poison, message);
          moved += 1;
        }
      }
      if (fresh === 0) break;
    }
  } finally {
    await releaseAll(admin, poison, [...left.values()]);
  }
  return { queue, moved, leftForLater, complete, dryRun: options.dryRun === true };
}

/**
 * Makes the messages visible again at once. A failure is left to the visibility timeout
 * (the message reappears by itself); a receipt another reader replaced fails harmlessly.
 */
async function releaseAll(admin: Pick<QueueAdmin, 'release'>, poison: string, messages: ReceivedQueueMessage[]): Promise<void> {
  for (let start = 0; start < messages.length; start += RELEASE_CONCURRENCY) {
    await Promise.allSettled(messages.slice(start, start + RELEASE_CONCURRENCY).map((message) => admin.release(poison, message, 0)));
  }
}
