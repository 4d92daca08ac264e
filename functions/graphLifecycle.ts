import { recordWebhookBatch } from '../shared/admin/recordWebhookBatch';
import { readBody } from '../shared/platform/http/readBody';
import { queueNames } from '../shared/platform/storage/queueNames';
import { acceptLifecycleNotifications } from '../shared/mail/webhooks/acceptLifecycleNotifications';
import { describeDrops } from '../shared/mail/webhooks/describeDrops';
import { enqueueAccepted } from '../shared/mail/webhooks/enqueueAccepted';
import { parseNotificationBatch } from '../shared/mail/webhooks/parseNotificationBatch';
import { MAX_NOTIFICATION_BODY_BYTES } from '../shared/mail/webhooks/maxNotificationBodyBytes';
import { validationEchoResponse } from '../shared/mail/webhooks/validationEchoResponse';
import { GRAPH_ANSWER_BUDGET_MS, withinDeadline } from '../shared/mail/webhooks/withinDeadline';
import type { HttpServiceHandler } from './FunctionDefinition';

/**
 * `POST /api/graph/lifecycle`: Graph's lifecycle notifications (`reauthorizationRequired`,
 * `subscriptionRemoved`, `missed`). Same rules as the change notifications: validated,
 * queued to `graph-lifecycle` for `processLifecycleEvent`, 202 only once queued.
 */
export const graphLifecycle: HttpServiceHandler = async (request, context, services) => {
  const validationToken = request.query.get('validationToken');
  if (validationToken !== null) return validationEchoResponse(validationToken);

  const started = performance.now();
  const remaining = () => GRAPH_ANSWER_BUDGET_MS - (performance.now() - started);
  const batch = parseNotificationBatch((await readBody(request.body, { maxBytes: MAX_NOTIFICATION_BODY_BYTES })).toString('utf8'));
  const { messages, dropped } = await withinDeadline(
    remaining(),
    acceptLifecycleNotifications({
      batch,
      subscriptions: services.graphWebhooks.subscriptions,
      receivedAt: new Date(services.clock.now()).toISOString(),
    }),
  );
  await enqueueAccepted(services.queues, queueNames.graphLifecycle, messages, remaining());
  // Counted in memory once queued (a batch answered 503 comes again and is counted then);
  // written every few seconds off this path, so the count costs Graph's budget nothing.
  if (!(await recordWebhookBatch(services.admin.reports, { kind: 'lifecycle', messages, dropped })))
    services.logs.of(context).warn('graph lifecycle: report counters not recorded');

  const outcome = describeDrops('lifecycle notifications', messages.length, dropped);
  if (outcome.level === 'warn') services.logs.of(context).warn(outcome.line);
  else services.logs.of(context).info(outcome.line);
  return { status: 202, headers: { 'Cache-Control': 'no-store' } };
};
