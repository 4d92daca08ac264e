import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { AppError } from '../shared/platform/errors/AppError';
import { isTenantMessage, replayPoisonMessages, toQueueName } from '../shared/mail/fanout/replayPoisonMessages';
import type { QueueName } from '../shared/platform/storage/queueNames';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticateOperator } from './http/authenticate';
import { authenticatePanel } from './http/authenticatePanel';
import { jsonResponse } from './http/jsonResponse';
import { readRequestJson } from './http/readRequestJson';

export const replayPoisonBodySchema = z
  .object({
    queue: z.string().min(1).max(64),
    dryRun: z.boolean().optional().describe('Count what would move, move nothing: the preview the panel confirms'),
  })
  .strict();
const MAX_BODY_BYTES = 4 * 1024;
/** Messages a tenant's replay looks at per call (32 receives); it answers `complete: false` when there may be more. */
const TENANT_SCAN_LIMIT = 1024;

/**
 * `POST /api/manage/panel/replay-poison` `{ "queue": "jira-notify", "dryRun"?: true }`: moves
 * the caller's tenant's messages of `<queue>-poison` back to the queue (with `dryRun`, counts
 * them and moves none: the preview the panel asks to confirm); other tenants' messages stay
 * where they are. With `?scope=deployment` and the operator's bearer token (OPERATOR_ROLE
 * in OPERATOR_TENANT_ID) it moves every message — the operation of `npm run replay-poison`.
 */
export const manageReplayPoison: HttpServiceHandler = async (request, context, services) => {
  const scope = request.query.get('scope') ?? 'tenant';
  if (scope !== 'tenant' && scope !== 'deployment')
    throw new AppError({ code: 'invalid_query', detail: 'scope: expected tenant (the default) or deployment' });
  if (scope === 'deployment') {
    await authenticateOperator(request, services);
    const { queue, dryRun } = await readBody(request);
    const result = await replayPoisonMessages(services.admin.queueAdmin, queue, { dryRun });
    services.logs
      .of(context, { queue })
      .info(
        `manageReplayPoison: ${queue} deployment-wide moved=${result.moved} leftForLater=${result.leftForLater} dryRun=${dryRun} by the operator`,
      );
    return jsonResponse(200, result);
  }
  const session = await authenticatePanel(request, services);
  await services.instances.require(session.tenantId, session.instanceId);
  const { queue, dryRun } = await readBody(request);
  const result = await replayPoisonMessages(services.admin.queueAdmin, queue, {
    belongsTo: isTenantMessage(session.tenantId),
    maxScanned: TENANT_SCAN_LIMIT,
    dryRun,
  });
  services.logs
    .of(context, { queue, tenantId: session.tenantId, instanceId: session.instanceId })
    .info(
      `manageReplayPoison: ${queue} moved=${result.moved} leftForLater=${result.leftForLater} complete=${result.complete} dryRun=${dryRun} by instance=${session.instanceId} via=${session.via}`,
    );
  return jsonResponse(200, result);
};

async function readBody(request: HttpRequest): Promise<{ queue: QueueName; dryRun: boolean }> {
  const body = replayPoisonBodySchema.safeParse(await readRequestJson(request, MAX_BODY_BYTES));
  if (!body.success) throw new AppError({ code: 'invalid_body', detail: 'expected { "queue": "<queue name>", "dryRun"?: boolean }' });
  return { queue: toQueueName(body.data.queue), dryRun: body.data.dryRun === true };
}
