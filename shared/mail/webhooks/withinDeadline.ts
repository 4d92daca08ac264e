import { AppError } from '../../platform/errors/AppError';

/** Graph's budget for an answer is 3 s; our work must be over before, with room for the network. */
export const GRAPH_ANSWER_BUDGET_MS = 2500;

/**
 * Settles with `work`, or fails with 503 once `remainingMs` have passed: a late 202 marks
 * the endpoint slow at Graph, a 503 only makes Graph send the batch again. The work is
 * not cancelled; finishing it late is harmless (consumers de-duplicate).
 */
export async function withinDeadline<T>(remainingMs: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError({ code: 'service_unavailable', detail: 'the notification batch could not be handled in time' })),
      Math.max(0, remainingMs),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // The losing side must not become an unhandled rejection.
    work.catch(() => undefined);
  }
}
