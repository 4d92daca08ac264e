import type { HttpRequest } from '@azure/functions';
import { AppError } from '../shared/platform/errors/AppError';
import { conversationIdSchema, linkCreateSchema, linkRequestSchema, type LinkCreateRequest } from '../shared/mail/links/linkSchemas';
import { toLinkResponse } from '../shared/mail/links/toLinkResponse';
import { timeKey } from '../shared/platform/paging/timeKey';
import type { HttpServiceHandler } from './FunctionDefinition';
import { authenticate } from './http/authenticate';
import { jsonResponse } from './http/jsonResponse';
import { readListQuery } from './http/readListQuery';
import { readRequestJson } from './http/readRequestJson';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * `/api/links` for the add-in, always within the caller's tenant:
 * - `POST { conversationId, instanceId, issueKey, sharedMailbox? }` links (201, or 200 when it
 *   already was) and makes sure the link's mailbox (the caller's, or the shared mailbox Graph
 *   lets the caller read) has a Graph subscription;
 * - `GET ?conversationId=&limit=&next=` lists the conversation's links, oldest first, a page at a time;
 * - `DELETE ?conversationId=&instanceId=&issueKey=` removes one (204); the last link a
 *   mailbox owns takes its subscription with it.
 * The add-in calls it cross-origin: its row in the function table declares CORS.
 */
export const links: HttpServiceHandler = async (request, context, services) => {
  const caller = await authenticate(request, services);
  switch (request.method.toUpperCase()) {
    case 'POST': {
      // The caller's token, already verified: a shared mailbox is checked with it, on-behalf-of.
      const assertion = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      const { created, link } = await services.links.add(caller, await readLinkBody(request), assertion);
      return jsonResponse(created ? 201 : 200, toLinkResponse(link), { 'Cache-Control': 'no-store' });
    }
    case 'GET': {
      const conversationId = conversationIdSchema.safeParse(request.query.get('conversationId') ?? undefined);
      if (!conversationId.success) throw new AppError({ code: 'invalid_query', detail: 'conversationId is required' });
      const page = readListQuery(request);
      const found = await services.links.list(caller, conversationId.data);
      const listed = services.paging.page(
        found.map(toLinkResponse),
        { ...page, scope: `links\n${caller.tenantId}\n${conversationId.data}` },
        (link) => `${timeKey(link.linkedAt)}\n${link.instanceId}\n${link.issueKey}`,
      );
      return jsonResponse(200, listed, { 'Cache-Control': 'private, no-store', Vary: 'Authorization' });
    }
    case 'DELETE': {
      const query = linkRequestSchema.safeParse({
        conversationId: request.query.get('conversationId') ?? undefined,
        instanceId: request.query.get('instanceId') ?? undefined,
        issueKey: request.query.get('issueKey') ?? undefined,
      });
      if (!query.success) throw new AppError({ code: 'invalid_query', detail: 'conversationId, instanceId and issueKey are required' });
      const result = await services.links.remove(caller, query.data);
      if (result.cleanupFailed)
        services.logs
          .of(context, { tenantId: caller.tenantId, instanceId: query.data.instanceId, issueKey: query.data.issueKey })
          .warn('links: a mailbox subscription could not be removed now; the renewal timer will');
      return { status: 204, headers: { 'Cache-Control': 'no-store' } };
    }
    default:
      throw new AppError({ code: 'method_not_allowed', headers: { Allow: 'GET, POST, DELETE' } });
  }
};

async function readLinkBody(request: HttpRequest): Promise<LinkCreateRequest> {
  const parsed = linkCreateSchema.safeParse(await readRequestJson(request, MAX_BODY_BYTES));
  if (!parsed.success)
    throw new AppError({
      code: 'invalid_body',
      detail: `expected { conversationId, instanceId, issueKey, sharedMailbox? }: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`,
    });
  return parsed.data;
}
