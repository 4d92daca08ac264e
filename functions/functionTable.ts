import { proxyCorsPolicy } from '../shared/proxy/proxyCorsPolicy';
import { queueNames } from '../shared/platform/storage/queueNames';
import type { FunctionDefinition, FunctionRow } from './FunctionDefinition';
import { health } from './health';
import { addInCorsPolicy } from './http/addInCorsPolicy';
import { RENEW_SUBSCRIPTIONS_SCHEDULE, renewSubscriptions } from './renewSubscriptions';
import { loadOnFirstCall } from './loadOnFirstCall';
import { wrapFunction } from './wrapFunction';

/**
 * Every function of the app, as written: a row says what its handler needs around it (CORS
 * for the add-in's browser calls; queue rows get their poison count), and `wrapFunction` adds it.
 * A handler is imported on its first call (`loadOnFirstCall`): registering the table at start-up
 * must not load what the handlers need (their schemas, the SDKs behind their services), which
 * was most of a cold start. Only handlers that are a few lines with nothing behind them are
 * imported here.
 */
const rows: readonly FunctionRow[] = [
  { kind: 'http', name: 'health', route: 'health', methods: ['GET'], handler: health },
  {
    kind: 'http',
    name: 'manageHealth',
    route: 'manage/health',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageHealth.js')).manageHealth),
  },
  // The table describes itself: the getter is read on the first request, when `rows` exists.
  {
    kind: 'http',
    name: 'openApi',
    route: 'openapi.json',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./openApi.js')).serveOpenApi(() => rows)),
  },
  {
    kind: 'http',
    name: 'problemTypes',
    route: 'problems',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./problemTypes.js')).problemTypes),
  },
  // The add-in calls these from its pages with a bearer header, so browsers send a preflight: OPTIONS beside the rest.
  {
    kind: 'http',
    name: 'licenseCheck',
    route: 'licenses/{instanceId}',
    methods: ['GET', 'OPTIONS'],
    cors: addInCorsPolicy,
    handler: loadOnFirstCall(async () => (await import('./licenseCheck.js')).licenseCheck),
  },
  {
    kind: 'http',
    name: 'jiraProxy',
    route: 'jira/{instanceId}/proxy/{*path}',
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    cors: proxyCorsPolicy,
    handler: loadOnFirstCall(async () => (await import('./jiraProxy.js')).jiraProxy),
  },
  {
    kind: 'http',
    name: 'jiraOAuthStart',
    route: 'jira/{instanceId}/oauth/start',
    methods: ['POST', 'OPTIONS'],
    cors: addInCorsPolicy,
    handler: loadOnFirstCall(async () => (await import('./jiraOAuthStart.js')).jiraOAuthStart),
  },
  // The Office dialog opens the begin URL `oauth/start` answered; Jira sends the same browser to the callback.
  {
    kind: 'http',
    name: 'jiraOAuthBegin',
    route: 'jira/oauth/begin',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./jiraOAuthBegin.js')).jiraOAuthBegin),
  },
  {
    kind: 'http',
    name: 'jiraOAuthCallback',
    route: 'jira/oauth/callback',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./jiraOAuthCallback.js')).jiraOAuthCallback),
  },
  {
    kind: 'http',
    name: 'manageInstances',
    route: 'manage/instances/{instanceId?}',
    methods: ['GET', 'PUT', 'DELETE'],
    handler: loadOnFirstCall(async () => (await import('./manageInstances.js')).manageInstances),
  },
  // The administration panel Jira frames: the page, its assets, and its JSON endpoints under manage/panel/ (the host reserves admin/).
  {
    kind: 'http',
    name: 'manageUi',
    route: 'manage/ui',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageUi.js')).manageUi),
  },
  {
    kind: 'http',
    name: 'manageUiAsset',
    route: 'manage/ui/assets/{name}',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageUiAsset.js')).manageUiAsset),
  },
  {
    kind: 'http',
    name: 'manageSession',
    route: 'manage/panel/session',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./manageSession.js')).manageSession),
  },
  {
    kind: 'http',
    name: 'manageOverview',
    route: 'manage/panel/overview',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageOverview.js')).manageOverview),
  },
  {
    kind: 'http',
    name: 'manageReport',
    route: 'manage/panel/report',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageReport.js')).manageReport),
  },
  {
    kind: 'http',
    name: 'manageSubscriptions',
    route: 'manage/panel/subscriptions',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageSubscriptions.js')).manageSubscriptions),
  },
  {
    kind: 'http',
    name: 'manageLinks',
    route: 'manage/panel/links',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageLinks.js')).manageLinks),
  },
  {
    kind: 'http',
    name: 'manageTrail',
    route: 'manage/panel/trail',
    methods: ['GET'],
    handler: loadOnFirstCall(async () => (await import('./manageTrail.js')).manageTrail),
  },
  {
    kind: 'http',
    name: 'managePanelInstance',
    route: 'manage/panel/instance',
    methods: ['PATCH'],
    handler: loadOnFirstCall(async () => (await import('./managePanelInstance.js')).managePanelInstance),
  },
  {
    kind: 'http',
    name: 'manageTestConnection',
    route: 'manage/panel/test-connection',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./manageTestConnection.js')).manageTestConnection),
  },
  {
    kind: 'http',
    name: 'manageReplayPoison',
    route: 'manage/panel/replay-poison',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./manageReplayPoison.js')).manageReplayPoison),
  },
  {
    kind: 'http',
    name: 'managePanelSecret',
    route: 'manage/panel/secret',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./managePanelSecret.js')).managePanelSecret),
  },
  {
    kind: 'http',
    name: 'graphNotifications',
    route: 'graph/notifications',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./graphNotifications.js')).graphNotifications),
  },
  {
    kind: 'http',
    name: 'graphLifecycle',
    route: 'graph/lifecycle',
    methods: ['POST'],
    handler: loadOnFirstCall(async () => (await import('./graphLifecycle.js')).graphLifecycle),
  },
  {
    kind: 'http',
    name: 'links',
    route: 'links',
    methods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    cors: addInCorsPolicy,
    handler: loadOnFirstCall(async () => (await import('./links.js')).links),
  },
  {
    kind: 'queue',
    name: 'processLifecycleEvent',
    queueName: queueNames.graphLifecycle,
    handler: loadOnFirstCall(async () => (await import('./processLifecycleEvent.js')).processLifecycleEvent),
  },
  { kind: 'timer', name: 'renewSubscriptions', schedule: RENEW_SUBSCRIPTIONS_SCHEDULE, handler: renewSubscriptions },
  {
    kind: 'queue',
    name: 'processMailNotification',
    queueName: queueNames.graphNotifications,
    handler: loadOnFirstCall(async () => (await import('./processMailNotification.js')).processMailNotification),
  },
  {
    kind: 'queue',
    name: 'notifyIssueWatchers',
    queueName: queueNames.jiraNotify,
    handler: loadOnFirstCall(async () => (await import('./notifyIssueWatchers.js')).notifyIssueWatchers),
  },
  // Daily at 03:17 UTC, off the hour when timers of every app fire at once.
  {
    kind: 'timer',
    name: 'pruneDeliveries',
    schedule: '0 17 3 * * *',
    handler: loadOnFirstCall(async () => (await import('./pruneDeliveries.js')).pruneDeliveries),
  },
];

/** The rows wrapped once, here: `functions/index.ts` registers these with Azure Functions and `dev/host` serves them, neither wraps again. */
export const functionTable: readonly FunctionDefinition[] = rows.map(wrapFunction);
