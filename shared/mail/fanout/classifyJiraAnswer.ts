import { retryAfterSeconds } from '../graph/retryAfterSeconds';

/** Jira DC's rate limiter always names a delay; this is for a proxy in front that does not. */
export const DEFAULT_THROTTLE_SECONDS = 10;

/**
 * What one Jira answer means for a background notification:
 * - `ok`: 2xx;
 * - `throttled`: 429, or 503 with `Retry-After` (Jira DC rate limiting, a node draining) —
 *   not a failure, try again after the delay;
 * - `gone` (404): the issue does not exist, or the service user may not browse it (Jira
 *   answers both with 404): this issue cannot be notified, retrying will not help;
 * - `forbidden` (403): the service user lacks a permission, or Jira's outgoing mail is off
 *   (`POST …/notify` answers 403 when mail sending is disabled or no SMTP server is
 *   defined, Jira's `IssueResource.notify`): an instance problem an admin fixes, not a
 *   sign that the issue is gone;
 * - `transient`: 5xx, 408 — try again later with backoff;
 * - `refused`: 401 or a redirect — the instance's credential or base URL is wrong, which an
 *   admin fixes; retried until poison, then replayed;
 * - `rejected`: any other 4xx — the request itself is wrong; recorded, not retried.
 */
export type JiraAnswerClass =
  | { kind: 'ok' }
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'gone' }
  | { kind: 'forbidden' }
  | { kind: 'transient' }
  | { kind: 'refused' }
  | { kind: 'rejected' };

export function classifyJiraAnswer(status: number, retryAfter: string | undefined, nowMs: number): JiraAnswerClass {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  if (status === 429 || (status === 503 && retryAfter !== undefined && retryAfter.trim() !== '')) {
    return { kind: 'throttled', retryAfterSeconds: retryAfterSeconds(retryAfter, nowMs, DEFAULT_THROTTLE_SECONDS) };
  }
  if (status === 404) return { kind: 'gone' };
  if (status === 403) return { kind: 'forbidden' };
  if (status === 408 || status >= 500) return { kind: 'transient' };
  if (status === 401 || (status >= 300 && status < 400)) return { kind: 'refused' };
  return { kind: 'rejected' };
}
