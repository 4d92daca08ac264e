import type { RetryCounts } from './jiraNotifyMessage';

export interface RetryPolicy {
  /** `NOTIFY_RETRY_MAX_DELAY`: no copy is put back for longer than this. */
  maxDelaySeconds: number;
  /** The first backoff after a failure; doubled for each further one. */
  failureBaseSeconds: number;
  /** Failures retried by putting a delayed copy back; after these the host's retries and poison queue take over. */
  maxFailureRequeues: number;
  /** Throttled answers honoured by putting a copy back; a Jira that never stops throttling ends in poison too. */
  maxThrottledRequeues: number;
}

export const defaultRetryPolicy: Omit<RetryPolicy, 'maxDelaySeconds'> = {
  failureBaseSeconds: 15,
  maxFailureRequeues: 5,
  maxThrottledRequeues: 100,
};

export type RetryCause = { kind: 'throttled'; retryAfterSeconds: number } | { kind: 'failed' };

export type RetryDecision = { action: 'requeue'; delaySeconds: number; retry: RetryCounts } | { action: 'throw' };

/**
 * Storage queue times have whole-second resolution; one more second makes sure a copy never
 * becomes visible before the moment Jira named.
 */
const RETRY_AFTER_MARGIN_SECONDS = 1;

/**
 * When and whether to try a notification again. A throttled answer puts a copy back after
 * Jira's `Retry-After` (bounded by the maximum delay) without counting as a failure; a
 * failure (5xx, timeout) puts a copy back with exponential backoff and equal jitter
 * (half the delay fixed, half random, so many messages failing together spread out), up to
 * `maxFailureRequeues` times. `throw` hands the message to the host: visibility timeout,
 * dequeue count, poison queue.
 */
export function nextRetry(cause: RetryCause, retry: RetryCounts, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  const max = Math.max(1, Math.floor(policy.maxDelaySeconds));
  if (cause.kind === 'throttled') {
    if (retry.throttled >= policy.maxThrottledRequeues) return { action: 'throw' };
    const wanted = Math.ceil(Math.max(0, cause.retryAfterSeconds)) + RETRY_AFTER_MARGIN_SECONDS;
    return { action: 'requeue', delaySeconds: Math.min(wanted, max), retry: { ...retry, throttled: retry.throttled + 1 } };
  }
  if (retry.failed >= policy.maxFailureRequeues) return { action: 'throw' };
  return {
    action: 'requeue',
    delaySeconds: failureDelaySeconds(policy, retry.failed, random),
    retry: { ...retry, failed: retry.failed + 1 },
  };
}

/**
 * The backoff after the `failed`-th failure (0 for the first): exponential with equal
 * jitter, at least 1 s and at most the maximum delay. Also what an item of a packed message
 * waits when it fails and is put back alone.
 */
export function failureDelaySeconds(
  policy: Pick<RetryPolicy, 'maxDelaySeconds' | 'failureBaseSeconds'>,
  failed = 0,
  random: () => number = Math.random,
): number {
  const max = Math.max(1, Math.floor(policy.maxDelaySeconds));
  const ceiling = Math.min(max, policy.failureBaseSeconds * 2 ** failed);
  const delaySeconds = Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random(), 0), 1)));
  return Math.min(delaySeconds, max);
}
