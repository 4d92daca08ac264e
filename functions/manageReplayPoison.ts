import { z } from 'zod';
import { AppError } from '../shared/platform/errors/AppError';
import { replayPoisonMessages, toQueueName } from '../shared/mail/fanout/replayPoisonMessages';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';
import { readRequestJson } from './http/readRequestJson';

const bodySchema = z.object({ queue: z.string().min(1).max(64) }).strict();
const MAX_BODY_BYTES = 4 * 1024;

/**
 * `POST /api/manage/panel/replay-poison` `{ "queue": "jira-notify" }`: moves the messages of
 * `<queue>-poison` back to the queue — the operation of `npm run replay-poison`. Poison
 * queues belong to the whole deployment.
 */
export const manageReplayPoison: HttpServiceHandler = async (request, context, services) => {
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const body = bodySchema.safeParse(await readRequestJson(request, MAX_BODY_BYTES));
  if (!body.success) throw new AppError({ code: 'invalid_body', detail: 'expected { "queue": "<queue name>" }' });
  const queue = toQueueName(body.data.queue);
  const result = await replayPoisonMessages(services.admin.queueAdmin, queue);
  context.log(
    `manageReplayPoison: ${queue} moved=${result.moved} leftForLater=${result.leftForLater} by instance=${session.instanceId} via=${session.via}`,
  );
  return jsonResponse(200, result);
};
