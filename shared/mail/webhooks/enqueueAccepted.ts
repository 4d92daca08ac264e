import { setMaxListeners } from 'node:events';
import { AppError } from '../../platform/errors/AppError';
import type { QueueSender } from '../../platform/storage/QueueSender';
import type { QueueName } from '../../platform/storage/queueNames';
import { withinDeadline } from './withinDeadline';

/**
 * Queues a batch's accepted items in parallel within the time left. Any failure becomes
 * 503 (`storage_unavailable`): Graph retries a batch for hours, so a notification is never
 * acknowledged before it is durably queued.
 */
export async function enqueueAccepted(
  queues: Pick<QueueSender, 'sendMany'>,
  queue: QueueName,
  messages: readonly unknown[],
  remainingMs: number,
): Promise<void> {
  if (messages.length === 0) return;
  const budgetMs = Math.max(1, Math.floor(remainingMs));
  const abortSignal = AbortSignal.timeout(budgetMs);
  // One signal for every send of the batch, several in flight at once: not a leak.
  setMaxListeners(Math.max(10, messages.length * 2), abortSignal);
  try {
    await withinDeadline(budgetMs, queues.sendMany(queue, messages, { abortSignal }));
  } catch (error) {
    throw new AppError({ code: 'storage_unavailable', detail: 'the notifications could not be queued', cause: error });
  }
}
