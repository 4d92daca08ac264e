import { AppError } from '../shared/platform/errors/AppError';
import { retryAfterOf } from '../shared/mail/graph/throttledError';
import { queueNames } from '../shared/platform/storage/queueNames';
import { graphLifecycleMessageSchema } from '../shared/mail/webhooks/graphLifecycleMessage';
import type { QueueServiceHandler } from './FunctionDefinition';

/** A queue message can be hidden for at most 7 days. */
const MAX_DELAY_SECONDS = 7 * 24 * 3600;

/**
 * Queue `graph-lifecycle`: renews, recreates or catches up a subscription as its lifecycle
 * event asks. When Graph throttles us, the message goes back on the queue, visible after
 * Graph's Retry-After, and this run succeeds: throttling is not a failure and must not
 * push the message toward the poison queue.
 */
export const processLifecycleEvent: QueueServiceHandler = async (message, context, services) => {
  const parsed = graphLifecycleMessageSchema.safeParse(typeof message === 'string' ? parseJson(message) : message);
  // Cannot succeed on a retry either: fail so it lands in the poison queue for a person to see.
  if (!parsed.success) throw new AppError({ code: 'invalid_body', detail: 'a graph-lifecycle message does not have the expected shape' });
  const event = parsed.data;
  const log = services.logs.of(context, { queue: queueNames.graphLifecycle, tenantId: event.tenantId });
  try {
    const { result, caughtUp } = await services.fanout.handleLifecycle(event);
    log.info(`graph lifecycle ${event.lifecycleEvent}: ${result}${caughtUp === undefined ? '' : `, ${caughtUp} mails queued`}`);
  } catch (error) {
    const wait = retryAfterOf(error);
    if (wait === undefined) throw error;
    const delay = Math.min(Math.max(1, Math.ceil(wait)), MAX_DELAY_SECONDS);
    await services.queues.send(queueNames.graphLifecycle, event, { visibilityTimeoutSeconds: delay });
    log.warn(`graph lifecycle ${event.lifecycleEvent}: throttled by Graph, put back for ${delay} s`);
  }
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
