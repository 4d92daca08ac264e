import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { functionTable } from '../../functions/functionTable';
import { startAdminPanelStack, type AdminPanelStack, type PanelInstance } from '../support/adminPanelStack';

/**
 * Issue 15, hole 3: a panel session outlived what it was opened with. Opened with the old
 * panel secret, it kept reading `overview` after a rotation and renewed itself; after the
 * instance was deleted and registered again it still ran `test-connection` on the new one.
 * A session is now bound to the instance row (its creation) and the panel secret it was
 * opened under: a rotation or a deletion ends every session of the instance at once, on
 * every use, renewal included (401 `panel_session_invalid`).
 */
describe('panel sessions end with the secret and the instance they were opened for', () => {
  let stack: AdminPanelStack;
  /** `manage/instances` of the real function table, on the same services as the panel. */
  let instancesHost: LocalHost;

  beforeAll(async () => {
    stack = await startAdminPanelStack();
    instancesHost = await startLocalHost({
      functions: functionTable.filter((row) => row.name === 'manageInstances'),
      services: stack.fanout.services,
      port: 0,
      log: { write: () => undefined },
    });
  }, 60_000);
  afterAll(async () => {
    await instancesHost?.stop();
    await stack?.stop();
  });

  async function openFromJira(instance: PanelInstance): Promise<string> {
    const page = await fetch(await stack.panelUrl(instance));
    expect(page.status).toBe(200);
    const token = /<meta name="panel-session" content="([^"]+)">/.exec(await page.text())?.[1];
    if (!token) throw new Error('no session in the page');
    return token;
  }

  async function openWithBearer(instance: PanelInstance): Promise<string> {
    const opened = await panel('session?instanceId=demo', { method: 'POST', bearer: await stack.adminToken(instance.tenantId) });
    expect(opened.status).toBe(200);
    return ((await opened.json()) as { token: string }).token;
  }

  const panel = (path: string, init: { session?: string; bearer?: string; method?: string } = {}) =>
    fetch(`${stack.http.url}/api/manage/panel/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.session ? { 'X-Panel-Session': init.session } : {}),
        ...(init.bearer ? { Authorization: `Bearer ${init.bearer}` } : {}),
      },
    });

  async function expectEnded(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('panel_session_invalid');
  }

  it('a rotated panel secret ends the sessions opened before: reads, renewal, both kinds of session', async () => {
    const instance = await stack.newInstance();
    const fromJira = await openFromJira(instance);
    const fromBearer = await openWithBearer(instance);
    const renewedBefore = ((await (await panel('session', { method: 'POST', session: fromJira })).json()) as { token: string }).token;
    for (const session of [fromJira, fromBearer, renewedBefore]) expect((await panel('overview', { session })).status).toBe(200);

    const rotated = await panel('secret?instanceId=demo', { method: 'POST', bearer: await stack.adminToken(instance.tenantId) });
    expect(rotated.status).toBe(200);
    const credentials = (await rotated.json()) as { issuer: string; sharedSecret: string };

    for (const session of [fromJira, fromBearer, renewedBefore]) {
      await expectEnded(await panel('overview', { session }));
      await expectEnded(await panel('session', { method: 'POST', session }));
      await expectEnded(await panel('test-connection', { method: 'POST', session }));
    }
    // Under the new secret the panel opens again, and its session works.
    const fresh = await openFromJira({ ...instance, credentials });
    expect((await panel('overview', { session: fresh })).status).toBe(200);
  });

  it('deleting the instance ends its sessions, and registering it again does not bring them back', async () => {
    const instance = await stack.newInstance();
    const bearer = await stack.adminToken(instance.tenantId);
    const fromJira = await openFromJira(instance);
    const fromBearer = await openWithBearer(instance);
    expect((await panel('test-connection', { method: 'POST', session: fromJira })).status).toBe(200);

    const manage = (method: string, body?: unknown) =>
      fetch(`${instancesHost.url}/api/manage/instances/demo`, {
        method,
        headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await manage('DELETE')).status).toBe(204);
    for (const session of [fromJira, fromBearer]) {
      await expectEnded(await panel('overview', { session }));
      await expectEnded(await panel('session', { method: 'POST', session }));
    }

    // The same id registered again, as the same Jira: a new row, a new panel secret.
    const registered = await manage('PUT', { baseUrl: stack.fanout.jira.url, displayName: 'Demo again', serviceUser: 'jira-service' });
    expect(registered.status).toBe(201);
    const view = (await registered.json()) as {
      consumerKey: string;
      publicKeyPem: string;
      panel: { issuer: string; sharedSecret: string };
    };
    stack.fanout.jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
    const jiraCalls = stack.fanout.jira.requests.length;
    for (const session of [fromJira, fromBearer]) {
      await expectEnded(await panel('test-connection', { method: 'POST', session }));
      await expectEnded(await panel('overview', { session }));
      await expectEnded(await panel('session', { method: 'POST', session }));
    }
    // The old sessions made the new instance call Jira not once.
    expect(stack.fanout.jira.requests.length).toBe(jiraCalls);

    const fresh = await openFromJira({ ...instance, credentials: view.panel });
    expect(await (await panel('test-connection', { method: 'POST', session: fresh })).json()).toMatchObject({ ok: true });
  });
});
