import { z } from 'zod';
import { registerInstanceBodySchema } from '../shared/jira/registerInstanceBodySchema';
import { conversationIdSchema, instanceIdSchema, linkRequestSchema } from '../shared/mail/links/linkSchemas';
import {
  changeNotificationSchema,
  lifecycleNotificationSchema,
  MAX_BATCH_ITEMS,
  notificationBatchSchema,
} from '../shared/mail/webhooks/notificationBatchSchema';
import type { ErrorCode } from '../shared/platform/errors/errorCodes';
import type { OperationDescription, RouteDescription } from '../shared/platform/http/openapi/RouteDescription';
import {
  activityReportSchema,
  connectionTestSchema,
  healthResponseSchema,
  instanceListSchema,
  instanceViewSchema,
  licenseAnswerSchema,
  linkListSchema,
  linkResponseSchema,
  mailTrailSchema,
  operatorHealthSchema,
  panelLinksSchema,
  panelOverviewSchema,
  panelSecretResponseSchema,
  panelSessionResponseSchema,
  panelSubscriptionsSchema,
  registeredInstanceSchema,
  replayResultSchema,
} from './http/apiResponseSchemas';
import { beginQuerySchema } from './jiraOAuthBegin';
import { callbackQuerySchema } from './jiraOAuthCallback';
import { listQuerySchema } from './http/readListQuery';
import { panelLinksQuerySchema } from './manageLinks';
import { panelInstanceEditSchema } from '../shared/admin/editPanelInstance';
import { replayPoisonBodySchema } from './manageReplayPoison';
import { reportQuerySchema } from './manageReport';
import { trailQuerySchema } from './manageTrail';

const JSON_TYPE = 'application/json';
const HTML_TYPE = 'text/html';
const json = (description: string, schema: z.ZodType) => ({ description, content: { type: JSON_TYPE, schema } });

/** What a bearer-token route can answer before its handler runs. */
const BEARER_PROBLEMS: readonly ErrorCode[] = ['unauthenticated', 'invalid_token', 'client_not_allowed', 'tenant_not_allowed'];
const ADMIN_PROBLEMS: readonly ErrorCode[] = [...BEARER_PROBLEMS, 'admin_role_required'];
/** The panel routes take a panel session, or an admin bearer token with `?instanceId=`. */
const PANEL_PROBLEMS: readonly ErrorCode[] = [...ADMIN_PROBLEMS, 'panel_session_invalid', 'invalid_query', 'instance_not_found'];
const LIST_PANEL_PROBLEMS: readonly ErrorCode[] = [...PANEL_PROBLEMS, 'invalid_page_token'];
const PANEL_QUERY = z.object({
  instanceId: instanceIdSchema.optional().describe('With an admin bearer token instead of a panel session: the instance'),
});

const panelOperation = (summary: string, schema: z.ZodType, extra: Partial<OperationDescription> = {}): OperationDescription => ({
  summary,
  security: ['panelSession', 'bearer'],
  query: PANEL_QUERY,
  responses: { 200: json(summary, schema) },
  problems: PANEL_PROBLEMS,
  ...extra,
});

const graphWebhook = (kind: string, item: z.ZodType): OperationDescription => ({
  summary: `Graph ${kind} (and the subscription validation handshake)`,
  description:
    "With `?validationToken=` the token is echoed as text/plain (Graph's endpoint validation). Otherwise each item is checked (clientState against the subscription's, the validation tokens of rich notifications) and queued; the answer is 202 once every accepted item is queued, 503 when that failed or took longer than Graph's 3-second budget, so Graph sends the batch again.",
  security: [],
  query: z.object({ validationToken: z.string().optional() }),
  requestBody: { type: JSON_TYPE, schema: notificationBatchSchema.extend({ value: z.array(item).max(MAX_BATCH_ITEMS) }), required: false },
  responses: {
    200: { description: 'The validation token, echoed', content: { type: 'text/plain' } },
    202: { description: 'Every acceptable item is queued' },
  },
  problems: ['invalid_json', 'invalid_body', 'payload_too_large', 'service_unavailable', 'storage_unavailable'],
});

/**
 * The HTTP API as written for the OpenAPI document, per function of the table: each
 * operation's query, body and answer come from the zod schemas its handler uses.
 */
export const apiDescriptions: Record<string, RouteDescription> = {
  health: {
    tag: 'operations',
    operations: {
      GET: {
        summary: 'Whether tables and queues answer (for probes)',
        security: [],
        responses: { 200: json('Storage answers', healthResponseSchema), 503: json('Storage does not answer', healthResponseSchema) },
        problems: [],
      },
    },
  },
  manageHealth: {
    tag: 'operations',
    operations: {
      GET: {
        summary: "The deployment's health, for its operator",
        description:
          "Version, storage, whether a Graph app token can be had, the last renewal run and the poison queues' depths. The operator's bearer token (OPERATOR_ROLE in OPERATOR_TENANT_ID); /api/health stays the anonymous probe.",
        security: ['bearer'],
        responses: { 200: json('What each check found', operatorHealthSchema) },
        problems: [...BEARER_PROBLEMS, 'operator_role_required'],
      },
    },
  },
  openApi: {
    tag: 'operations',
    operations: {
      GET: {
        summary: 'This document: the HTTP API in OpenAPI 3.1',
        security: [],
        responses: { 200: { description: 'The OpenAPI document', content: { type: JSON_TYPE } } },
        problems: [],
      },
    },
  },
  problemTypes: {
    tag: 'operations',
    operations: {
      GET: {
        summary: 'What each problem type means: the page the `type` of every problem+json answer points at',
        security: [],
        responses: { 200: { description: 'One section per problem code, its anchor the code', content: { type: HTML_TYPE } } },
        problems: [],
      },
    },
  },
  licenseCheck: {
    tag: 'add-in',
    operations: {
      GET: {
        summary: "Whether the Jira app is licensed on the caller's instance",
        description: 'Cache-Control: private, max-age is the time until the decision must be checked again.',
        security: ['bearer'],
        pathParams: { instanceId: instanceIdSchema },
        responses: { 200: json('The license decision', licenseAnswerSchema) },
        problems: [...BEARER_PROBLEMS, 'instance_not_found'],
      },
    },
  },
  jiraProxy: {
    tag: 'add-in',
    operations: Object.fromEntries(
      (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).map((method) => [
        method,
        {
          summary: `${method} a Jira REST resource as the caller, signed with OAuth 1.0a`,
          description:
            "`path` is the rest of the URL, slashes included (`rest/api/2/issue/DEMO-1`), checked against the allowed paths; Jira's answer is streamed back. No query or form parameter may be `oauth_*`, `xoauth_requestor_id` or `user_id`.",
          security: ['bearer'],
          pathParams: { instanceId: instanceIdSchema },
          ...(method === 'GET' || method === 'DELETE'
            ? {}
            : { requestBody: { type: JSON_TYPE, schema: z.unknown().describe('Passed to Jira as it is'), required: false } }),
          responses: { 200: { description: "Jira's answer (any status Jira gives is passed on)", content: { type: JSON_TYPE } } },
          problems: [
            ...BEARER_PROBLEMS,
            'instance_not_found',
            'invalid_path',
            'invalid_query',
            'invalid_header',
            'payload_too_large',
            'jira_authorization_required',
            'upstream_unreachable',
            'upstream_timeout',
            'upstream_redirect_refused',
            'jira_oauth_problem',
          ],
        } satisfies OperationDescription,
      ]),
    ),
  },
  jiraOAuthStart: {
    tag: 'add-in',
    operations: {
      POST: {
        summary: 'Start the Jira authorization: a one-time begin URL for the Office dialog',
        security: ['bearer'],
        pathParams: { instanceId: instanceIdSchema },
        responses: { 200: json('The begin URL', z.object({ authorizeUrl: z.string() })) },
        problems: [...BEARER_PROBLEMS, 'instance_not_found', 'upstream_unreachable', 'upstream_timeout', 'jira_oauth_problem'],
      },
    },
  },
  jiraOAuthBegin: {
    tag: 'add-in',
    operations: {
      GET: {
        summary: "Bind the browser to the authorization and go to Jira's authorize page",
        description: 'Works once, within 2 minutes of the start. Errors are an HTML page for the Office dialog, not problem+json.',
        security: [],
        query: beginQuerySchema,
        responses: {
          302: {
            description: "To Jira's authorize page, with the binding cookie",
            headers: { Location: { description: "Jira's authorize URL" } },
          },
          400: { description: 'The dialog page: an unknown, expired or used id', content: { type: HTML_TYPE } },
        },
        problems: [],
      },
    },
  },
  jiraOAuthCallback: {
    tag: 'add-in',
    operations: {
      GET: {
        summary: 'Where Jira sends the browser after Allow: exchange the token, answer the dialog page',
        description: 'Only in the browser that began (its binding cookie). Answers an HTML page for the Office dialog, errors included.',
        security: [],
        query: callbackQuerySchema,
        responses: {
          200: { description: 'The dialog page naming the Jira user now connected', content: { type: HTML_TYPE } },
          400: { description: 'The dialog page: unknown token, or another browser', content: { type: HTML_TYPE } },
        },
        problems: [],
      },
    },
  },
  manageInstances: {
    tag: 'administration',
    operations: {
      GET: [
        {
          summary: "List the tenant's Jira instances",
          security: ['bearer'],
          path: '/api/manage/instances',
          query: listQuerySchema,
          responses: { 200: json("The tenant's instances, by id", instanceListSchema) },
          problems: [...ADMIN_PROBLEMS, 'invalid_query', 'invalid_page_token'],
        },
        {
          summary: 'Show one Jira instance',
          security: ['bearer'],
          pathParams: { instanceId: instanceIdSchema },
          responses: { 200: json('The instance, no secret', instanceViewSchema) },
          problems: [...ADMIN_PROBLEMS, 'instance_not_found'],
        },
      ],
      PUT: {
        summary: 'Register or update a Jira instance',
        description:
          '`serviceToken` is write-only: absent keeps it, null removes it; a baseUrl on another origin drops it unless a new one comes along.',
        security: ['bearer'],
        pathParams: { instanceId: instanceIdSchema },
        requestBody: { type: JSON_TYPE, schema: registerInstanceBodySchema },
        responses: {
          200: json('Updated', registeredInstanceSchema),
          201: json('Registered; the panel secret is shown this once', registeredInstanceSchema),
        },
        problems: [
          ...ADMIN_PROBLEMS,
          'invalid_json',
          'invalid_body',
          'payload_too_large',
          'instance_invalid',
          'target_not_allowed',
          'conflict',
        ],
      },
      DELETE: {
        summary: 'Remove a Jira instance',
        security: ['bearer'],
        pathParams: { instanceId: instanceIdSchema },
        responses: { 204: { description: 'Removed' } },
        problems: [...ADMIN_PROBLEMS, 'instance_not_found'],
      },
    },
  },
  manageUi: {
    tag: 'administration',
    operations: {
      GET: {
        summary: 'The administration panel page Jira frames',
        description: "Opened with the Jira app's per-URL JWT; without one, a sign-in page that holds no data.",
        security: ['panelJwt'],
        responses: {
          200: { description: 'The panel page', content: { type: HTML_TYPE } },
          401: { description: 'A refused iframe token: a plain page', content: { type: HTML_TYPE } },
        },
        problems: [],
      },
    },
  },
  manageUiAsset: {
    tag: 'administration',
    operations: {
      GET: {
        summary: "The panel's script and style sheet",
        security: [],
        query: z.object({ v: z.string().optional().describe('The content hash: with the current one the answer is cached for good') }),
        responses: { 200: { description: 'The asset', content: { type: 'text/javascript' } } },
        problems: ['not_found'],
      },
    },
  },
  manageSession: {
    tag: 'panel',
    operations: {
      POST: panelOperation('Open or renew a panel session', panelSessionResponseSchema, {
        description: 'With X-Panel-Session the session is renewed; with an admin bearer token and ?instanceId= a new one opens.',
      }),
    },
  },
  manageOverview: {
    tag: 'panel',
    operations: { GET: panelOperation('The instance, its service credential and license', panelOverviewSchema) },
  },
  manageReport: {
    tag: 'panel',
    operations: {
      GET: panelOperation('Per-day counts of mail received, dropped, delivered, failed and poisoned', activityReportSchema, {
        query: PANEL_QUERY.extend(reportQuerySchema.shape),
      }),
    },
  },
  manageSubscriptions: {
    tag: 'panel',
    operations: {
      GET: panelOperation("The tenant's mailboxes and their Graph subscriptions, soonest expiry first", panelSubscriptionsSchema, {
        query: PANEL_QUERY.extend(listQuerySchema.shape),
        problems: LIST_PANEL_PROBLEMS,
      }),
    },
  },
  manageLinks: {
    tag: 'panel',
    operations: {
      GET: panelOperation("The instance's conversation links counted per issue, most recently linked first", panelLinksSchema, {
        query: PANEL_QUERY.extend(panelLinksQuerySchema.shape).extend(listQuerySchema.shape),
        problems: LIST_PANEL_PROBLEMS,
      }),
    },
  },
  manageTrail: {
    tag: 'panel',
    operations: {
      GET: panelOperation("A mail's trail: why it did, or did not, notify", mailTrailSchema, {
        description:
          "The tenant's mails whose internetMessageId, Graph message id or conversation id is `id`: received (when, which subscription), dropped and why or the links it matched, and per issue the watchers, who was notified, failures, retries and poison. Kept for DELIVERY_RETENTION; ids and times only, never mail content.",
        query: PANEL_QUERY.extend(trailQuerySchema.shape),
      }),
    },
  },
  managePanelInstance: {
    tag: 'panel',
    operations: {
      PATCH: panelOperation("Edit the session's own instance: its display name, its base URL within the same origin", instanceViewSchema, {
        description:
          "The admin route's registration does it, with the same base URL checks. A base URL on another origin is 403 `forbidden`: moving the instance to another host, like registering one, is for the tenant admin (`PUT manage/instances/{instanceId}`).",
        requestBody: { type: JSON_TYPE, schema: panelInstanceEditSchema },
        problems: [
          ...PANEL_PROBLEMS,
          'invalid_json',
          'invalid_body',
          'payload_too_large',
          'forbidden',
          'instance_invalid',
          'target_not_allowed',
          'conflict',
        ],
      }),
    },
  },
  manageTestConnection: {
    tag: 'panel',
    operations: { POST: panelOperation("Whether Jira accepts the instance's service credential", connectionTestSchema) },
  },
  manageReplayPoison: {
    tag: 'panel',
    operations: {
      POST: panelOperation("Move the tenant's messages of <queue>-poison back to the queue", replayResultSchema, {
        description:
          "With ?scope=deployment and the operator's bearer token (OPERATOR_ROLE in OPERATOR_TENANT_ID), every tenant's messages.",
        query: PANEL_QUERY.extend({ scope: z.enum(['tenant', 'deployment']).optional() }),
        requestBody: { type: JSON_TYPE, schema: replayPoisonBodySchema },
        problems: [...PANEL_PROBLEMS, 'operator_role_required', 'invalid_json', 'invalid_body', 'payload_too_large'],
      }),
    },
  },
  managePanelSecret: {
    tag: 'administration',
    operations: {
      POST: {
        summary: 'A new panel secret for the instance (the previous one stops working)',
        security: ['bearer'],
        query: z.object({ instanceId: instanceIdSchema }),
        responses: { 200: json('The secret, shown this once, with the issuer', panelSecretResponseSchema) },
        problems: [...ADMIN_PROBLEMS, 'invalid_query', 'instance_not_found', 'conflict'],
      },
    },
  },
  graphNotifications: { tag: 'graph', operations: { POST: graphWebhook('change notifications', changeNotificationSchema) } },
  graphLifecycle: { tag: 'graph', operations: { POST: graphWebhook('lifecycle notifications', lifecycleNotificationSchema) } },
  links: {
    tag: 'add-in',
    operations: {
      GET: {
        summary: "The conversation's links (the caller's tenant)",
        security: ['bearer'],
        query: z.object({ conversationId: conversationIdSchema }).extend(listQuerySchema.shape),
        responses: { 200: json("The conversation's links, oldest first", linkListSchema) },
        problems: [...BEARER_PROBLEMS, 'invalid_query', 'invalid_page_token'],
      },
      POST: {
        summary: "Link a conversation to a Jira issue and make sure the caller's mailbox is subscribed",
        security: ['bearer'],
        requestBody: { type: JSON_TYPE, schema: linkRequestSchema },
        responses: { 200: json('Already linked', linkResponseSchema), 201: json('Linked', linkResponseSchema) },
        problems: [
          ...BEARER_PROBLEMS,
          'invalid_json',
          'invalid_body',
          'payload_too_large',
          'instance_not_found',
          'jira_authorization_required',
          'jira_issue_not_found',
          'jira_issue_forbidden',
          'graph_request_failed',
        ],
      },
      DELETE: {
        summary: 'Remove one link; the last link of a mailbox takes its subscription with it',
        security: ['bearer'],
        query: linkRequestSchema,
        responses: { 204: { description: 'Removed' } },
        problems: [...BEARER_PROBLEMS, 'invalid_query', 'link_not_found'],
      },
    },
  },
};
