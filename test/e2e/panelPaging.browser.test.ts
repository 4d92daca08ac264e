import { type Browser } from 'playwright-core';
import { DEFAULT_LIST_LIMIT } from '../../functions/http/readListQuery';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';
import { describeInChromium, launchChromium } from '../support/chromium';

const STEP_TIMEOUT_MS = 180_000;
/** More issues than one page of the list envelope holds. */
const ISSUES = DEFAULT_LIST_LIMIT + 4;

/**
 * The panel pages through a list longer than one page of the API's envelope: the first page,
 * then "Show more" follows `next` until the API says the list ended, and every issue is shown
 * once. Headless Chromium framing the panel from the simulated Jira page.
 */
describeInChromium('the panel pages through long lists in headless Chromium', (executable) => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startAdminPanelStack();
    instance = await stack.newInstance();
    for (let i = 1; i <= ISSUES; i += 1) await stack.fanout.link(instance, `PGE-${i}`);
    browser = await launchChromium(executable);
  }, STEP_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it(
    'shows the first page of links, then the rest on "Show more", each issue once',
    async () => {
      const page = await browser.newPage();
      await page.goto(stack.jiraPageUrl(instance));
      const handle = await page.waitForSelector('iframe#outlook-cloud-admin');
      const frame = await handle.contentFrame();
      if (!frame) throw new Error('the Jira page has no panel frame');
      await frame.waitForSelector('body[data-ready="true"]');

      const issueKeys = async () => frame.locator('#link-rows tr td:first-child').allTextContents();
      expect(await issueKeys()).toHaveLength(DEFAULT_LIST_LIMIT);
      expect(await frame.locator('#link-totals').textContent()).toBe(`${ISSUES} links: 1 conversation on ${ISSUES} issues, 0 stale.`);
      expect(await frame.locator('#links-more').isVisible()).toBe(true);

      await frame.click('#links-more');
      await frame.waitForFunction((n) => document.querySelectorAll('#link-rows tr').length === n, ISSUES);
      await frame.waitForSelector('#links-more', { state: 'hidden' });
      const shown = await issueKeys();
      expect(new Set(shown).size).toBe(ISSUES);
      expect([...shown].sort()).toEqual(Array.from({ length: ISSUES }, (_, i) => `PGE-${i + 1}`).sort());
      // One subscription: its list fits a page, so it offers no more.
      expect(await frame.locator('#subscriptions-more').isHidden()).toBe(true);
      await page.close();
    },
    STEP_TIMEOUT_MS,
  );
});
