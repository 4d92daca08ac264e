import { metrics, type Attributes, type Meter } from '@opentelemetry/api';
import { TRACER_NAME } from './tracer';

/** The app's metric names: OpenTelemetry style (dotted, lower case), the unit in the instrument. */
export const METRIC_NAMES = {
  notificationsAccepted: 'app.notifications.accepted',
  notificationsDropped: 'app.notifications.dropped',
  deliveriesSent: 'app.deliveries.sent',
  deliveriesFailed: 'app.deliveries.failed',
  proxyDuration: 'app.proxy.duration',
} as const;

export type NotificationKind = 'notifications' | 'lifecycle' | 'mail';

/** A reason is one of our own stable words (a drop reason, an error code), never free text. */
const REASON = /^[A-Za-z][\w.-]{0,63}$/;
const boundedReason = (reason: string): string => (REASON.test(reason) ? reason : 'other');

/**
 * The app's few metrics. Like spans, they are no-ops until `startTelemetry` registers a
 * meter provider; the meter is looked up on each use so a provider registered later still
 * applies (the API hands back the same instrument for the same name). Attributes are
 * bounded: reasons, methods, statuses and route templates, never an id, an address or a mail.
 */
export const appMetrics = {
  /** Graph notifications the webhook accepted and queued, by kind (`notifications`, `lifecycle`). */
  notificationsAccepted(kind: NotificationKind, count: number): void {
    if (count > 0)
      meter()
        .createCounter(METRIC_NAMES.notificationsAccepted, { description: 'Graph notifications queued, by kind' })
        .add(count, { kind });
  },
  /**
   * Notifications dropped on purpose, by kind and reason: the webhook's checks (`notifications`,
   * `lifecycle`) and the fan-out's suppression of a mail in a linked conversation (`mail`).
   */
  notificationsDropped(kind: NotificationKind, reason: string, count = 1): void {
    if (count > 0)
      meter()
        .createCounter(METRIC_NAMES.notificationsDropped, { description: 'Notifications and mails dropped, by kind and reason' })
        .add(count, { kind, reason: boundedReason(reason) });
  },
  /** A Jira notification sent for one (mail, issue). */
  deliverySent(): void {
    meter().createCounter(METRIC_NAMES.deliveriesSent, { description: 'Jira watcher notifications sent' }).add(1);
  },
  /** A (mail, issue) given up on, by reason (the failure's code). */
  deliveryFailed(reason: string): void {
    meter()
      .createCounter(METRIC_NAMES.deliveriesFailed, { description: 'Jira watcher notifications given up, by reason' })
      .add(1, { reason: boundedReason(reason) });
  },
  /** One proxied request, from its arrival to its answer's last byte. */
  proxyDuration(milliseconds: number, attributes: { method: string; status: number; route: string }): void {
    const recorded: Attributes = {
      'http.request.method': attributes.method,
      'http.response.status_code': attributes.status,
      'http.route': attributes.route,
    };
    meter()
      .createHistogram(METRIC_NAMES.proxyDuration, { description: 'Jira proxy requests, arrival to last byte', unit: 'ms' })
      .record(milliseconds, recorded);
  },
};

function meter(): Meter {
  return metrics.getMeter(TRACER_NAME);
}
