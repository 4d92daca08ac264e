import { Agent, request } from 'undici';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import type { HostLog } from '../../dev/host/HostLog';
import { startLocalHost, type LocalHost } from '../../dev/host/startLocalHost';
import { startJiraSimulator, type JiraSimulator } from '../../dev/sandbox/jira/startJiraSimulator';
import { UpmLicenses, type UpmAppLicense } from '../../dev/sandbox/jira/upmLicenses';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import { functionTable } from '../../functions/functionTable';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import type { Clock } from '../../shared/platform/clock';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';

const AUDIENCE = 'api://jira-outlook-cloud-license-test';
const ADDIN_ORIGIN = 'https://addin.example.test';
const HOUR = 3_600_000;

/** Stands still unless moved, so periods and `max-age` values come out exact. */
class MovableClock implements Clock {
  private at = Date.now();
  now(): number {
    return this.at;
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const quietLog: HostLog = { write: () => undefined };

interface Reply {
  status: number;
  cacheControl: string | undefined;
  body: Record<string, unknown>;
}

/**
 * The app as `npm start` serves it (the function table's `licenseCheck` row on the local
 * host, real services over Azurite) with one simulated Jira whose UPM the test drives.
 */
interface Stack {
  services: Services;
  host: LocalHost;
  jira: JiraSimulator;
  upm: UpmLicenses;
  stop(): Promise<void>;
}

describe('GET /api/licenses/{instanceId} against Azurite and the Jira simulator', () => {
  const clock = new MovableClock();
  let azurite: RunningAzurite;
  let issuer: TokenIssuer;
  let stack: Stack;
  let counter = 0;
  const agent = new Agent({ connections: 64 });

  async function startStack(env: Record<string, string> = {}): Promise<Stack> {
    const upm = new UpmLicenses();
    const jira = await startJiraSimulator({ clock, routes: upm.routes() });
    const services = createServices({
      clock,
      config: loadConfig({
        AzureWebJobsStorage: azurite.connectionString,
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: AUDIENCE,
        ...issuer.appSettings,
        GRAPH_CLIENT_ID: newGuid(),
        GRAPH_CLIENT_SECRET: 'not-a-real-secret',
        ALLOW_INSECURE_JIRA: 'true',
        ALLOW_PRIVATE_NETWORK_TARGETS: 'true',
        ALLOWED_ORIGINS: ADDIN_ORIGIN,
        ...env,
      }),
    });
    await ensureStorage(services);
    const functions = functionTable.filter((definition) => definition.name === 'licenseCheck');
    const host = await startLocalHost({ functions, services, port: 0, log: quietLog, clock });
    return {
      services,
      host,
      jira,
      upm,
      stop: async () => {
        await host.stop();
        await services.http.close();
        await jira.stop();
      },
    };
  }

  /** A fresh instance of a fresh tenant, registered in the app and linked in the simulated Jira. */
  async function newInstance(target: Stack, license?: UpmAppLicense): Promise<{ tenantId: string; instanceId: string; appKey: string }> {
    counter += 1;
    const tenantId = newGuid();
    const instanceId = `jira-${counter}`;
    const appKey = `com.example.outlook-${counter}`;
    const { view } = await target.services.instances.register(tenantId, instanceId, {
      baseUrl: target.jira.url,
      displayName: `Jira ${counter}`,
      serviceUser: 'jira-service',
      appKey,
    });
    target.jira.registerConsumer({ consumerKey: view.consumerKey, publicKeyPem: view.publicKeyPem, allowImpersonation: true });
    if (license) target.upm.set(appKey, license);
    return { tenantId, instanceId, appKey };
  }

  const tokenFor = (tenantId: string) => issuer.mint({ tenantId, userId: newGuid(), audience: AUDIENCE });

  async function check(target: Stack, instanceId: string, token: string | undefined): Promise<Reply> {
    const response = await request(`${target.host.url}/api/licenses/${instanceId}`, {
      dispatcher: agent,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    const cacheControl = response.headers['cache-control'];
    return {
      status: response.statusCode,
      cacheControl: Array.isArray(cacheControl) ? cacheControl.join(', ') : cacheControl,
      body: (await response.body.json()) as Record<string, unknown>,
    };
  }

  beforeAll(async () => {
    azurite = await startAzurite();
    issuer = await startTokenIssuer({ clock });
    stack = await startStack();
  });

  afterAll(async () => {
    await stack?.stop();
    await agent.close();
    await issuer?.stop();
    await azurite?.stop();
  });

  it.each<[string, UpmAppLicense | undefined, Record<string, unknown>, number]>([
    [
      'active',
      { mode: 'active', maxUsers: 250 },
      { licensed: true, status: 'active', evaluation: false, expiresAt: null, maxUsers: 250 },
      3600,
    ],
    ['evaluation', { mode: 'evaluation' }, { licensed: true, status: 'evaluation', evaluation: true, maxUsers: 50 }, 3600],
    ['expired', { mode: 'expired' }, { licensed: false, status: 'expired', evaluation: true }, 300],
    ['user mismatch', { mode: 'user_mismatch' }, { licensed: false, status: 'user_mismatch', maxUsers: 10 }, 300],
    ['no license installed', { mode: 'none' }, { licensed: false, status: 'unlicensed', expiresAt: null, maxUsers: null }, 300],
    ['app not installed (404)', undefined, { licensed: false, status: 'unlicensed' }, 300],
    ['malformed', { mode: 'malformed' }, { licensed: true, status: 'unknown', expiresAt: null, maxUsers: null }, 300],
  ])('maps UPM state "%s" to the decision', async (_name, license, expected, maxAge) => {
    const { tenantId, instanceId, appKey } = await newInstance(stack, license);
    const reply = await check(stack, instanceId, await tokenFor(tenantId));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ...expected, source: 'live' });
    expect(typeof reply.body.checkedAt).toBe('string');
    expect(reply.body).not.toHaveProperty('graceUntil');
    expect(reply.cacheControl).toBe(`private, max-age=${maxAge}`);
    expect(stack.upm.requestCount(appKey)).toBe(1);

    // The license request ran as the service user, signed with 2-legged OAuth.
    const upmRequest = stack.jira.requests.find((recorded) => recorded.url.startsWith(`/rest/plugins/1.0/${appKey}-key/license`));
    expect(upmRequest?.auth).toMatchObject({ kind: 'oauth-2lo', user: 'jira-service' });

    const again = await check(stack, instanceId, await tokenFor(tenantId));
    expect(again.body).toMatchObject({ ...expected, source: 'cache', checkedAt: reply.body.checkedAt });
    expect(stack.upm.requestCount(appKey)).toBe(1);
  });

  it('makes exactly one UPM request for 1,000 concurrent checks of a cold instance', async () => {
    const { tenantId, instanceId, appKey } = await newInstance(stack, { mode: 'active' });
    const token = await tokenFor(tenantId);
    const replies = await Promise.all(Array.from({ length: 1000 }, () => check(stack, instanceId, token)));
    expect(replies.filter((reply) => reply.status === 200 && reply.body.licensed === true)).toHaveLength(1000);
    expect(stack.upm.requestCount(appKey)).toBe(1);
  });

  it("answers 404 instance_not_found for another tenant's instance, exactly as for a missing one", async () => {
    const { instanceId, appKey } = await newInstance(stack, { mode: 'active' });
    const stranger = await tokenFor(newGuid());
    const foreign = await check(stack, instanceId, stranger);
    const missing = await check(stack, 'no-such-instance', stranger);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 'instance_not_found', status: 404 });
    expect(foreign).toEqual(missing);
    expect(stack.upm.requestCount(appKey)).toBe(0);
  });

  it("answers the add-in's preflight and puts CORS on every answer, for allowed origins only", async () => {
    const { tenantId, instanceId, appKey } = await newInstance(stack, { mode: 'active' });
    const send = async (method: 'GET' | 'OPTIONS', path: string, headers: Record<string, string>) => {
      const response = await request(`${stack.host.url}${path}`, { dispatcher: agent, method, headers });
      await response.body.dump();
      return { status: response.statusCode, headers: response.headers };
    };
    const asking = { origin: ADDIN_ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' };

    // A preflight carries no token and needs none.
    const preflight = await send('OPTIONS', '/api/licenses/x', asking);
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ADDIN_ORIGIN,
      'access-control-allow-methods': 'GET',
      vary: 'Origin',
    });
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    expect(preflight.headers['access-control-max-age']).toBe('600');
    expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();

    const token = await tokenFor(tenantId);
    const answer = await send('GET', `/api/licenses/${instanceId}`, { origin: ADDIN_ORIGIN, authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);
    expect(answer.headers.vary).toBe('Authorization, Origin');
    const refused = await send('GET', `/api/licenses/${instanceId}`, { origin: ADDIN_ORIGIN });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(ADDIN_ORIGIN);

    for (const origin of ['https://evil.example', `${ADDIN_ORIGIN}.evil`]) {
      const foreignPreflight = await send('OPTIONS', '/api/licenses/x', { ...asking, origin });
      expect(foreignPreflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(foreignPreflight.headers['access-control-allow-methods']).toBeUndefined();
      const foreign = await send('GET', `/api/licenses/${instanceId}`, { origin, authorization: `Bearer ${token}` });
      expect(foreign.status).toBe(200);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(stack.upm.requestCount(appKey)).toBe(1);
  });

  it('wants a bearer token', async () => {
    const { instanceId } = await newInstance(stack, { mode: 'active' });
    const reply = await check(stack, instanceId, undefined);
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ code: 'unauthenticated' });
  });

  it.each([
    ['deny', 'the connection is refused', false],
    ['allow', 'UPM answers 503', true],
  ] as const)(
    'serves the last good decision as grace while Jira is down, then unknown (policy %s, %s)',
    async (policy, _outage, licensedWhenUnknown) => {
      const own = await startStack({ LICENSE_UNKNOWN_POLICY: policy, LICENSE_GRACE: '72h', LICENSE_BAD_TTL: '5m' });
      try {
        const { tenantId, instanceId } = await newInstance(own, { mode: 'active', maxUsers: 100 });
        const good = await check(own, instanceId, await tokenFor(tenantId));
        expect(good.body).toMatchObject({ licensed: true, status: 'active', source: 'live' });
        const graceUntil = new Date(Date.parse(String(good.body.checkedAt)) + 72 * HOUR).toISOString();

        if (policy === 'deny') await own.jira.stop();
        else own.upm.setOutage('unavailable');

        clock.advance(HOUR + 1000);
        const grace = await check(own, instanceId, await tokenFor(tenantId));
        expect(grace.status).toBe(200);
        expect(grace.body).toEqual({ ...good.body, source: 'grace', graceUntil });
        expect(grace.cacheControl).toBe('private, max-age=300');

        // Just before the end of the grace period: still grace, reusable only until it ends.
        clock.advance(Date.parse(graceUntil) - clock.now() - 1500);
        const last = await check(own, instanceId, await tokenFor(tenantId));
        expect(last.body).toMatchObject({ licensed: true, status: 'active', source: 'grace', graceUntil });
        expect(last.cacheControl).toBe('private, max-age=1');

        clock.advance(2000);
        const after = await check(own, instanceId, await tokenFor(tenantId));
        expect(after.status).toBe(200);
        expect(after.body).toMatchObject({
          licensed: licensedWhenUnknown,
          status: 'unknown',
          evaluation: false,
          expiresAt: null,
          maxUsers: null,
          source: 'live',
        });
        expect(after.body).not.toHaveProperty('graceUntil');
        expect(after.cacheControl).toBe('private, max-age=300');
      } finally {
        await own.stop();
      }
    },
  );
});
