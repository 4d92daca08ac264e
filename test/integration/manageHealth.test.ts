import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvocationContext, type Timer } from '@azure/functions';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { functionTable } from '../../functions/functionTable';
import type { OperatorHealthReport } from '../../shared/admin/OperatorHealth';
import { RENEWAL_JOB } from '../../shared/mail/subscriptions/renewExpiringSubscriptions';
import { encodeQueueMessage } from '../../shared/platform/storage/queueMessageCodec';
import { poisonQueueName, queueNames } from '../../shared/platform/storage/queueNames';
import { PANEL_AUDIENCE, startAdminPanelStack, type AdminPanelStack } from '../support/adminPanelStack';

jest.setTimeout(120_000);

const OPERATOR_ROLE = 'Integration.Operator';
const OPERATOR_TENANT = newGuid();
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };

/**
 * `GET /api/manage/health` against Azurite and the Graph simulator's token endpoint, served by
 * the local host from the real function table: only the operator gets it, and what it says
 * follows what really happened (a renewal run, a poisoned message, a token endpoint failing).
 */
describe('the deep health answer for the operator', () => {
  let stack: AdminPanelStack;
  let host: LocalHost;

  beforeAll(async () => {
    stack = await startAdminPanelStack({ env: { OPERATOR_ROLE, OPERATOR_TENANT_ID: OPERATOR_TENANT } });
    const rows = functionTable.filter((row) => row.name === 'manageHealth' || row.name === 'health');
    host = await startLocalHost({ functions: rows, services: stack.fanout.services, port: 0, log: { write: () => undefined } });
  }, 90_000);
  afterAll(async () => {
    await host?.stop();
    await stack?.stop();
  });

  const operatorToken = () =>
    stack.issuer.mint({ tenantId: OPERATOR_TENANT, userId: newGuid(), audience: PANEL_AUDIENCE, roles: [OPERATOR_ROLE] });
  const deepHealth = (bearer?: string) =>
    fetch(`${host.url}/api/manage/health`, bearer ? { headers: { Authorization: `Bearer ${bearer}` } } : {});

  it('refuses anyone but the operator: no token 401, a tenant admin or the role in another tenant 403, as problem+json', async () => {
    const tenant = newGuid();
    const anonymous = await deepHealth();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const refusals = [
      await deepHealth(await stack.adminToken(tenant)),
      // A customer's admin can give themselves our app's operator role in their own tenant.
      await deepHealth(await stack.issuer.mint({ tenantId: tenant, userId: newGuid(), audience: PANEL_AUDIENCE, roles: [OPERATOR_ROLE] })),
    ];
    for (const refused of refusals) {
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await refused.json()).toMatchObject({ code: 'operator_role_required' });
    }
  });

  it('reports the version, storage, the Graph token, the last renewal and the poison depths as they are', async () => {
    const { services, graph } = stack.fanout;
    // The token endpoint refuses while the cache is cold (a 401, as for an expired client secret;
    // not a 5xx, which MSAL itself would then throttle for a minute): the check says so with
    // the stable code, never a token.
    graph.state.faults.push({ status: 401, retryAfterSeconds: undefined, remaining: 10, scope: 'token' });
    const failing = await deepHealth(await operatorToken());
    graph.state.faults.length = 0;
    expect(failing.status).toBe(200);
    const before = (await failing.json()) as OperatorHealthReport;
    expect(before).toMatchObject({
      status: 'degraded',
      version: (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version,
      storage: { tables: 'ok', queues: 'ok' },
      graphAppToken: { state: 'unavailable', code: 'graph_access_denied' },
      lastRenewal: null,
    });
    expect(before.poisonQueues).toEqual(
      [queueNames.graphNotifications, queueNames.graphLifecycle, queueNames.jiraNotify].map((queue) => ({
        queue: poisonQueueName(queue),
        approximateMessages: 0,
      })),
    );

    // The renewal timer runs (the function table's row), and one message is poisoned.
    const renew = functionTable.find((row) => row.name === 'renewSubscriptions');
    if (renew?.kind !== 'timer') throw new Error('renewSubscriptions is not a timer row');
    await renew.handler(timer, new InvocationContext({ functionName: 'renewSubscriptions', logHandler: () => undefined }), services);
    await services.admin.queueAdmin.sendText(
      poisonQueueName(queueNames.jiraNotify),
      encodeQueueMessage({ version: 1, tenantId: newGuid(), note: 'poisoned' }),
    );

    const tokenRequests = graph.state.tokenRequests;
    const after = (await (await deepHealth(await operatorToken())).json()) as OperatorHealthReport;
    expect(after.graphAppToken).toEqual({ state: 'ok' });
    expect(after.lastRenewal).toEqual({
      lastRunAt: expect.any(String) as unknown,
      lastSucceeded: true,
      lastSuccessAt: after.lastRenewal?.lastRunAt,
    });
    expect(after.poisonQueues.find((depth) => depth.queue === poisonQueueName(queueNames.jiraNotify))).toEqual({
      queue: poisonQueueName(queueNames.jiraNotify),
      approximateMessages: 1,
    });
    expect(after.status).toBe('degraded');
    expect(JSON.stringify(after)).not.toMatch(/access_token|Bearer|eyJ/);

    // The token is cached: asking again costs no token request.
    const again = (await (await deepHealth(await operatorToken())).json()) as OperatorHealthReport;
    expect(again.graphAppToken).toEqual({ state: 'ok' });
    expect(graph.state.tokenRequests).toBe(tokenRequests + 1);

    // The anonymous probe still answers only what it did: storage, nothing deployment-wide.
    const probe = await fetch(`${host.url}/api/health`);
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ status: 'ok', checks: { tables: 'ok', queues: 'ok' } });
  });

  it('a failed renewal run keeps the last successful one', async () => {
    const { jobRuns } = stack.fanout.services.repositories;
    const job = `${RENEWAL_JOB}-${newGuid()}`;
    await jobRuns.recordRun({ job, at: '2026-01-01T00:00:00.000Z', succeeded: true });
    await jobRuns.recordRun({ job, at: '2026-01-01T00:15:00.000Z', succeeded: false });
    expect(await jobRuns.get({ job })).toEqual({
      job,
      lastRunAt: '2026-01-01T00:15:00.000Z',
      lastSucceeded: false,
      lastSuccessAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
