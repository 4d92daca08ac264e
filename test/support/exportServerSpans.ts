import { InvocationContext } from '@azure/functions';
import { createServices } from '../../functions/compose';
import { wrapFunction } from '../../functions/wrapFunction';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { queueNames } from '../../shared/platform/storage/queueNames';
import { appMetrics } from '../../shared/platform/telemetry/appMetrics';
import { startTelemetry } from '../../shared/platform/telemetry/startTelemetry';
import { currentTraceparent } from '../../shared/platform/telemetry/traceparent';

/**
 * Child process of test/integration/applicationInsightsExport.test.ts: starts telemetry from
 * its environment as the app does, runs one timer and one queue row through `wrapFunction`
 * (the server spans the app really makes), counts one delivery sent, flushes the exporters and prints each invocation's
 * trace id by span name. A child, so NODE_TLS_REJECT_UNAUTHORIZED reaches Node's TLS (jest
 * hands a test a copy of process.env).
 */
async function main(): Promise<void> {
  const config = loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 4).toString('base64')}`,
    PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
    API_AUDIENCE: 'api://export-test',
    GRAPH_CLIENT_ID: '00000000-0000-4000-8000-000000000009',
    GRAPH_CLIENT_SECRET: 'test-only',
    APPLICATIONINSIGHTS_CONNECTION_STRING: process.env.APPLICATIONINSIGHTS_CONNECTION_STRING,
  });
  const { spanProcessors, metricReaders } = startTelemetry(config.settings);
  const services = createServices({ config });
  const traceIds: Record<string, string | undefined> = {};
  const seen = (name: string): Promise<void> => {
    traceIds[name] = currentTraceparent()?.split('-')[1];
    return Promise.resolve();
  };
  const context = new InvocationContext({ functionName: 'export', logHandler: () => undefined });
  const timer = wrapFunction({ kind: 'timer', name: 'licenseCheck', schedule: '0 0 * * * *', handler: () => seen('timer licenseCheck') });
  const queue = wrapFunction({
    kind: 'queue',
    name: 'notifyIssueWatchers',
    queueName: queueNames.jiraNotify,
    handler: () => seen('process jira-notify'),
  });
  if (timer.kind !== 'timer' || queue.kind !== 'queue') throw new Error('unexpected row kinds');
  await timer.handler(
    { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } },
    context,
    services,
  );
  await queue.handler({ tenantId: 'contoso', instanceId: 'jira-1' }, context, services);
  appMetrics.deliverySent();
  await Promise.all([...spanProcessors, ...metricReaders].map((part) => part.forceFlush()));
  await Promise.all([...spanProcessors, ...metricReaders].map((part) => part.shutdown()));
  await services.http.close();
  process.stdout.write(JSON.stringify({ processors: spanProcessors.length, metricReaders: metricReaders.length, traceIds }) + '\n');
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.name : 'error'}\n`);
  process.exitCode = 1;
});
