import { agent as stackAgent } from '../support/proxyStack';
import { startMailRun, type MailRun } from '../support/mailRun';

/**
 * The chaos run in miniature, for every `npm test`: 60 mails while Graph throttles our
 * reads, Jira answers 429s and then is gone for a few seconds. Every mail Graph got a 2xx
 * for is notified exactly once per linked issue; nothing lost, nothing twice (no worker
 * dies here, so not even the crash window's duplicate). `npm run test:chaos` has the
 * 1,000-mail runs with storage restarts and killed workers.
 */

let run: MailRun;

beforeAll(async () => {
  run = await startMailRun({ name: 'quick', mails: 60, mailsPerSecond: 30, env: { NOTIFY_RETRY_MAX_DELAY: '3s' } });
}, 90_000);

afterAll(async () => {
  await run?.stop();
  await stackAgent.close();
});

test('throttled Graph, throttled and then absent Jira: every acknowledged mail notified once per linked issue', async () => {
  run.stack.graph.failNext({ status: 429, retryAfterSeconds: 1, count: 20 });
  run.stack.notifications.fail({ status: 429, retryAfter: 1, count: 20 });
  const sending = run.sendMails();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  run.jiraRelay.set({ kind: 'down' });
  await new Promise((resolve) => setTimeout(resolve, 3000));
  run.jiraRelay.set({ kind: 'pass' });
  await sending;
  // A bound on convergence, not a speed target: generous enough for a loaded 2-core machine.
  expect(await run.settle(240_000)).toBe(true);
  const counts = await run.report('Graph 429 ×20, Jira 429 ×20, Jira down 3 s');
  expect(counts).toMatchObject({ sent: 60, acknowledged: 60, lost: 0, duplicated: 0, poisoned: 0, unexpected: 0 });
  expect(counts.notified).toBe(counts.expected);
  expect(counts.expected).toBeGreaterThan(30);
  // The faults did happen: Jira answered 429s and Graph throttled reads.
  expect(run.stack.notifications.answers.some((answer) => answer.status === 429)).toBe(true);
}, 300_000);
