import { proxyCorsPolicy } from '../shared/proxy/proxyCorsPolicy';
import { queueNames } from '../shared/platform/storage/queueNames';
import type { FunctionDefinition, FunctionRow } from './FunctionDefinition';
import { manageInstances } from './manageInstances';
import { manageLinks } from './manageLinks';
import { manageOverview } from './manageOverview';
import { managePanelSecret } from './managePanelSecret';
import { manageReplayPoison } from './manageReplayPoison';
import { manageReport } from './manageReport';
import { manageSession } from './manageSession';
import { manageSubscriptions } from './manageSubscriptions';
import { manageTestConnection } from './manageTestConnection';
import { manageTrail } from './manageTrail';
import { manageUi } from './manageUi';
import { manageUiAsset } from './manageUiAsset';
import { health } from './health';
import { manageHealth } from './manageHealth';
import { addInCorsPolicy } from './http/addInCorsPolicy';
import { jiraOAuthBegin } from './jiraOAuthBegin';
import { jiraOAuthCallback } from './jiraOAuthCallback';
import { jiraOAuthStart } from './jiraOAuthStart';
import { jiraProxy } from './jiraProxy';
import { licenseCheck } from './licenseCheck';
import { graphLifecycle } from './graphLifecycle';
import { graphNotifications } from './graphNotifications';
import { links } from './links';
import { processLifecycleEvent } from './processLifecycleEvent';
import { RENEW_SUBSCRIPTIONS_SCHEDULE, renewSubscriptions } from './renewSubscriptions';
import { notifyIssueWatchers } from './notifyIssueWatchers';
import { processMailNotification } from './processMailNotification';
import { pruneDeliveries } from './pruneDeliveries';
import { problemTypes } from './problemTypes';
import { serveOpenApi } from './openApi';
import { wrapFunction } from './wrapFunction';

/**
 * Every function of the app, as written: a row says what its handler needs around it (CORS
 * for the add-in's browser calls; queue rows get their poison count), and `wrapFunction` adds it.
 */
const rows: readonly FunctionRow[] = [
  { kind: 'http', name: 'health', route: 'health', methods: ['GET'], handler: health },
  { kind: 'http', name: 'manageHealth', route: 'manage/health', methods: ['GET'], handler: manageHealth },
  // The table describes itself: the getter is read on the first request, when `rows` exists.
  { kind: 'http', name: 'openApi', route: 'openapi.json', methods: ['GET'], handler: serveOpenApi(() => rows) },
  { kind: 'http', name: 'problemTypes', route: 'problems', methods: ['GET'], handler: problemTypes },
  // The add-in calls these from its pages with a bearer header, so browsers send a preflight: OPTIONS beside the rest.
  {
    kind: 'http',
    name: 'licenseCheck',
    route: 'licenses/{instanceId}',
    methods: ['GET', 'OPTIONS'],
    cors: addInCorsPolicy,
    handler: licenseCheck,
  },
  {
    kind: 'http',
    name: 'jiraProxy',
    route: 'jira/{instanceId}/proxy/{*path}',
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    cors: proxyCorsPolicy,
    handler: jiraProxy,
  },
  {
    kind: 'http',
    name: 'jiraOAuthStart',
    route: 'jira/{instanceId}/oauth/start',
    methods: ['POST', 'OPTIONS'],
    cors: addInCorsPolicy,
    handler: jiraOAuthStart,
  },
  // The Office dialog opens the begin URL `oauth/start` answered; Jira sends the same browser to the callback.
  { kind: 'http', name: 'jiraOAuthBegin', route: 'jira/oauth/begin', methods: ['GET'], handler: jiraOAuthBegin },
  { kind: 'http', name: 'jiraOAuthCallback', route: 'jira/oauth/callback', methods: ['GET'], handler: jiraOAuthCallback },
  {
    kind: 'http',
    name: 'manageInstances',
    route: 'manage/instances/{instanceId?}',
    methods: ['GET', 'PUT', 'DELETE'],
    handler: manageInstances,
  },
  // The administration panel Jira frames: the page, its assets, and its JSON endpoints under manage/panel/ (the host reserves admin/).
  { kind: 'http', name: 'manageUi', route: 'manage/ui', methods: ['GET'], handler: manageUi },
  { kind: 'http', name: 'manageUiAsset', route: 'manage/ui/assets/{name}', methods: ['GET'], handler: manageUiAsset },
  { kind: 'http', name: 'manageSession', route: 'manage/panel/session', methods: ['POST'], handler: manageSession },
  { kind: 'http', name: 'manageOverview', route: 'manage/panel/overview', methods: ['GET'], handler: manageOverview },
  { kind: 'http', name: 'manageReport', route: 'manage/panel/report', methods: ['GET'], handler: manageReport },
  { kind: 'http', name: 'manageSubscriptions', route: 'manage/panel/subscriptions', methods: ['GET'], handler: manageSubscriptions },
  { kind: 'http', name: 'manageLinks', route: 'manage/panel/links', methods: ['GET'], handler: manageLinks },
  { kind: 'http', name: 'manageTrail', route: 'manage/panel/trail', methods: ['GET'], handler: manageTrail },
  { kind: 'http', name: 'manageTestConnection', route: 'manage/panel/test-connection', methods: ['POST'], handler: manageTestConnection },
  { kind: 'http', name: 'manageReplayPoison', route: 'manage/panel/replay-poison', methods: ['POST'], handler: manageReplayPoison },
  { kind: 'http', name: 'managePanelSecret', route: 'manage/panel/secret', methods: ['POST'], handler: managePanelSecret },
  { kind: 'http', name: 'graphNotifications', route: 'graph/notifications', methods: ['POST'], handler: graphNotifications },
  { kind: 'http', name: 'graphLifecycle', route: 'graph/lifecycle', methods: ['POST'], handler: graphLifecycle },
  { kind: 'http', name: 'links', route: 'links', methods: ['GET', 'POST', 'DELETE', 'OPTIONS'], cors: addInCorsPolicy, handler: links },
  { kind: 'queue', name: 'processLifecycleEvent', queueName: queueNames.graphLifecycle, handler: processLifecycleEvent },
  { kind: 'timer', name: 'renewSubscriptions', schedule: RENEW_SUBSCRIPTIONS_SCHEDULE, handler: renewSubscriptions },
  { kind: 'queue', name: 'processMailNotification', queueName: queueNames.graphNotifications, handler: processMailNotification },
  { kind: 'queue', name: 'notifyIssueWatchers', queueName: queueNames.jiraNotify, handler: notifyIssueWatchers },
  // Daily at 03:17 UTC, off the hour when timers of every app fire at once.
  { kind: 'timer', name: 'pruneDeliveries', schedule: '0 17 3 * * *', handler: pruneDeliveries },
];

/** The rows wrapped once, here: `functions/index.ts` registers these with Azure Functions and `dev/host` serves them, neither wraps again. */
export const functionTable: readonly FunctionDefinition[] = rows.map(wrapFunction);
