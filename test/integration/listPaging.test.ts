import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { functionTable } from '../../functions/functionTable';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';

/**
 * The one list envelope over HTTP, on the real function table against Azurite: every list
 * route pages with `?limit=` and `next`, each row comes once across the pages, and a bad
 * limit or token is a problem answer with a stable code.
 */
describe('list envelope and continuation tokens', () => {
  let stack: AdminPanelStack;
  let instance: PanelInstance;
  let session: string;
  let addIn: LocalHost;

  beforeAll(async () => {
    stack = await startAdminPanelStack();
    instance = await stack.newInstance();
    await stack.fanout.addMailbox(instance);
    await stack.fanout.addMailbox(instance);
    for (let i = 1; i <= 7; i += 1) await stack.fanout.link(instance, `DEMO-${i}`);
    const page = await fetch(await stack.panelUrl(instance));
    session = /<meta name="panel-session" content="([^"]+)">/.exec(await page.text())?.[1] ?? '';
    addIn = await startLocalHost({
      functions: functionTable.filter((row) => row.name === 'links'),
      services: stack.fanout.services,
      port: 0,
      log: { write: () => undefined },
    });
  });
  afterAll(async () => {
    await addIn?.stop();
    await stack?.stop();
  });

  interface Envelope {
    items: Record<string, unknown>[];
    next?: string;
    [summary: string]: unknown;
  }

  async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: Envelope; type: string }> {
    const response = await fetch(url, { headers });
    return { status: response.status, body: (await response.json()) as Envelope, type: response.headers.get('content-type') ?? '' };
  }

  /** Every page of a list, following `next` until it is absent. */
  async function pages(url: string, headers: Record<string, string>): Promise<Envelope[]> {
    const seen: Envelope[] = [];
    let next: string | undefined;
    do {
      const target = new URL(url);
      if (next !== undefined) target.searchParams.set('next', next);
      const answer = await get(target.toString(), headers);
      expect(answer.status).toBe(200);
      seen.push(answer.body);
      next = answer.body.next;
    } while (next !== undefined && seen.length < 20);
    return seen;
  }

  const panel = (path: string) => `${stack.http.url}/api/manage/panel/${path}`;

  it("the panel's links: pages of the limit, each issue once, newest first, totals on every page", async () => {
    const seen = await pages(panel('links?limit=3'), { 'X-Panel-Session': session });
    expect(seen.map((page) => page.items.length)).toEqual([3, 3, 1]);
    const keys = seen.flatMap((page) => page.items.map((item) => item.issueKey));
    expect(new Set(keys).size).toBe(7);
    expect([...keys].sort()).toEqual(['DEMO-1', 'DEMO-2', 'DEMO-3', 'DEMO-4', 'DEMO-5', 'DEMO-6', 'DEMO-7']);
    const times = seen.flatMap((page) => page.items.map((item) => Date.parse(String(item.lastLinkedAt))));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const page of seen) expect(page.totals).toEqual({ links: 7, issues: 7, conversations: 1, stale: 0 });
  });

  it("the panel's subscriptions: each mailbox's subscription once across pages of one", async () => {
    const seen = await pages(panel('subscriptions?limit=1'), { 'X-Panel-Session': session });
    expect(seen.map((page) => page.items.length)).toEqual([1, 1, 1]);
    const ids = seen.flatMap((page) => page.items.map((item) => item.subscriptionId));
    expect(new Set(ids).size).toBe(3);
    expect(seen.every((page) => page.mailboxes === 3)).toBe(true);
  });

  it("the add-in's links of a conversation and the admin's instances page the same way", async () => {
    const bearer = { Authorization: `Bearer ${await stack.userToken(instance.tenantId)}` };
    const links = await pages(`${addIn.url}/api/links?conversationId=${encodeURIComponent(instance.conversationId)}&limit=2`, bearer);
    expect(links.map((page) => page.items.length)).toEqual([2, 2, 2, 1]);
    const linked = links.flatMap((page) => page.items);
    expect(linked.map((item) => item.issueKey).sort()).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `DEMO-${i}`));
    const times = linked.map((item) => Date.parse(String(item.linkedAt)));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const admin = { Authorization: `Bearer ${await stack.adminToken(instance.tenantId)}` };
    const instances = await pages(`${stack.http.url}/api/manage/instances?limit=1`, admin);
    expect(instances.flatMap((page) => page.items.map((item) => item.instanceId))).toEqual(['demo']);
    expect(instances[0]?.next).toBeUndefined();
  });

  it('a bad limit is 400 invalid_query, never a silent clamp', async () => {
    for (const limit of ['0', '201', '-1', '2.5', 'ten', '']) {
      const answer = await get(panel(`links?limit=${limit}`), { 'X-Panel-Session': session });
      expect(answer.status).toBe(400);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.code).toBe('invalid_query');
      expect(answer.body.detail).toBe('limit: a whole number from 1 to 200');
    }
  });

  it("a token altered, of another list, of another filter or of another tenant's list is 400 invalid_page_token", async () => {
    const first = await get(panel('links?limit=2'), { 'X-Panel-Session': session });
    const next = first.body.next ?? '';
    expect(next).not.toBe('');
    const [version, keyId, , mac] = next.split('.');
    const forged = `${version}.${keyId}.${Buffer.from('0000000000000000\nDEMO-1').toString('base64url')}.${mac}`;
    const other = await stack.newInstance();
    const otherPage = await fetch(await stack.panelUrl(other));
    const otherSession = /<meta name="panel-session" content="([^"]+)">/.exec(await otherPage.text())?.[1] ?? '';
    const attempts: [string, Record<string, string>][] = [
      [panel(`links?limit=2&next=${encodeURIComponent(forged)}`), { 'X-Panel-Session': session }],
      [panel(`links?limit=2&next=garbage`), { 'X-Panel-Session': session }],
      [panel(`subscriptions?limit=2&next=${encodeURIComponent(next)}`), { 'X-Panel-Session': session }],
      [panel(`links?issueKey=DEMO&limit=2&next=${encodeURIComponent(next)}`), { 'X-Panel-Session': session }],
      [panel(`links?limit=2&next=${encodeURIComponent(next)}`), { 'X-Panel-Session': otherSession }],
    ];
    for (const [url, headers] of attempts) {
      const answer = await get(url, headers);
      expect(answer.status).toBe(400);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'invalid_page_token', type: '/api/problems#invalid_page_token' });
    }
  });
});
