import { z } from 'zod';
import type { ActivityReport } from '../../shared/admin/buildActivityReport';
import type { PanelLinks } from '../../shared/admin/listPanelLinks';
import type { OperatorHealthReport } from '../../shared/admin/OperatorHealth';
import type { PanelSubscriptions } from '../../shared/admin/listPanelSubscriptions';
import type { PanelOverview } from '../../shared/admin/loadPanelOverview';
import type { MailTrail } from '../../shared/admin/loadMailTrail';
import type { ConnectionTest } from '../../shared/admin/testJiraConnection';
import type { InstanceView } from '../../shared/jira/InstanceView';
import type { LicenseAnswer } from '../../shared/licenses/LicenseAnswer';
import { licenseDecisionSchema } from '../../shared/licenses/LicenseDecision';
import type { ReplayResult } from '../../shared/mail/fanout/replayPoisonMessages';
import type { LinkResponse } from '../../shared/mail/links/toLinkResponse';
import { allQueueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import type { ListEnvelope } from '../../shared/platform/paging/ListEnvelope';
import type { StorageHealthResult } from '../../shared/platform/storage/StorageHealth';
import { trailDropReasons, trailIssueStates } from '../../shared/platform/storage/trails/mailTrailEntity';

/*
 * The bodies the HTTP routes answer, for the OpenAPI document. Each is typed as the zod
 * schema of the TypeScript type the handler returns, so the compiler refuses a description
 * that no longer matches the answer.
 */

const isoTime = z.string().describe('ISO 8601 date and time, UTC');

/** The one list envelope (`ListEnvelope`) over an item schema, with the list's own summary fields beside. */
function listEnvelopeSchema<I extends z.ZodType, S extends z.ZodRawShape>(item: I, summary: S) {
  return z.object({
    items: z.array(item),
    next: z.string().optional().describe('Present when more items follow: pass it back as `?next=`, with the same filters'),
    ...summary,
  });
}
const healthState = z.enum(['ok', 'unavailable']);

export const healthResponseSchema: z.ZodType<{ status: string; checks: StorageHealthResult['checks'] }> = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.object({ tables: healthState, queues: healthState }),
});

export const operatorHealthSchema: z.ZodType<OperatorHealthReport> = z.object({
  status: z.enum(['ok', 'degraded']).describe('ok when every check below passed'),
  version: z.string().describe("The app's version"),
  checkedAt: isoTime,
  storage: z.object({ tables: healthState, queues: healthState }),
  graphAppToken: z
    .object({ state: healthState, code: z.string().optional().describe('The failure code, e.g. graph_access_denied') })
    .describe("Whether an app-only Graph token can be had in the operator's tenant (never the token)"),
  lastRenewal: z
    .object({ lastRunAt: isoTime, lastSucceeded: z.boolean(), lastSuccessAt: isoTime.nullable() })
    .nullable()
    .describe('The subscription renewal timer; null before its first run'),
  poisonQueues: z.array(
    z.object({
      queue: z.string(),
      approximateMessages: z.number().int().nullable().describe('null when it could not be read'),
    }),
  ),
});

export const licenseAnswerSchema: z.ZodType<LicenseAnswer> = licenseDecisionSchema.extend({
  source: z.enum(['live', 'cache', 'grace']),
  checkedAt: isoTime,
  graceUntil: isoTime.optional(),
});

const instanceViewShape = {
  instanceId: z.string(),
  baseUrl: z.string(),
  displayName: z.string(),
  serviceUser: z.string().optional(),
  hasServiceToken: z.boolean(),
  appKey: z.string().optional(),
  authKind: z.enum(['oauth1', 'oauth2']).describe('How users authorize: OAuth 1.0a, or OAuth 2.0 through the incoming link'),
  oauth2ClientId: z.string().optional(),
  hasOAuth2ClientSecret: z.boolean(),
  consumerKey: z.string(),
  publicKeyPem: z.string(),
  callbackUrl: z.string(),
  createdAt: isoTime,
  updatedAt: isoTime,
};

export const instanceViewSchema: z.ZodType<InstanceView> = z.object(instanceViewShape);

export const instanceListSchema: z.ZodType<ListEnvelope<InstanceView>> = listEnvelopeSchema(instanceViewSchema, {});

const panelCredentialsSchema = z.object({ issuer: z.string(), sharedSecret: z.string() });

export const registeredInstanceSchema = z.object({
  ...instanceViewShape,
  proposedAuthKind: z
    .enum(['oauth1', 'oauth2'])
    .optional()
    .describe("When the registration named no authKind: what Jira's application-links manifest suggests"),
  panel: panelCredentialsSchema.optional().describe('On first registration only: the panel secret, shown once'),
});

export const panelSecretResponseSchema = panelCredentialsSchema.extend({ panelPath: z.string() });

export const linkResponseSchema: z.ZodType<LinkResponse> = z.object({
  conversationId: z.string(),
  instanceId: z.string(),
  issueKey: z.string(),
  linkedAt: isoTime,
  linkedBy: z.string().describe("The object id of the user who made the link (the caller's tenant)"),
  stale: z.boolean(),
  staleStatus: z.number().int().optional(),
  staleSince: isoTime.optional(),
  nextCheckAt: isoTime.optional(),
});

export const linkListSchema: z.ZodType<ListEnvelope<LinkResponse>> = listEnvelopeSchema(linkResponseSchema, {});

export const panelSessionResponseSchema = z.object({ token: z.string(), expiresAt: isoTime });

export const panelOverviewSchema: z.ZodType<PanelOverview> = z.object({
  instance: z.object({
    instanceId: z.string(),
    displayName: z.string(),
    baseUrl: z.string(),
    consumerKey: z.string(),
    publicKeyPem: z.string(),
    callbackUrl: z.string(),
    appKey: z.string().optional(),
    panelIssuer: z.string(),
    panelSecretSet: z.boolean(),
  }),
  credential: z.union([
    z.object({ state: z.literal('missing') }),
    z.object({ state: z.literal('set'), kind: z.literal('personalAccessToken'), serviceUser: z.string().optional() }),
    z.object({ state: z.literal('set'), kind: z.literal('impersonation'), serviceUser: z.string() }),
  ]),
  license: z.union([
    z.object({ state: z.literal('checked'), answer: licenseAnswerSchema }),
    z.object({ state: z.literal('notConfigured') }),
  ]),
  session: z.object({ subject: z.string(), via: z.enum(['jira', 'entra']), expiresAt: isoTime }),
});

const queueNameSchema = z.enum(allQueueNames as [QueueName, ...QueueName[]]);

export const activityReportSchema: z.ZodType<ActivityReport> = z.object({
  days: z.array(
    z.object({
      day: z.string().describe('UTC, YYYY-MM-DD'),
      received: z.number().int(),
      dropped: z.number().int(),
      droppedByReason: z.record(z.string(), z.number().int()),
      delivered: z.number().int(),
      failed: z.number().int(),
      poisoned: z.number().int(),
      lifecycle: z.record(z.string(), z.number().int()),
    }),
  ),
  totals: z.object({ received: z.number(), dropped: z.number(), delivered: z.number(), failed: z.number(), poisoned: z.number() }),
  latestFailures: z.array(
    z.object({
      issueKey: z.string(),
      reason: z.string(),
      lastStatus: z.number().int().optional(),
      attempts: z.number().int(),
      at: isoTime,
    }),
  ),
  poisonQueues: z.array(z.object({ queue: queueNameSchema, poisonQueue: z.string(), count: z.number().int(), complete: z.boolean() })),
  deliveriesTruncated: z.boolean(),
});

const panelUserSchema = z
  .object({ displayName: z.string().optional(), mail: z.string().optional(), deleted: z.literal(true).optional() })
  .describe("The user's name and address from Microsoft Graph, or `deleted: true`; absent when Graph could not say");

export const panelSubscriptionsSchema: z.ZodType<PanelSubscriptions> = listEnvelopeSchema(
  z.object({
    userId: z.string(),
    user: panelUserSchema.optional(),
    subscriptionId: z.string(),
    state: z.string(),
    superseded: z.boolean(),
    expiresAt: isoTime,
    expired: z.boolean(),
    createdAt: isoTime,
    renewedAt: isoTime.optional(),
    lastNotificationAt: isoTime.optional(),
  }),
  { mailboxes: z.number().int(), truncated: z.boolean() },
);

export const panelLinksSchema: z.ZodType<PanelLinks> = listEnvelopeSchema(
  z.object({
    issueKey: z.string(),
    conversations: z.number().int(),
    stale: z.number().int(),
    staleReason: z.object({ status: z.number().int().optional(), since: isoTime.optional(), nextCheckAt: isoTime.optional() }).optional(),
    linkedBy: z.number().int(),
    lastLinkedAt: isoTime,
  }),
  {
    totals: z.object({ links: z.number().int(), issues: z.number().int(), conversations: z.number().int(), stale: z.number().int() }),
    truncated: z.boolean(),
  },
);

export const connectionTestSchema: z.ZodType<ConnectionTest> = z.union([
  z.object({ ok: z.literal(true), status: z.number().int(), jiraUser: z.string().optional() }),
  z.object({
    ok: z.literal(false),
    outcome: z.enum(['missing', 'rejected', 'unreachable', 'failed']),
    status: z.number().int().optional(),
    code: z.string().optional(),
  }),
]);

export const replayResultSchema: z.ZodType<ReplayResult> = z.object({
  queue: queueNameSchema,
  moved: z.number().int(),
  leftForLater: z.number().int(),
  complete: z.boolean(),
  dryRun: z.boolean().describe('True: nothing moved; `moved` is how many a replay would move'),
});

export const mailTrailSchema: z.ZodType<MailTrail> = z.object({
  mails: z.array(
    z.object({
      mailboxUserId: z.string(),
      mailboxUser: panelUserSchema.optional(),
      messageId: z.string(),
      subscriptionId: z.string(),
      receivedAt: isoTime,
      internetMessageId: z.string().optional(),
      conversationId: z.string().optional(),
      outcome: z.enum(['dropped', 'matched', 'poisoned']),
      reason: z.enum(trailDropReasons).optional(),
      issues: z.array(
        z.object({
          instanceId: z.string(),
          issueKey: z.string(),
          fanOut: z.enum(trailIssueStates),
          delivery: z
            .object({
              status: z.enum(['pending', 'sent', 'failed']),
              attempts: z.number().int(),
              lastStatus: z.number().int().optional(),
              reason: z.string().optional(),
              watchers: z.number().int().optional(),
              recipients: z.array(z.string()).optional().describe('The Jira user names notified'),
              updatedAt: isoTime,
            })
            .optional(),
          poisoned: z.boolean(),
        }),
      ),
    }),
  ),
  truncated: z.boolean(),
});
