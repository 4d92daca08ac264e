import { AggregationTemporality, InMemoryMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { METRIC_NAMES } from '../../shared/platform/telemetry/appMetrics';
import { connectSignedUrl } from '../../dev/sandbox/jira/connectJwt';
import { privateKeyContext } from '../../shared/jira/InstanceService';
import { registerTelemetry } from '../../shared/platform/telemetry/registerTelemetry';
import { exportedSpanStrings } from '../support/exportedSpanStrings';
import { parseLogRecord } from '../support/logRecords';
import { agent as stackAgent, LogCapture } from '../support/proxyStack';
import { waitFor } from '../support/fanoutStack';
import { DATA_KEY_BASE64, GRAPH_CLIENT_SECRET, startAppStack, type AppStack } from '../support/appStack';

/**
 * One realistic run with every log line captured — the host's lines, every function's
 * `context.log`/`warn`/`error`, and anything written to the console — through register,
 * the OAuth dance, the proxy (JSON and form bodies), the license check, the admin panel,
 * linking (a Graph subscription with its clientState), Graph's webhook, the fan-out to
 * Jira's notify, and a lifecycle event. Afterwards the captured text holds no token, key,
 * secret, mail subject, mail body or sender address, in any of the forms we can think of.
 * The same holds for the telemetry the run exports: every span's name and attributes, and
 * every structured log record's attributes, read back and decoded.
 */

const MARK = 'Zq7v';
const SUBJECT = `Merger with Initech ${MARK}-subject`;
const BODY = `Please keep the price of 4.2M confidential ${MARK}-body`;
const SENDER = `ceo.${MARK.toLowerCase()}@initech.example`;
const JSON_MARK = `${MARK}-json-body`;
const FORM_MARK = `${MARK}-form-body`;
const QUERY_MARK = `${MARK}-query`;

/** The names a log record's attributes may have. */
const LOG_ATTRIBUTE_NAMES = ['tenantId', 'instanceId', 'queue', 'issueKey', 'problemCode', 'invocationId', 'traceId'];

const log = new LogCapture();
const exporter = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
let stack: AppStack;
const secrets = new Map<string, string>();
let summary = '';

function remember(name: string, value: string | undefined): void {
  if (value && value.length >= 6) secrets.set(name, value);
}

beforeAll(async () => {
  log.captureConsole();
  expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)], metricReaders: [metricReader] })).toBe(true);
  stack = await startAppStack({ log });
}, 60_000);

afterAll(async () => {
  log.release();
  if (summary) console.log(summary);
  if (process.env.SHOW_LOG) console.log(log.lines.join('\n'));
  await metricReader.shutdown();
  await stack?.stop();
  await stackAgent.close();
});

test('a whole flow leaves no secret and no mail content in the logs', async () => {
  const json = { 'content-type': 'application/json' };
  // Register, with a personal access token for the service user, and a panel secret.
  await stack.registerInstance('demo');
  const pat = stack.jira.addPersonalAccessToken('jira-service');
  const updated = await stack.send('PUT', '/api/manage/instances/demo', {
    token: stack.tokens.admin,
    headers: json,
    body: JSON.stringify({
      baseUrl: stack.jira.url,
      displayName: 'Demo',
      serviceUser: 'jira-service',
      serviceToken: pat,
      appKey: 'com.example.jira-outlook',
    }),
  });
  expect(updated.status).toBe(200);
  const panel = await stack.send('POST', '/api/manage/panel/secret?instanceId=demo', { token: stack.tokens.admin });
  expect(panel.status).toBe(200);
  const { issuer, sharedSecret } = panel.json() as { issuer: string; sharedSecret: string };
  const panelUrl = await connectSignedUrl({
    method: 'GET',
    url: new URL(`${stack.url}/api/manage/ui`),
    issuer,
    sharedSecret,
    jiraUser: 'admin',
    issuedAt: Math.floor(Date.now() / 1000),
  });
  const framed = await stack.send('GET', new URL(panelUrl).pathname + new URL(panelUrl).search);
  expect(framed.status).toBe(200);
  const session = await stack.send('POST', '/api/manage/panel/session?instanceId=demo', { token: stack.tokens.admin });
  const sessionToken = String(session.json().token);
  expect((await stack.send('GET', '/api/manage/panel/overview', { headers: { 'x-panel-session': sessionToken } })).status).toBe(200);

  // The dance, the proxy, the license.
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
  expect(
    (
      await stack.send('GET', `/api/jira/demo/proxy/rest/api/2/search?jql=project%3DDEMO&marker=${QUERY_MARK}`, {
        token: stack.tokens.user,
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await stack.send('POST', '/api/jira/demo/proxy/rest/api/2/search', {
        token: stack.tokens.user,
        headers: json,
        body: JSON.stringify({ jql: 'project = DEMO', marker: JSON_MARK }),
      })
    ).status,
  ).toBe(200);
  expect(
    (
      await stack.send('POST', '/api/jira/demo/proxy/rest/api/2/search', {
        token: stack.tokens.user,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `jql=project%3DDEMO&marker=${FORM_MARK}`,
      })
    ).status,
  ).toBe(200);
  expect((await stack.send('GET', '/api/licenses/demo', { token: stack.tokens.user })).status).toBe(200);
  // A refused call logs too: it must not log what it refused.
  expect(
    (await stack.send('GET', '/api/jira/demo/proxy/rest/api/2/myself?oauth_token=forged-oauth-token-value', { token: stack.tokens.user }))
      .status,
  ).toBe(400);

  // Link (Graph subscription, validation handshake), a mail, the fan-out to Jira.
  const conversationId = `AAQkAD-${MARK}-conversation`;
  expect((await stack.link(stack.tokens.user, { conversationId, instanceId: 'demo', issueKey: 'DEMO-2' })).status).toBe(201);
  // With a throttled Graph read and a throttled Jira notify on the way: the warning paths log too.
  stack.graph.failNext({ status: 429, retryAfterSeconds: 1, count: 1 });
  stack.notifications.fail({ status: 429, retryAfter: 1, count: 1, resource: 'notify' });
  const mail = stack.graph.putMail({
    userId: stack.users.userId,
    tenantId: stack.users.tenantId,
    conversationId,
    subject: SUBJECT,
    bodyPreview: BODY,
    from: `Chief Executive <${SENDER}>`,
  });
  await mail.delivered;
  const sent = await waitFor(
    () => stack.notifications.outbox.find((entry) => entry.issueKey === 'DEMO-2'),
    'Jira to notify the watchers of DEMO-2',
  );
  // The content did travel (to Jira, which mails it): so its absence from the logs means something.
  expect(sent.subject).toContain(SUBJECT);
  expect(sent.textBody).toContain(BODY);
  const subscription = [...stack.graph.state.subscriptions.values()].find((candidate) => candidate.userId === stack.users.userId);
  expect(subscription).toBeDefined();
  await stack.graph.postLifecycleEvent(subscription!.id, 'reauthorizationRequired');
  await waitFor(
    async () =>
      (await stack.queues.approximateCount('graph-lifecycle')) === 0 &&
      log.lines.some((line) => line.includes('graph lifecycle reauthorizationRequired'))
        ? true
        : undefined,
    'the lifecycle event to be handled',
  );

  // Everything secret that existed during the run.
  for (const name of Object.keys(stack.tokens) as (keyof AppStack['tokens'])[]) remember(`bearer ${name}`, stack.tokens[name]);
  for (const token of stack.jira.state.accessTokens.values()) {
    remember('jira access token', token.token);
    remember('jira token secret', token.secret);
  }
  for (const token of stack.jira.state.requestTokens.values()) {
    remember('jira request token', token.token);
    remember('jira request token secret', token.secret);
    if (token.verifier !== 'denied') remember('oauth verifier', token.verifier);
  }
  remember('personal access token', pat);
  remember('panel shared secret', sharedSecret);
  remember('panel iframe jwt', new URL(panelUrl).searchParams.get('jwt') ?? undefined);
  remember('panel session token', sessionToken);
  for (const grant of stack.graph.state.accessTokens.keys()) remember('graph access token', grant);
  for (const candidate of stack.graph.state.subscriptions.values()) remember('clientState', candidate.clientState);
  remember('graph client secret', GRAPH_CLIENT_SECRET);
  remember('data encryption key', DATA_KEY_BASE64);
  const entity = await stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId: 'demo' });
  const privateKey = stack.services.secrets.open(entity!.encryptedPrivateKey, privateKeyContext(stack.users.tenantId, 'demo'));
  for (const line of privateKey.split('\n').filter((part) => part.length > 40)) remember('private key line', line);
  remember('sealed private key', entity!.encryptedPrivateKey);
  remember('mail subject', SUBJECT);
  remember('mail body', BODY);
  remember('sender', SENDER);
  for (const marker of [JSON_MARK, FORM_MARK, QUERY_MARK, MARK, 'forged-oauth-token-value']) remember(`marker ${marker}`, marker);

  const exported = exporter.getFinishedSpans().flatMap(exportedSpanStrings);
  // Requests, queue messages and Jira and Graph calls: far more than a handful of spans.
  expect(exporter.getFinishedSpans().length).toBeGreaterThan(30);
  // The metrics as exported: every name, attribute key and value.
  await metricReader.forceFlush();
  const metrics = (metricExporter.getMetrics().at(-1)?.scopeMetrics ?? []).flatMap((scope) => scope.metrics);
  const metricStrings = metrics.flatMap((metric) => [
    metric.descriptor.name,
    ...metric.dataPoints.flatMap((point) => Object.entries(point.attributes).flat().map(String)),
  ]);
  // The proxied Jira calls of the run are in the latency histogram, by route template.
  const proxy = metrics.find((metric) => metric.descriptor.name === METRIC_NAMES.proxyDuration);
  expect(proxy?.dataPoints.length).toBeGreaterThan(0);
  // The structured records' attributes, decoded: JSON escapes (\u…, \") could hide a value from the scan of the raw lines.
  const records = log.lines.map(parseLogRecord).filter((record) => record !== undefined);
  expect(records.filter((record) => record.attributes.tenantId === stack.users.tenantId).length).toBeGreaterThan(5);
  const attributeNames = new Set(records.flatMap((record) => Object.keys(record.attributes)));
  // Only the allow-list's names (docs/architecture.md, Telemetry): never a subject, a sender, a URL or a token by any name.
  expect([...attributeNames].filter((name) => !LOG_ATTRIBUTE_NAMES.includes(name))).toEqual([]);
  const attributeValues = records.flatMap((record) => Object.values(record.attributes).map(String));
  const text = [...log.lines, ...exported, ...metricStrings, ...attributeValues].join('\n');
  expect(log.lines.length).toBeGreaterThan(30);
  const leaks = [...secrets].filter(([, value]) => text.includes(value)).map(([name]) => name);
  // Halves too: a secret cut in two by a line wrap or a prefix is still a leak.
  const partial = [...secrets]
    .filter(([, value]) => value.length >= 24 && (text.includes(value.slice(0, 16)) || text.includes(value.slice(-16))))
    .map(([name]) => name);
  const patterns = [
    /Bearer\s+\S/i,
    /eyJ[A-Za-z0-9_-]{8,}\.eyJ/,
    /oauth_(?:token|verifier|signature)=/,
    /PRIVATE KEY/,
    /-----BEGIN/,
    /sharedSecret|clientState"\s*:/,
  ];
  const matched = patterns.filter((pattern) => pattern.test(text)).map(String);
  summary = `secrets run: ${log.lines.length} log lines (${records.length} with attributes), ${exporter.getFinishedSpans().length} spans and ${metricStrings.length} metric strings captured, ${secrets.size} secrets and content markers looked for`;
  expect({ leaks, partial, matched }).toEqual({ leaks: [], partial: [], matched: [] });
}, 120_000);
