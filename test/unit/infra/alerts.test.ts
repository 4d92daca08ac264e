import { InvocationContext } from '@azure/functions';
import { createServices } from '../../../functions/compose';
import type { Services } from '../../../functions/Services';
import { withPoisonReport } from '../../../functions/withPoisonReport';
import { loadConfig } from '../../../shared/platform/config/loadConfig';
import { queueNames } from '../../../shared/platform/storage/queueNames';
import { evaluate, expandResources, type ExpandedResource, type Value } from './support/armTemplate';
import { loadBuiltTemplate } from './support/builtTemplate';

type Json = Record<string, unknown>;

let built: Json;

beforeAll(() => {
  built = loadBuiltTemplate();
}, 20 * 60_000);

function alertResources(given: Record<string, Value> = {}): ExpandedResource[] {
  return expandResources(built, given).filter((resource) => resource.modules.includes('alerts') && !resource.existing);
}

function one(resources: ExpandedResource[], type: string, nameEnd: string): ExpandedResource {
  const found = resources.filter((resource) => resource.type === type && resource.name.endsWith(nameEnd));
  expect({ type, nameEnd, count: found.length }).toEqual({ type, nameEnd, count: 1 });
  return found[0]!;
}

function propertiesOf(resource: ExpandedResource): Json {
  return evaluate(resource.raw.properties, resource.scope) as Json;
}

describe('infra/main.bicep built to ARM: the operators are paged', () => {
  it('has an action group that e-mails the alertEmail parameter, and none when it is empty', () => {
    const group = one(alertResources({ alertEmail: 'ops@example.test' }), 'Microsoft.Insights/actionGroups', '-operators');
    expect(propertiesOf(group)).toMatchObject({
      enabled: true,
      emailReceivers: [{ name: 'operator', emailAddress: 'ops@example.test' }],
    });
    const silent = one(alertResources({ alertEmail: '' }), 'Microsoft.Insights/actionGroups', '-operators');
    expect(propertiesOf(silent).emailReceivers).toEqual([]);
    // The default deployment has the parameter, empty.
    expect((built.parameters as Json).alertEmail).toMatchObject({ type: 'string', defaultValue: '' });
  });

  it('alerts on function failures: requests/failed of Application Insights above 0', () => {
    const rule = propertiesOf(one(alertResources(), 'Microsoft.Insights/metricAlerts', '-function-failures'));
    expect(rule).toMatchObject({
      enabled: true,
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
        allOf: [{ metricNamespace: 'microsoft.insights/components', metricName: 'requests/failed', operator: 'GreaterThan', threshold: 0 }],
      },
    });
    expect((rule.actions as Json[]).length).toBe(1);
  });

  it('alerts on an availability test of /api/health that expects 200', () => {
    const resources = alertResources();
    const test = one(resources, 'Microsoft.Insights/webtests', '-health');
    expect(test.raw.kind).toBe('standard');
    const properties = propertiesOf(test);
    expect(properties).toMatchObject({ Enabled: true, ValidationRules: { ExpectedHttpStatusCode: 200 } });
    expect(String((properties.Request as Json).RequestUrl)).toMatch(/\/api\/health$/);
    expect((properties.Locations as Json[]).length).toBeGreaterThanOrEqual(5);
    const alert = propertiesOf(one(resources, 'Microsoft.Insights/metricAlerts', '-health-unavailable'));
    expect(alert.criteria).toMatchObject({
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria',
      failedLocationCount: 2,
    });
  });

  it('alerts on failed renewals: the renewal line with a failure count other than 0, two runs in a row', () => {
    const rule = propertiesOf(one(alertResources(), 'Microsoft.Insights/scheduledQueryRules', '-failed-renewals'));
    const criterion = (rule.criteria as { allOf: Json[] }).allOf[0]!;
    expect(criterion.query).toBe('traces | where message startswith "renew subscriptions: " and message !has ", failed 0"');
    expect(criterion).toMatchObject({ operator: 'GreaterThan', threshold: 0, failingPeriods: { minFailingPeriodsToAlert: 2 } });
  });

  describe('poison', () => {
    let services: Services;
    beforeAll(() => {
      services = createServices({
        config: loadConfig({
          AzureWebJobsStorage: 'UseDevelopmentStorage=true',
          DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 9).toString('base64')}`,
          PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
          API_AUDIENCE: 'api://alerts-test',
          GRAPH_CLIENT_ID: '00000000-0000-4000-8000-0000000a1e47',
          GRAPH_CLIENT_SECRET: 'test-only',
        }),
      });
    });
    afterAll(async () => {
      await services.http.close();
    });

    it('alerts when a message goes to a poison queue, on the very line the app logs then', async () => {
      const rule = propertiesOf(one(alertResources(), 'Microsoft.Insights/scheduledQueryRules', '-poison-queue'));
      const criterion = (rule.criteria as { allOf: Json[] }).allOf[0]!;
      expect(criterion).toMatchObject({ operator: 'GreaterThan', threshold: 0 });
      const prefix = /^traces \| where message startswith "([^"]+)"$/.exec(String(criterion.query))?.[1];
      expect(prefix).toBeDefined();

      // The queue function's last attempt fails: the line the host's traces carry.
      const lines: string[] = [];
      const context = new InvocationContext({
        functionName: 'notifyIssueWatchers',
        triggerMetadata: { dequeueCount: 5 },
        logHandler: (level, ...args) => {
          if (level === 'warning') lines.push(args.map(String).join(' '));
        },
      });
      // The poison count is a storage write beside the point here: a counter that takes it.
      const counted = { ...services, admin: { ...services.admin, reports: { add: () => Promise.resolve() } } } as unknown as Services;
      const failing = withPoisonReport(queueNames.jiraNotify, () => Promise.reject(new Error('Jira down')));
      await expect(failing({ tenantId: 'x' }, context, counted)).rejects.toThrow('Jira down');
      expect(lines.filter((line) => line.startsWith(prefix!))).toEqual([
        // The structured record's attributes follow the message; the query matches its start.
        'poison: a message of jira-notify failed its last attempt (5) and goes to jira-notify-poison {"queue":"jira-notify"}',
      ]);

      // An attempt that is not the last: no line, no page.
      lines.length = 0;
      const early = new InvocationContext({
        triggerMetadata: { dequeueCount: 2 },
        logHandler: (level, ...args) => level === 'warning' && lines.push(args.map(String).join(' ')),
      });
      await expect(failing({ tenantId: 'x' }, early, counted)).rejects.toThrow('Jira down');
      expect(lines).toEqual([]);
    });
  });
});
