import { agent as stackAgent } from '../support/proxyStack';
import { startMailRun, type MailRun } from '../support/mailRun';

/**
 * Graph throttles us for a minute during 1,000 mails: every Graph API call (reading the
 * mail, above all) answers 429 with Retry-After. A throttled read is not a failure: the
 * notification is put back for Graph's Retry-After and does not count toward poison.
 */

const MAILS = Number(process.env.CHAOS_MAILS ?? 1000);
let run: MailRun;

beforeAll(async () => {
  run = await startMailRun({ name: 'graph-throttle', mails: MAILS, mailsPerSecond: 25 });
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await stackAgent.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('Graph answering 429 for a minute: nothing lost, nothing poisoned', async () => {
  const { state } = run.stack.graph;
  const sending = run.sendMails();
  let throttledCalls = 0;
  const faults = (async () => {
    await sleep(5_000);
    run.progress('Graph throttling');
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      // Topped up, so every call in the window is refused, whatever the rate.
      const fault = state.faults.find((candidate) => candidate.scope === 'graph');
      if (fault) {
        throttledCalls += 1_000_000 - fault.remaining;
        fault.remaining = 1_000_000;
      } else {
        state.faults.push({ status: 429, retryAfterSeconds: 3, remaining: 1_000_000, scope: 'graph' });
      }
      await sleep(500);
    }
    const fault = state.faults.find((candidate) => candidate.scope === 'graph');
    if (fault) throttledCalls += 1_000_000 - fault.remaining;
    state.faults.splice(0, state.faults.length);
    run.progress(`Graph well again after ${throttledCalls} throttled calls`);
  })();
  await Promise.all([sending, faults]);
  expect(await run.settle(8 * 60_000)).toBe(true);
  const counts = await run.report(`Graph 429 (Retry-After 3 s) on every call for 60 s: ${throttledCalls} calls throttled`);
  expect(counts).toMatchObject({ sent: MAILS, acknowledged: MAILS, lost: 0, poisoned: 0, duplicated: 0, unexpected: 0 });
  expect(counts.notified).toBe(counts.expected);
  expect(throttledCalls).toBeGreaterThan(100);
});
