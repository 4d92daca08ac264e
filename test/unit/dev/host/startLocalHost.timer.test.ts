import type { InvocationContext, Timer } from '@azure/functions';
import { startLocalHost } from '../../../../dev/host/startLocalHost';
import type { FunctionDefinition } from '../../../../functions/FunctionDefinition';
import type { Services } from '../../../../functions/Services';
import { eventually, memoryLog, testServices } from './localHostTestSupport';

interface Fired {
  timer: Timer;
  context: InvocationContext;
}

describe('local host: timer triggers', () => {
  let services: Services;

  beforeAll(() => {
    services = testServices();
  });

  afterAll(async () => {
    await services.http.close();
  });

  it('runs a runOnStartup timer at start with a real Timer object, then on its schedule', async () => {
    const fired: Fired[] = [];
    const functions: FunctionDefinition[] = [
      // Once a year: only runOnStartup can explain a run during the test.
      {
        kind: 'timer',
        name: 'yearly',
        schedule: '0 0 0 1 1 *',
        runOnStartup: true,
        handler: async (timer, context) => void fired.push({ timer, context }),
      },
    ];
    const everySecond: Fired[] = [];
    functions.push({
      kind: 'timer',
      name: 'everySecond',
      schedule: '* * * * * *',
      handler: async (timer, context) => void everySecond.push({ timer, context }),
    });

    const host = await startLocalHost({ functions, services, port: 0, log: memoryLog() });
    try {
      const first = await eventually(() => fired[0], 'the runOnStartup run');
      expect(first.context.functionName).toBe('yearly');
      expect(first.timer.isPastDue).toBe(false);
      expect(first.timer.schedule).toEqual({ adjustForDST: true });
      const next = new Date(first.timer.scheduleStatus.next);
      expect(next.getUTCMonth()).toBe(0);
      expect(next.getUTCDate()).toBe(1);
      expect(next.getUTCHours()).toBe(0);
      expect(next.getTime()).toBeGreaterThan(Date.now());
      expect(Number.isNaN(Date.parse(first.timer.scheduleStatus.last))).toBe(false);
      expect(Number.isNaN(Date.parse(first.timer.scheduleStatus.lastUpdated))).toBe(false);

      await eventually(() => (everySecond.length >= 2 ? true : undefined), 'two runs of the every-second timer');
      expect(everySecond[0]!.timer.scheduleStatus.next <= everySecond[1]!.timer.scheduleStatus.next).toBe(true);
    } finally {
      await host.stop();
    }
    const count = everySecond.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(everySecond.length).toBe(count);
    expect(fired).toHaveLength(1);
  });

  it('keeps running after a timer function throws', async () => {
    let runs = 0;
    const host = await startLocalHost({
      functions: [
        {
          kind: 'timer',
          name: 'flaky',
          schedule: '* * * * * *',
          runOnStartup: true,
          handler: async () => {
            runs += 1;
            throw new Error('boom');
          },
        },
      ],
      services,
      port: 0,
      log: memoryLog(),
    });
    try {
      await eventually(() => (runs >= 2 ? true : undefined), 'a second run after a failure');
    } finally {
      await host.stop();
    }
  });

  it('refuses a schedule that is not six-field NCRONTAB before anything listens', async () => {
    const handler = async () => undefined;
    // The host would run five fields; the local host (and the design) keep to six.
    await expect(
      startLocalHost({ functions: [{ kind: 'timer', name: 'fiveFields', schedule: '*/5 * * * *', handler }], services, port: 0 }),
    ).rejects.toThrow(/six-field NCRONTAB/);
    // The host refuses this one itself: its message.
    await expect(
      startLocalHost({ functions: [{ kind: 'timer', name: 'garbage', schedule: '0 0 25 * * *', handler }], services, port: 0 }),
    ).rejects.toThrow("The 'garbage' function is in error: The schedule expression '0 0 25 * * *' was not recognized");
  });
});
