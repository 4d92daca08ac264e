import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import { startFanoutStack, waitFor, type FanoutStack } from '../support/fanoutStack';

const MAILS = 1000;
const WINDOW_SECONDS = 5;
const tagOf = (i: number) => `storm-${String(i).padStart(4, '0')}`;

/**
 * Storm control end to end, through the local host's real handlers, Azurite and the
 * simulators: a burst of 1,000 mails into one conversation linked to two issues. The window
 * is a setting, short here (5 s) so that the burst spans several windows in real time (the
 * flush is a real delayed queue message).
 */
describe('storm control: 1,000 mails into one linked conversation', () => {
  let stack: FanoutStack;

  beforeAll(async () => {
    stack = await startFanoutStack({ env: { NOTIFY_DIGEST_WINDOW: `${WINDOW_SECONDS}s` } });
  }, 120_000);
  afterAll(() => stack?.stop());

  it('each issue notifies at most once per window, its notifications together list every mail once, nothing is lost', async () => {
    const scenario = await stack.newScenario();
    const issues = { 'STORM-1': ['bob', 'carol'], 'STORM-2': ['dave', 'erin'] };
    for (const [key, watchers] of Object.entries(issues)) {
      stack.addIssue(key, watchers);
      await stack.link(scenario, key);
    }

    const messages = Array.from({ length: MAILS }, (_, i) =>
      stack.mail(scenario, { from: `Sender ${i % 7} <sender${i % 7}@partner.example>`, subject: tagOf(i) }),
    );
    for (let i = 0; i < messages.length; i += 25) await Promise.all(messages.slice(i, i + 25).map((message) => stack.notify(message)));

    const heldRows = async () => {
      let n = 0;
      for await (const _row of stack.services.repositories.digests.mails.query("kind eq 'mail'")) n += 1;
      return n;
    };
    await waitFor(
      async () => {
        const queued = (await stack.count(queueNames.graphNotifications)) + (await stack.count(queueNames.jiraNotify));
        return queued === 0 && (await heldRows()) === 0 ? true : undefined;
      },
      'empty queues (the delayed flushes included) and no mail held',
      600_000,
    );

    expect(await stack.count(poisonQueueName(queueNames.graphNotifications))).toBe(0);
    expect(await stack.count(poisonQueueName(queueNames.jiraNotify))).toBe(0);
    const everyTag = Array.from({ length: MAILS }, (_, i) => tagOf(i)).sort();
    for (const [issueKey, watchers] of Object.entries(issues)) {
      const sent = stack.notifications.outbox.filter((entry) => entry.issueKey === issueKey).sort((a, b) => a.at - b.at);
      // A storm, not a mail each: a handful of notifications, each to the issue's watchers.
      expect(sent.length).toBeGreaterThan(1);
      expect(sent.length).toBeLessThan(MAILS / 10);
      for (const entry of sent) expect(entry.recipients.sort()).toEqual(watchers);
      // One per window: the next notification is decided a window after the previous one went
      // out; the allowance is for the first mail's own Jira round trip, which the window starts before.
      for (let i = 1; i < sent.length; i += 1) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual((WINDOW_SECONDS - 2) * 1000);

      // The first went out alone; the rest are digests that list their mails line by line.
      expect(sent[0]?.subject).toMatch(new RegExp(`^\\[${issueKey}\\] New e-mail: storm-\\d{4}$`));
      const listed = [tagOf(Number(/storm-(\d{4})$/.exec(sent[0]?.subject ?? '')?.[1]))];
      for (const digest of sent.slice(1)) {
        const lines = (digest.textBody ?? '').split('\n').filter((line) => line.startsWith('- '));
        expect(digest.subject).toBe(
          `[${issueKey}] ${lines.length} new e-mail${lines.length === 1 ? '' : 's'} in ${/storm-\d{4}/.exec(digest.subject)?.[0]}`,
        );
        for (const line of lines) {
          expect(line).toMatch(/^- \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC Sender \d <sender\d@partner\.example>: storm-\d{4}$/);
          listed.push(/storm-\d{4}$/.exec(line)?.[0] ?? 'unparsed');
        }
      }
      // Every mail exactly once: none lost, none listed twice.
      expect(listed.sort()).toEqual(everyTag);
      console.log(
        `[digestStorm] ${issueKey}: ${MAILS} mails, ${sent.length} notifications (1 alone, ${sent.length - 1} digests), ${listed.length} mails listed, shortest gap ${Math.min(...sent.slice(1).map((entry, i) => entry.at - sent[i]!.at))} ms`,
      );
    }
  }, 900_000);
});
