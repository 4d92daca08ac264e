import { existsSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { recordWebhookBatch } from '../../shared/admin/recordWebhookBatch';
import { encodeQueueMessage } from '../../shared/platform/storage/queueMessageCodec';
import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import type { GraphNotificationMessage } from '../../shared/mail/webhooks/graphNotificationMessage';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';
import { describeInChromium, launchChromium } from '../support/chromium';
import { waitFor } from '../support/fanoutStack';

/**
 * The administration panel in a real browser: Debian's Chromium, headless, driven by
 * playwright-core. A simulated Jira page on one loopback origin frames the panel from the
 * app (the local host with the real function table) on another, as our Jira app does.
 * The numbers on the page come from a real fan-out run through the queue functions.
 */
// Every run writes test-results/; UPDATE_SCREENSHOTS=1 refreshes the README's copy in docs/.
const SCREENSHOT = path.resolve(__dirname, '..', '..', process.env.UPDATE_SCREENSHOTS === '1' ? 'docs' : 'test-results', 'admin-panel.png');
const SUBJECT = 'Board minutes: acquisition of Initech';
const STEP_TIMEOUT_MS = 180_000;

describeInChromium('the administration panel in headless Chromium', (executable) => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;
  let browser: Browser;
  let context: BrowserContext;
  let publicKeyPem: string;
  let stranger: http.Server | undefined;

  beforeAll(async () => {
    stack = await startAdminPanelStack({ queues: true });
    instance = await stack.newInstance();
    // The Jira app is installed and licensed: the panel shows the license decision.
    await stack.licenseInstance(instance);
    await runFanout();
    // The mailbox's owner is in the tenant's directory: the panel shows them by name, not object id.
    stack.fanout.graph.state.putUser({
      id: instance.userId,
      tenantId: instance.tenantId,
      displayName: 'Alice Mailbox',
      mail: 'alice.mailbox@contoso.test',
      userPrincipalName: 'alice.mailbox@contoso.test',
    });
    browser = await launchChromium(executable);
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    for (const origin of [new URL(stack.fanout.jira.url).origin, stack.http.url])
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (stranger ? stranger.close(() => resolve()) : resolve()));
    await stack?.stop();
  });

  /**
   * Two mails into a conversation linked to two issues of Jira and one that Jira does not
   * have: four notifications delivered, one failed (the missing issue's link then goes stale
   * and is skipped). One message that no handler accepts goes to poison after five tries.
   */
  async function runFanout(): Promise<void> {
    const { fanout } = stack;
    fanout.addIssue('ADM-1', ['alice', 'bob']);
    fanout.addIssue('ADM-2', ['carol']);
    for (const issueKey of ['ADM-1', 'ADM-2', 'ADM-404']) await fanout.link(instance, issueKey);
    publicKeyPem = (await fanout.services.repositories.instances.get({ tenantId: instance.tenantId, instanceId: 'demo' }))!.publicKeyPem;

    const messages: GraphNotificationMessage[] = [];
    for (const [index, from] of ['Dave Example <dave@example.test>', 'Erin Example <erin@example.test>'].entries()) {
      const message = fanout.mail(instance, { from, subject: SUBJECT });
      messages.push(message);
      await fanout.notify(message);
      const internetMessageId = fanout.graph.state.mails.get(message.messageId)!.internetMessageId;
      await waitFor(
        async () => {
          const rows = [];
          for await (const row of fanout.services.repositories.deliveries.listByMessage(instance.tenantId, internetMessageId))
            rows.push(row);
          return rows.length === (index === 0 ? 3 : 2) && rows.every((row) => row.status !== 'pending') ? rows : undefined;
        },
        `the deliveries of mail ${index + 1}`,
      );
    }
    // What the webhook counts for these two notifications and a forged third (wired in graphNotifications).
    expect(
      await recordWebhookBatch(fanout.services.admin.reports, { kind: 'notifications', messages, dropped: { clientStateMismatch: 1 } }),
    ).toBe(true);

    await fanout.services.queues.send(queueNames.jiraNotify, {
      version: 1,
      tenantId: instance.tenantId,
      instanceId: 'demo',
      note: 'not a notification any handler accepts',
    });
    await waitFor(
      async () => ((await fanout.count(poisonQueueName(queueNames.jiraNotify))) === 1 ? true : undefined),
      'the bad message in jira-notify-poison',
      90_000,
    );
    await stack.stopQueues();
  }

  async function panelFrame(page: Page): Promise<Frame> {
    const handle = await page.waitForSelector('iframe#outlook-cloud-admin');
    const frame = await handle.contentFrame();
    if (!frame) throw new Error('the Jira page has no panel frame');
    await frame.waitForSelector('body[data-ready="true"]');
    return frame;
  }

  it(
    'shows what the fan-out did, copies the public key, replays a poisoned message; screenshot for the README',
    async () => {
      // One more poisoned message, put there as the host would, for the replay.
      const stuck = { version: 1, tenantId: instance.tenantId, instanceId: 'demo', issueKey: 'ADM-1', note: 'stuck' };
      await stack.fanout.admin.sendText(poisonQueueName(queueNames.jiraNotify), encodeQueueMessage(stuck));

      const page = await context.newPage();
      const uiResponse = page.waitForResponse((response) => response.url().includes('/api/manage/ui?'));
      await page.goto(stack.jiraPageUrl(instance));
      const headers = (await uiResponse).headers();
      expect(headers['content-security-policy']).toContain(`frame-ancestors ${new URL(stack.fanout.jira.url).origin}`);
      const frame = await panelFrame(page);

      const legend = async (series: string) => frame.locator(`#legend li[data-series="${series}"]`).textContent();
      expect(await legend('delivered')).toBe('Delivered: 4');
      expect(await legend('failed')).toBe('Failed: 1');
      expect(await legend('poisoned')).toBe('Poisoned: 1');
      expect(await legend('received')).toBe('Received: 2');
      expect(await legend('dropped')).toBe('Dropped: 1');
      // Drawn, not only listed: today's bars carry the numbers.
      expect(await frame.locator('#chart svg rect.s-delivered[data-value="4"]').count()).toBe(1);
      expect(await frame.locator('#chart svg rect.s-failed[data-value="1"]').count()).toBe(1);
      expect(await frame.locator('#chart svg rect.bar').count()).toBe(14 * 5);

      const failures = await frame.locator('#failure-rows').textContent();
      expect(failures).toContain('ADM-404');
      // The reason in words, not its code; the time relative, the absolute local time in its title.
      expect(failures).toContain('Jira no longer shows the issue (deleted, moved, or hidden from the service user)');
      expect(failures).not.toContain('issue_not_found');
      const failedAt = frame.locator('#failure-rows tr', { hasText: 'ADM-404' }).locator('td').first();
      expect(await failedAt.textContent()).toMatch(/^(just now|\d+ minutes? ago)$/);
      const title = (await failedAt.getAttribute('title')) ?? '';
      const shownAt = await frame.evaluate(
        (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
        (await failedAt.getAttribute('data-time')) ?? '',
      );
      expect(title).toBe(shownAt);
      expect(title).toMatch(/\d{4}/);
      expect(await frame.locator('#updated').textContent()).toBe('Updated just now');
      // The sandbox's subscription is healthy: active, not "unknown".
      expect(await frame.locator('#subscription-rows td.state').allTextContents()).toEqual(['active']);
      // Its owner by name and address from Graph; the object id only in the title.
      const owner = frame.locator('#subscription-rows td.user');
      expect(await owner.allTextContents()).toEqual(['Alice Mailbox <alice.mailbox@contoso.test>']);
      expect(await owner.getAttribute('title')).toBe(instance.userId);
      expect(await frame.locator('#subscription-rows').textContent()).not.toContain(instance.userId);
      expect(await frame.locator('#test-result').textContent()).toContain('as jira-service');
      expect(await frame.locator('#credential-state').textContent()).toBe('set: 2-legged OAuth as jira-service');
      expect(await frame.locator('#link-totals').textContent()).toBe('3 links: 1 conversation on 3 issues, 1 stale.');
      expect(await frame.locator('#subscription-summary').textContent()).toBe('1 mailbox, 1 subscription.');
      expect(await frame.locator('#poison-rows tr', { hasText: 'jira-notify-poison' }).locator('td.num').textContent()).toBe('2');
      expect(await frame.locator('#public-key').textContent()).toBe(publicKeyPem);
      expect(await frame.locator('#license-decision').textContent()).toBe('licensed (active)');
      expect(await frame.locator('#license-source').textContent()).toMatch(/^(live|cache)$/);
      // Never mail content: not the subject, not the sender.
      const content = await frame.content();
      expect(content).not.toContain(SUBJECT);
      expect(content).not.toContain('dave@example.test');

      // Links are searchable by issue key.
      await frame.fill('#link-issue', 'adm-2');
      await frame.click('#link-search button');
      await frame.waitForFunction(() => document.querySelectorAll('#link-rows tr').length === 1);
      expect(await frame.locator('#link-rows').textContent()).toContain('ADM-2');
      await frame.fill('#link-issue', '');
      await frame.click('#link-search button');
      await frame.waitForFunction(() => document.querySelectorAll('#link-rows tr').length === 3);

      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(existsSync(SCREENSHOT)).toBe(true);

      await frame.click('button[data-copy="public-key"]');
      await frame.waitForFunction(() => document.querySelector('button[data-copy="public-key"]')?.textContent === 'Copied');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(publicKeyPem);

      // Replay first says what will move (a dry run: nothing moves), and moves only once confirmed.
      await frame.click('button.replay[data-queue="jira-notify"]');
      await frame.waitForSelector('#replay-confirm:not([hidden])');
      expect(await frame.locator('#replay-preview').textContent()).toBe(
        "2 messages of this tenant will move from jira-notify-poison back to jira-notify and be tried again. Other tenants' messages stay.",
      );
      expect(await stack.fanout.count(poisonQueueName(queueNames.jiraNotify))).toBe(2);
      await frame.click('#replay-cancel');
      expect(await frame.locator('#replay-result').textContent()).toBe('Nothing moved.');
      expect(await frame.locator('#replay-confirm').isHidden()).toBe(true);
      expect(await stack.fanout.admin.peek(queueNames.jiraNotify)).toEqual([]);
      expect(await stack.fanout.count(poisonQueueName(queueNames.jiraNotify))).toBe(2);

      await frame.click('button.replay[data-queue="jira-notify"]');
      await frame.waitForSelector('#replay-confirm:not([hidden])');
      await frame.click('#replay-go');
      await frame.waitForFunction(() => document.querySelector('#replay-result')?.textContent?.startsWith('Moved') === true);
      expect(await frame.locator('#replay-result').textContent()).toBe('Moved 2 messages back to jira-notify.');
      const back = await stack.fanout.admin.peek(queueNames.jiraNotify);
      expect(back.map((message) => message.body)).toEqual(expect.arrayContaining([stuck]));
      expect(back).toHaveLength(2);
      expect(await stack.fanout.count(poisonQueueName(queueNames.jiraNotify))).toBe(0);
      await frame.waitForFunction(
        () => document.querySelector('#poison-rows tr button[data-queue="jira-notify"]')?.hasAttribute('disabled') === true,
      );
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'is refused in a frame of another origin, and a bad token shows a 401 page',
    async () => {
      const panelUrl = await stack.panelUrl(instance);
      stranger = http.createServer((_request, response) => {
        const html = `<!doctype html><title>Elsewhere</title><iframe id="outlook-cloud-admin" src="${panelUrl.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"></iframe>`;
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        response.end(html);
      });
      await new Promise<void>((resolve) => stranger!.listen(0, '127.0.0.1', resolve));
      const strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`;

      const page = await context.newPage();
      const refusals: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('frame-ancestors')) refusals.push(message.text());
      });
      await page.goto(strangerUrl, { waitUntil: 'load' });
      const frame = await (await page.waitForSelector('iframe#outlook-cloud-admin')).contentFrame();
      expect(frame).not.toBeNull();
      // The browser replaced the framed document with its error page: the panel never ran.
      expect(frame!.url()).not.toContain('/api/manage/ui');
      expect(await frame!.locator('body[data-mode]').count()).toBe(0);
      await waitFor(() => (refusals.length > 0 ? true : undefined), 'the browser to report the frame-ancestors refusal', 10_000);
      await page.close();

      const badPage = await context.newPage();
      const response = await badPage.goto(`${stack.http.url}/api/manage/ui?jwt=${encodeURIComponent('<b>not</b>.a.token')}`);
      expect(response?.status()).toBe(401);
      expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
      expect(await badPage.locator('h1').textContent()).toBe('This link to the administration panel is not valid');
      expect(await badPage.locator('b').count()).toBe(0);
      await badPage.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'opens outside Jira with an admin bearer token, and refuses a user without the admin role',
    async () => {
      const page = await context.newPage();
      await page.goto(`${stack.http.url}/api/manage/ui`);
      await page.fill('#signin-token', await stack.userToken(instance.tenantId));
      await page.fill('#signin-instance', 'demo');
      await page.click('#signin-form button[type="submit"]');
      await page.waitForFunction(() => document.querySelector('#signin-result')?.textContent?.startsWith('Refused') === true);
      expect(await page.locator('#instance').isHidden()).toBe(true);

      await page.fill('#signin-token', await stack.adminToken(instance.tenantId));
      await page.click('#signin-form button[type="submit"]');
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.locator('#signin').isHidden()).toBe(true);
      expect(await page.locator('#signin-token').inputValue()).toBe('');
      expect(await page.locator('#instance-name').textContent()).toBe('· Demo (demo)');
      expect(await page.locator('#legend li[data-series="delivered"]').textContent()).toBe('Delivered: 4');
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'renames the instance from the panel, and a fresh page from Jira shows the new name; a move to another host is refused',
    async () => {
      const page = await context.newPage();
      await page.goto(stack.jiraPageUrl(instance));
      let frame = await panelFrame(page);
      const baseUrl = await frame.locator('#base-url').textContent();
      expect(await frame.locator('#instance-display-name').inputValue()).toBe('Demo');

      // Another host: refused with the server's reason, nothing saved.
      await frame.fill('#instance-base-url', 'https://jira.elsewhere.example');
      await frame.click('#instance-save');
      await frame.waitForFunction(() => document.querySelector('#instance-edit-result')?.textContent?.startsWith('Not saved') === true);
      expect(await frame.locator('#instance-edit-result').textContent()).toContain('moving to another host is for the tenant admin');
      expect(await frame.locator('#base-url').textContent()).toBe(baseUrl);

      await frame.fill('#instance-base-url', baseUrl ?? '');
      await frame.fill('#instance-display-name', 'Contoso Jira');
      await frame.click('#instance-save');
      await frame.waitForFunction(() => document.querySelector('#instance-edit-result')?.textContent === 'Saved.');
      expect(await frame.locator('#instance-name').textContent()).toBe('· Contoso Jira (demo)');

      // A new page, with a new token from Jira: the name is the stored one.
      await page.goto(stack.jiraPageUrl(instance));
      frame = await panelFrame(page);
      expect(await frame.locator('#instance-name').textContent()).toBe('· Contoso Jira (demo)');
      expect(await frame.locator('#instance-display-name').inputValue()).toBe('Contoso Jira');
      expect(await frame.locator('#base-url').textContent()).toBe(baseUrl);
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );
});
