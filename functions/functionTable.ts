import { proxyCorsPolicy } from '../shared/proxy/proxyCorsPolicy';
import { queueNames } from '../shared/platform/storage/queueNames';
import type { FunctionDefinition, FunctionRow } from './FunctionDefinition';
import { adminInstances } from './adminInstances';
import { adminLinks } from './adminLinks';
import { adminOverview } from './adminOverview';
import { adminPanelSecret } from './adminPanelSecret';
import { adminReplayPoison } from './adminReplayPoison';
import { adminReport } from './adminReport';
import { adminSession } from './adminSession';
import { adminSubscriptions } from './adminSubscriptions';
import { adminTestConnection } from './adminTestConnection';
import { adminUi } from './adminUi';
import { adminUiAsset } from './adminUiAsset';
import { health } from './health';
import { addInCorsPolicy } from './http/addInCorsPolicy';
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
import { wrapFunction } from './wrapFunction';

/**
 * Every function of the app, as written: a row says what its handler needs around it (CORS
 * for the add-in's browser calls; queue rows get their poison count), and `wrapFunction` adds it.
 */
const rows: readonly FunctionRow[] = [
  { kind: 'http', name: 'health', route: 'health', methods: ['GET'], handler: health },
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
  { kind: 'http', name: 'jiraOAuthCallback', route: 'jira/oauth/callback', methods: ['GET'], handler: jiraOAuthCallback },
  {
    kind: 'http',
    name: 'adminInstances',
    route: 'admin/instances/{instanceId?}',
    methods: ['GET', 'PUT', 'DELETE'],
    handler: adminInstances,
  },
  // The administration panel Jira frames : the page, its assets, and its JSON endpoints under admin/panel/.
  { kind: 'http', name: 'adminUi', route: 'admin/ui', methods: ['GET'], handler: adminUi },
  { kind: 'http', name: 'adminUiAsset', route: 'admin/ui/assets/{name}', methods: ['GET'], handler: adminUiAsset },
  { kind: 'http', name: 'adminSession', route: 'admin/panel/session', methods: ['POST'], handler: adminSession },
  { kind: 'http', name: 'adminOverview', route: 'admin/panel/overview', methods: ['GET'], handler: adminOverview },
  { kind: 'http', name: 'adminReport', route: 'admin/panel/report', methods: ['GET'], handler: adminReport },
  { kind: 'http', name: 'adminSubscriptions', route: 'admin/panel/subscriptions', methods: ['GET'], handler: adminSubscriptions },
  { kind: 'http', name: 'adminLinks', route: 'admin/panel/links', methods: ['GET'], handler: adminLinks },
  { kind: 'http', name: 'adminTestConnection', route: 'admin/panel/test-connection', methods: ['POST'], handler: adminTestConnection },
  { kind: 'http', name: 'adminReplayPoison', route: 'admin/panel/replay-poison', methods: ['POST'], handler: adminReplayPoison },
  { kind: 'http', name: 'adminPanelSecret', route: 'admin/panel/secret', methods: ['POST'], handler: adminPanelSecret },
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
