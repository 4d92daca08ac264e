import { agent as stackAgent } from '../support/proxyStack';
import { startMailRun, type MailRun } from '../support/mailRun';

/**
 * Jira misbehaves in every way while 1,000 mails arrive over two minutes: gone for two and
 * a half minutes (connections refused), then answering every call after 10 s, then a 429
 * storm (its rate limiter down to 5 calls a second and a burst of 429s with Retry-After).
 * The run's NOTIFY_RETRY_MAX_DELAY is 20 s (production: 10 min), so a notification's own
 * retries last about two minutes: what runs out of them during the outage goes to poison.
 * Once Jira is well the poison queues are replayed (`npm run replay-poison`), and then
 * every pair is notified.
 */

const MAILS = Number(process.env.CHAOS_MAILS ?? 1000);
let run: MailRun;

beforeAll(async () => {
  // Storm control off: it would fold the run's mails into one digest flush per (issue,
  // conversation), a dozen messages that all outlive their retries while Jira is down, and
  // nothing would meet the slow answers or the 429 storm. This run is about each mail's own
  // retries; test/reliability/digestStorm.test.ts covers the flushes.
  run = await startMailRun({
    name: 'jira-faults',
    mails: MAILS,
    mailsPerSecond: 8,
    env: { DELIVERY_LEASE: '45s', NOTIFY_DIGEST_WINDOW: '0' },
  });
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await stackAgent.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('Jira down for 150 s, slow (10 s answers), then a 429 storm: nothing lost, the poisoned replayable', async () => {
  const sending = run.sendMails();
  const faults = (async () => {
    await sleep(5_000);
    run.progress('Jira down');
    run.jiraRelay.set({ kind: 'down' });
    await sleep(150_000);
    run.progress('Jira back, answering after 10 s');
    run.jiraRelay.set({ kind: 'slow', delayMs: 10_000 });
    await sleep(30_000);
    run.progress('Jira fast again; 429 storm');
    run.jiraRelay.set({ kind: 'pass' });
    run.stack.notifications.setRateLimit({ limit: 5, fillRate: 5, intervalSeconds: 1 });
    run.stack.notifications.fail({ status: 429, retryAfter: 2, count: 300 });
    await sleep(30_000);
    run.stack.notifications.setRateLimit(undefined);
    run.progress('Jira well again');
  })();
  await Promise.all([sending, faults]);
  expect(await run.settle(10 * 60_000)).toBe(true);
  const first = await run.report('Jira down 150 s, slow 10 s answers for 30 s, 429 storm 30 s');
  const throttled = run.stack.notifications.answers.filter((answer) => answer.status === 429).length;
  run.progress(`Jira answered ${throttled} 429s`);
  expect(first).toMatchObject({ sent: MAILS, acknowledged: MAILS, lost: 0, duplicated: 0, otherDuplicates: 0, unexpected: 0 });
  expect(first.notified + first.poisoned).toBe(first.expected);
  expect(throttled).toBeGreaterThan(0);

  const moved = await run.replayPoison();
  expect(await run.settle(5 * 60_000)).toBe(true);
  const replayed = await run.report(`after replaying ${moved} poison message(s)`);
  expect(replayed).toMatchObject({ lost: 0, poisoned: 0, duplicated: 0, unexpected: 0 });
  expect(replayed.notified).toBe(replayed.expected);
});
