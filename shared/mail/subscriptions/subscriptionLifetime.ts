/**
 * How long Graph keeps an Outlook message subscription, in minutes from the request.
 * The documentation says 10,080 minutes ("under seven days") without resource data, but
 * Graph refuses anything past 10,070 ("Subscription expiration can only be 10070 minutes in
 * the future."), so that is the figure asked for. With resource data (rich notifications),
 * 1,440 minutes. Graph refuses a longer `expirationDateTime` outright (400) rather than
 * shortening it, on creation and on renewal alike.
 */
export const GRAPH_MAX_SUBSCRIPTION_MINUTES = { withoutResourceData: 10_070, withResourceData: 1_440 } as const;

/** How often the renewal timer runs (its NCRONTAB is built from this). */
export const RENEWAL_TIMER_MINUTES = 15;

export interface LifetimeSettings {
  /** `GRAPH_SUBSCRIPTION_MINUTES`; unset means Graph's maximum. */
  requestedMinutes: number | undefined;
  renewalWindowMinutes: number;
  withResourceData: boolean;
}

/**
 * The lifetime to ask for, or what is wrong with the settings. A setting may shorten the
 * lifetime, never lengthen it past Graph's maximum: every subscription would be refused. The
 * renewal window must leave at least one timer run between two renewals, or every run
 * renews every subscription.
 */
export function subscriptionLifetime(settings: LifetimeSettings): { minutes: number; problems: string[] } {
  const maximum = settings.withResourceData
    ? GRAPH_MAX_SUBSCRIPTION_MINUTES.withResourceData
    : GRAPH_MAX_SUBSCRIPTION_MINUTES.withoutResourceData;
  const problems: string[] = [];
  const requested = settings.requestedMinutes;
  if (requested !== undefined && requested > maximum) {
    const kind = settings.withResourceData ? 'with resource data (GRAPH_ENCRYPTION_CERTIFICATE is set)' : 'without resource data';
    problems.push(
      `GRAPH_SUBSCRIPTION_MINUTES: Graph refuses an Outlook message subscription ${kind} longer than ${maximum} minutes; ${requested} asks for more (leave it empty for the maximum)`,
    );
  }
  const minutes = Math.min(requested ?? maximum, maximum);
  const widest = minutes - RENEWAL_TIMER_MINUTES;
  if (settings.renewalWindowMinutes > widest) {
    problems.push(
      `GRAPH_RENEWAL_WINDOW_MINUTES: ${settings.renewalWindowMinutes} does not fit a ${minutes}-minute subscription renewed by a timer every ${RENEWAL_TIMER_MINUTES} minutes; at most ${widest}`,
    );
  }
  return { minutes, problems };
}
