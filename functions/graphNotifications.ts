import { recordWebhookBatch } from '../shared/admin/recordWebhookBatch';
import { readBody } from '../shared/platform/http/readBody';
import { queueNames } from '../shared/platform/storage/queueNames';
import { acceptChangeNotifications } from '../shared/mail/webhooks/acceptChangeNotifications';
import { describeDrops } from '../shared/mail/webhooks/describeDrops';
import { enqueueAccepted } from '../shared/mail/webhooks/enqueueAccepted';
import { parseNotificationBatch } from '../shared/mail/webhooks/parseNotificationBatch';
import { toGraphNotificationPacks } from '../shared/mail/webhooks/toGraphNotificationPacks';
import { MAX_NOTIFICATION_BODY_BYTES } from '../shared/mail/webhooks/maxNotificationBodyBytes';
import { validationEchoResponse } from '../shared/mail/webhooks/validationEchoResponse';
import { GRAPH_ANSWER_BUDGET_MS, withinDeadline } from '../shared/mail/webhooks/withinDeadline';
import type { HttpServiceHandler } from './FunctionDefinition';

/**
 * `POST /api/graph/notifications`: Graph's change notifications. Validates, queues every
 * acceptable item to `graph-notifications` (packed: a tenant's items of one POST share as
 * few messages as fit), then answers 202 — and only then: a batch that
 * could not be queued is answered 503 so that Graph sends it again. No Graph or Jira call
 * happens here, and the answer comes inside Graph's 3-second budget.
 */
export const graphNotifications: HttpServiceHandler = async (request, context, services) => {
  const validationToken = request.query.get('validationToken');
  if (validationToken !== null) return validationEchoResponse(validationToken);

  const started = performance.now();
  const remaining = () => GRAPH_ANSWER_BUDGET_MS - (performance.now() - started);
  const batch = parseNotificationBatch((await readBody(request.body, { maxBytes: MAX_NOTIFICATION_BODY_BYTES })).toString('utf8'));
  const { graphWebhooks } = services;
  const { messages, dropped, unknownCertificate } = await withinDeadline(
    remaining(),
    acceptChangeNotifications({
      batch,
      subscriptions: graphWebhooks.subscriptions,
      validationTokens: graphWebhooks.validationTokens,
      decryptor: graphWebhooks.decryptor,
      receivedAt: new Date(services.clock.now()).toISOString(),
    }),
  );
  await enqueueAccepted(services.queues, queueNames.graphNotifications, toGraphNotificationPacks(messages), remaining());
  // Counted in memory once queued (a batch answered 503 comes again and is counted then);
  // written every few seconds off this path, so the count costs Graph's budget nothing.
  if (!(await recordWebhookBatch(services.admin.reports, { kind: 'notifications', messages, dropped })))
    services.logs.of(context).warn('graph notifications: report counters not recorded');

  const log = services.logs.of(context);
  const outcome = describeDrops('notifications', messages.length, dropped);
  if (outcome.level === 'warn') log.warn(outcome.line);
  else log.info(outcome.line);
  if (unknownCertificate > 0)
    log.warn(`graph notifications: ${unknownCertificate} encrypted for a certificate we hold no key for, queued without resource data`);
  return { status: 202, headers: { 'Cache-Control': 'no-store' } };
};
