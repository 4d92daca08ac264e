import type { Browser, Frame, Page } from 'playwright-core';
import type { GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import type { MailTrailEntity } from '../../shared/platform/storage/trails/mailTrailEntity';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';
import { describeInChromium, launchChromium } from '../support/chromium';
import { waitFor } from '../support/fanoutStack';

const SUBJECT = 'Merger terms, strictly confidential';
const SENDER = 'dave@example.test';
const STEP_TIMEOUT_MS = 240_000;

/**
 * "Why was I, or wasn't I, notified?" in the panel, in headless Chromium: two mails go
 * through the real queue functions (one in a conversation linked to an issue, one in a
 * conversation nobody linked), then the admin follows each by an id Outlook shows.
 */
describeInChromium("a mail's trail in the administration panel", (executable) => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;
  let browser: Browser;
  let notified: GraphNotificationMessage;
  let dropped: GraphNotificationMessage;
  let internetMessageId: string;

  async function trailOf(tenantId: string, id: string): Promise<MailTrailEntity | undefined> {
    for await (const row of stack.fanout.services.repositories.trails.listByAnyId(tenantId, id)) return row;
    return undefined;
  }

  beforeAll(async () => {
    stack = await startAdminPanelStack({ queues: true });
    instance = await stack.newInstance();
    await stack.licenseInstance(instance);
    const { fanout } = stack;
    fanout.addIssue('TRL-7', ['alice', 'bob']);
    // The mailbox's owner is in the tenant's directory: the trail names them.
    fanout.graph.state.putUser({
      id: instance.userId,
      tenantId: instance.tenantId,
      displayName: 'Mona Mailbox',
      mail: 'mona@contoso.test',
      userPrincipalName: 'mona@contoso.test',
    });
    await fanout.link(instance, 'TRL-7');

    notified = fanout.mail(instance, { from: `Dave Example <${SENDER}>`, subject: SUBJECT });
    internetMessageId = fanout.graph.state.mails.get(notified.messageId)!.internetMessageId;
    dropped = fanout.mail(
      { ...instance, conversationId: 'AAQkADunlinked-conversation/+=' },
      { from: `Dave Example <${SENDER}>`, subject: SUBJECT },
    );
    await fanout.notify(notified);
    await fanout.notify(dropped);
    await waitFor(
      async () => {
        for await (const row of fanout.services.repositories.deliveries.listByMessage(instance.tenantId, internetMessageId))
          if (row.status === 'sent') return row;
        return undefined;
      },
      'the notified mail delivered to Jira',
      STEP_TIMEOUT_MS / 2,
    );
    await waitFor(() => trailOf(instance.tenantId, dropped.messageId), 'the dropped mail in the trail', STEP_TIMEOUT_MS / 4);
    await stack.stopQueues();
    browser = await launchChromium(executable);
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function openPanel(): Promise<{ page: Page; frame: Frame }> {
    const page = await browser.newPage();
    await page.goto(stack.jiraPageUrl(instance));
    const frame = await (await page.waitForSelector('iframe#outlook-cloud-admin')).contentFrame();
    if (!frame) throw new Error('the Jira page has no panel frame');
    await frame.waitForSelector('body[data-ready="true"]');
    return { page, frame };
  }

  async function follow(frame: Frame, id: string): Promise<void> {
    await frame.evaluate(() => {
      document.getElementById('trail-summary')!.textContent = '';
    });
    await frame.fill('#trail-id', id);
    await frame.click('#trail-search button');
    await frame.waitForFunction(() => (document.getElementById('trail-summary')?.textContent ?? '') !== '');
  }

  it(
    'follows a notified mail by its Internet message id: received, matched, and who Jira told',
    async () => {
      const { page, frame } = await openPanel();
      await follow(frame, internetMessageId);
      expect(await frame.locator('#trail-summary').textContent()).toBe('1 mail.');
      const mail = frame.locator('#trail-mails article.trail-mail');
      expect(await mail.count()).toBe(1);
      const received = await mail.locator('.trail-received').textContent();
      expect(received).toContain(`subscription ${notified.subscriptionId}`);
      expect(received).toContain('mailbox of Mona Mailbox <mona@contoso.test>');
      expect(received).not.toContain(notified.userId);
      expect(await mail.locator('.trail-outcome').textContent()).toBe('Matched 1 linked issue.');
      const cells = await mail.locator('tr.trail-issue td').allTextContents();
      expect(cells[0]).toBe('TRL-7');
      expect(cells[1]).toBe('queued for Jira');
      // Relative to the reader's clock: the run took seconds, or minutes on a loaded machine.
      expect(cells[2]).toMatch(/^notified (just now|\d+ minutes? ago)$/);
      expect(cells[3]).toBe('2');
      expect(cells[4]).toBe('alice, bob');
      expect(cells[5]).toBe('1');

      // The conversation id finds it too; never the mail's words or its sender.
      await follow(frame, instance.conversationId);
      expect(await frame.locator('#trail-mails .trail-outcome').textContent()).toBe('Matched 1 linked issue.');
      const content = await frame.content();
      expect(content).not.toContain(SUBJECT);
      expect(content).not.toContain(SENDER);
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'follows a dropped mail by its Graph message id, with the reason it went no further',
    async () => {
      const { page, frame } = await openPanel();
      await follow(frame, dropped.messageId);
      expect(await frame.locator('#trail-summary').textContent()).toBe('1 mail.');
      expect(await frame.locator('#trail-mails .trail-outcome').textContent()).toBe(
        "Dropped: its conversation is linked to no issue by the mailbox's owner.",
      );
      expect(await frame.locator('#trail-mails tr.trail-issue').count()).toBe(0);

      // An id of nothing the app handled says so, rather than showing an empty panel.
      await follow(frame, '<never-sent@example.test>');
      expect(await frame.locator('#trail-summary').textContent()).toBe('No mail with this id was handled in the retention period.');
      expect(await frame.locator('#trail-mails article').count()).toBe(0);
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );
});
