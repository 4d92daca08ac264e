import { RENEWAL_TIMER_MINUTES } from '../shared/mail/subscriptions/subscriptionLifetime';
import type { TimerServiceHandler } from './FunctionDefinition';

/** NCRONTAB: every 15 minutes, on the quarter hour. The settings check fits the renewal window to this period. */
export const RENEW_SUBSCRIPTIONS_SCHEDULE = `0 */${RENEWAL_TIMER_MINUTES} * * * *`;

/**
 * Timer: renews every subscription expiring within `GRAPH_RENEWAL_WINDOW_MINUTES` (and
 * recreates the ones Graph lost, removes the ones no link needs). A failed or throttled
 * renewal is simply tried again on the next run, long before the subscription ends.
 */
export const renewSubscriptions: TimerServiceHandler = async (_timer, context, services) => {
  const summary = await services.fanout.renewSubscriptions();
  const line = `renew subscriptions: renewed ${summary.renewed}, recreated ${summary.recreated}, removed ${summary.removed}, throttled ${summary.throttled}, failed ${summary.failed}`;
  // The failed-renewals alert (infra/modules/alerts.bicep) reads this message: its prefix and its ", failed N".
  const log = services.logs.of(context);
  if (summary.failed > 0) log.warn(`${line} (${[...new Set(summary.failures)].join(', ')})`);
  else log.info(line);
};
