import { newGuid } from '../../dev/sandbox/newGuid';
import type { SimulatedIssue } from '../../dev/sandbox/jira/JiraSimulatorState';
import type { LinkKey } from '../../shared/platform/storage/links/linkEntity';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { agent as stackAgent } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { waitFor } from '../support/fanoutStack';
import { TestClock } from '../support/graphHarness';

/**
 * Issue 15, hole 6: one 404 from Jira must not silence a link forever. A stale
 * link is tried again once its backoff has passed (the next mail is sent as a probe) and
 * recovers when Jira answers again; linking again clears the flag at once; the panel shows
 * stale links with their reason. A 403 (issue 16) is not a stale link: the service user lacks
 * a permission, or Jira's outgoing mail is off; the delivery fails with `jira_forbidden`, the
 * panel shows it, and the next mail after the admin's fix goes through. The app, Jira, Graph and the token issuer share one clock
 * the test moves forward, so no test waits for a backoff in real time.
 */

let stack: AppStack;
const clock = new TestClock();
const MINUTE = 60_000;

beforeAll(async () => {
  stack = await startAppStack({ clock });
  await stack.registerInstance('demo');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  await stackAgent.close();
});

interface Linked {
  key: LinkKey;
  issue: SimulatedIssue;
}

async function linkedIssue(issueKey: string): Promise<Linked> {
  const issue: SimulatedIssue = { key: issueKey, summary: `Issue ${issueKey}`, watchers: ['bob'], reporter: 'alice' };
  stack.jira.state.issues.set(issueKey, issue);
  const conversationId = `AAQkAD-stale-${newGuid()}`;
  expect((await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey })).status).toBe(201);
  return { key: { tenantId: stack.users.tenantId, conversationId, instanceId: 'demo', issueKey }, issue };
}

/** A mail in the linked conversation, delivered by Graph; answers once the app has nothing left to do for it. */
async function mail(linked: Linked, subject: string): Promise<void> {
  const put = stack.graph.putMail({
    userId: stack.users.userId,
    tenantId: stack.users.tenantId,
    conversationId: linked.key.conversationId,
    subject,
    from: 'ann@example.test',
  });
  // Graph's 202 comes once the notification is queued, so the queues hold it from here on.
  expect((await put.delivered).map((delivery) => delivery.delivered)).toEqual([true]);
  await waitFor(async () => {
    const counts = await Promise.all(
      [queueNames.graphNotifications, queueNames.jiraNotify].map((queue) => stack.queues.approximateCount(queue)),
    );
    return counts.every((count) => count === 0) ? true : undefined;
  }, `the fan-out of "${subject}" to finish`);
}

const sent = (subject: string) => stack.notifications.outbox.filter((entry) => entry.subject.includes(subject));
const link = (linked: Linked) => stack.services.repositories.links.get(linked.key);

/** Jira loses the issue, a mail meets the 404, the link is stale; then the issue is back in Jira. */
async function staleAfterA404(linked: Linked, subject: string): Promise<void> {
  stack.jira.state.issues.delete(linked.issue.key);
  await mail(linked, subject);
  expect(sent(subject)).toHaveLength(0);
  expect(await link(linked)).toMatchObject({ stale: true });
  stack.jira.state.issues.set(linked.issue.key, linked.issue);
}

test('a stale link is probed once its backoff has passed, and recovers when Jira answers again', async () => {
  const linked = await linkedIssue('STALE-1');
  await staleAfterA404(linked, 'first [s1-a]');

  // Within the backoff: the mail is not sent to Jira.
  await mail(linked, 'second [s1-b]');
  expect(sent('[s1-b]')).toHaveLength(0);

  // After it: the next mail goes to Jira as a probe; Jira knows the issue again, so it is sent and the link is live.
  clock.advance(61 * MINUTE);
  await mail(linked, 'third [s1-c]');
  expect(sent('[s1-c]')).toHaveLength(1);
  expect((await link(linked))?.stale ?? false).toBe(false);

  // And the next one is sent as any other.
  await mail(linked, 'fourth [s1-d]');
  expect(sent('[s1-d]')).toHaveLength(1);
}, 120_000);

test('linking the conversation to the issue again clears the flag at once', async () => {
  const linked = await linkedIssue('STALE-2');
  await staleAfterA404(linked, 'first [s2-a]');

  const again = await stack.link(stack.tokens.user, {
    conversationId: linked.key.conversationId,
    instanceId: 'demo',
    issueKey: linked.issue.key,
  });
  expect(again.status).toBe(200);
  expect(again.json()).toMatchObject({ stale: false });
  expect((await link(linked))?.stale ?? false).toBe(false);

  await mail(linked, 'second [s2-b]');
  expect(sent('[s2-b]')).toHaveLength(1);
}, 120_000);

test('the panel lists stale links with their reason: Jira’s status and since when', async () => {
  const linked = await linkedIssue('STALE-3');
  const before = clock.now();
  await staleAfterA404(linked, 'first [s3-a]');

  const reply = await stack.send('GET', '/api/manage/panel/links?instanceId=demo&issueKey=STALE-3', { token: stack.tokens.admin });
  expect(reply.status).toBe(200);
  const { items: issues } = reply.json() as { items: Record<string, unknown>[] };
  expect(issues).toHaveLength(1);
  expect(issues[0]).toMatchObject({ issueKey: 'STALE-3', stale: 1, staleReason: { status: 404 } });
  const reason = issues[0]!.staleReason as { since: string; nextCheckAt: string };
  expect(Date.parse(reason.since)).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(reason.nextCheckAt)).toBeGreaterThan(Date.parse(reason.since));
}, 120_000);

test('a 403 from Jira is jira_forbidden in the trail and the panel; the link stays live and the first mail after the fix is sent', async () => {
  const linked = await linkedIssue('FORBID-1');

  // The service user may not read the watcher list (a 403, as a permission scheme or a proxy in front answers).
  stack.notifications.fail({ status: 403, count: 1, resource: 'watchers' });
  await mail(linked, 'first [f1-a]');
  // Jira's outgoing mail switched off: notify answers 403 (Jira's IssueResource.notify).
  stack.notifications.setOutgoingMail(false);
  await mail(linked, 'second [f1-b]');
  expect(sent('[f1-')).toHaveLength(0);
  expect((await link(linked))?.stale ?? false).toBe(false);

  const reply = await stack.send('GET', '/api/manage/panel/report?instanceId=demo&days=1', { token: stack.tokens.admin });
  expect(reply.status).toBe(200);
  const failures = (reply.json() as { latestFailures: Record<string, unknown>[] }).latestFailures.filter(
    (failure) => failure.issueKey === 'FORBID-1',
  );
  expect(failures).toEqual([
    expect.objectContaining({ reason: 'jira_forbidden', lastStatus: 403 }),
    expect.objectContaining({ reason: 'jira_forbidden', lastStatus: 403 }),
  ]);
  const links = await stack.send('GET', '/api/manage/panel/links?instanceId=demo&issueKey=FORBID-1', { token: stack.tokens.admin });
  expect((links.json() as { items: Record<string, unknown>[] }).items[0]).toMatchObject({ issueKey: 'FORBID-1', stale: 0 });

  // The admin turns outgoing mail back on: the next mail is sent at once, no backoff to wait for.
  stack.notifications.setOutgoingMail(true);
  await mail(linked, 'third [f1-c]');
  expect(sent('[f1-c]')).toHaveLength(1);
}, 120_000);
