import type { Timer } from '@azure/functions';
import { CronExpressionParser, type CronExpression } from 'cron-parser';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import type { Clock } from '../../shared/platform/clock';
import type { Services } from '../../functions/Services';
import type { HostLog } from './HostLog';
import { newInvocationContext } from './newInvocationContext';

export type TimerFunctionDefinition = Extract<FunctionDefinition, { kind: 'timer' }>;

export interface TimerSchedulerInit {
  definition: TimerFunctionDefinition;
  services: Services;
  log: HostLog;
  clock: Clock;
}

/** setTimeout's ceiling (about 24.8 days); longer waits are taken in steps. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * One timer trigger: a six-field NCRONTAB schedule (`{second} {minute} {hour} {day}
 * {month} {day-of-week}`) in UTC, as the host reads it without WEBSITE_TIME_ZONE.
 * `runOnStartup` runs it once at start. Runs never overlap: the next occurrence is
 * computed when a run ends, as the host's singleton lock would have it.
 */
export class TimerScheduler {
  private readonly init: TimerSchedulerInit;
  private readonly expression: string;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private last: Date | undefined;
  private stopped = false;

  constructor(init: TimerSchedulerInit) {
    this.init = init;
    this.expression = init.definition.schedule.trim();
    // Parse now so a bad schedule fails at start, not at the first tick.
    this.occurrenceAfter(new Date(init.clock.now()));
  }

  start(): void {
    if (this.init.definition.runOnStartup) {
      const now = new Date(this.init.clock.now());
      this.fire(now, now);
    } else {
      this.scheduleNext();
    }
  }

  /** Clears the pending tick and waits for a running invocation to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private occurrenceAfter(date: Date): Date {
    const fields = this.expression.split(/\s+/);
    if (fields.length !== 6) {
      throw new Error(
        `timer ${this.init.definition.name}: schedule "${this.expression}" is not a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})`,
      );
    }
    let parsed: CronExpression;
    try {
      parsed = CronExpressionParser.parse(this.expression, { currentDate: date, tz: 'UTC' });
    } catch (error) {
      throw new Error(`timer ${this.init.definition.name}: schedule "${this.expression}" cannot be parsed`, { cause: error });
    }
    return parsed.next().toDate();
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const due = this.occurrenceAfter(new Date(this.init.clock.now()));
    this.waitUntil(due);
  }

  private waitUntil(due: Date): void {
    if (this.stopped) return;
    const delay = due.getTime() - this.init.clock.now();
    this.timer = setTimeout(
      () => {
        if (due.getTime() > this.init.clock.now()) return this.waitUntil(due);
        this.fire(due, new Date(this.init.clock.now()));
      },
      Math.min(Math.max(delay, 0), MAX_TIMEOUT_MS),
    );
  }

  private fire(scheduled: Date, now: Date): void {
    if (this.stopped) return;
    const { definition, log, services } = this.init;
    const next = this.occurrenceAfter(now);
    const timer: Timer = {
      // Late past the following occurrence: the process was blocked or asleep.
      isPastDue: this.occurrenceAfter(scheduled).getTime() < now.getTime(),
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: (this.last ?? scheduled).toISOString(),
        next: next.toISOString(),
        lastUpdated: now.toISOString(),
      },
    };
    this.last = scheduled;
    const context = newInvocationContext({
      functionName: definition.name,
      trigger: { type: 'timerTrigger', name: 'timer', schedule: definition.schedule, runOnStartup: definition.runOnStartup ?? false },
      log,
    });
    log.write('info', `[${definition.name}] timer fired${timer.isPastDue ? ' (past due)' : ''}`);
    this.current = Promise.resolve()
      .then(() => definition.handler(timer, context, services))
      .then(
        () => log.write('info', `[${definition.name}] done; next run ${next.toISOString()}`),
        (error: unknown) =>
          log.write('warn', `[${definition.name}] failed: ${error instanceof Error ? error.constructor.name : typeof error}`),
      )
      .finally(() => {
        this.current = undefined;
        this.scheduleNext();
      });
  }
}
