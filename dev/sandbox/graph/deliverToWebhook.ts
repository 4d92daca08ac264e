import type { DeliveryRecord } from './GraphSimulatorState';

/** Graph's budget for a notification answer; slower answers mark the endpoint slow. */
export const NOTIFICATION_BUDGET_MS = 3000;

export interface DeliverInit {
  record: DeliveryRecord;
  /** Waits before each retry; Graph retries a failed delivery for up to 4 hours. */
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  isStopped(): boolean;
}

/**
 * Posts one notification payload as Graph does and, when the answer is not 2xx (or there is
 * none), tries again after each delay. Resolves when delivered or out of retries.
 */
export async function deliverToWebhook(init: DeliverInit): Promise<void> {
  const { record } = init;
  for (let attempt = 0; ; attempt += 1) {
    if (init.isStopped()) return;
    const started = performance.now();
    try {
      const response = await fetch(record.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify(record.body),
        redirect: 'manual',
        signal: AbortSignal.timeout(init.timeoutMs),
      });
      await response.arrayBuffer();
      record.attempts.push({ status: response.status, slow: performance.now() - started > NOTIFICATION_BUDGET_MS });
      if (response.status >= 200 && response.status < 300) {
        record.delivered = true;
        return;
      }
    } catch (error) {
      record.attempts.push({
        error: error instanceof Error ? error.name : 'error',
        slow: performance.now() - started > NOTIFICATION_BUDGET_MS,
      });
    }
    const delay = init.retryDelaysMs[attempt];
    if (delay === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
