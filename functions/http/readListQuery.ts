import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';
import { AppError } from '../../shared/platform/errors/AppError';
import type { ListPageRequest } from '../../shared/platform/paging/ListEnvelope';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

/** `?limit=&next=` of every list route; OpenAPI describes them from this schema. */
export const listQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIST_LIMIT)
    .optional()
    .describe(`Items per page, 1 to ${MAX_LIST_LIMIT}; ${DEFAULT_LIST_LIMIT} when absent`),
  next: z.string().min(1).max(2048).optional().describe("The previous page's `next`, unchanged, with the same filters"),
});

/** The page a list request asks for; a bad `limit` is a problem answer, never a clamp the caller does not see. */
export function readListQuery(request: HttpRequest): ListPageRequest {
  const limit = request.query.get('limit');
  const next = request.query.get('next');
  const parsed = listQuerySchema.safeParse({ limit: limit ?? undefined, next: next ?? undefined });
  if (!parsed.success) {
    const field =
      parsed.error.issues[0]?.path[0] === 'next' ? 'next: at most 2048 characters' : `limit: a whole number from 1 to ${MAX_LIST_LIMIT}`;
    throw new AppError({ code: 'invalid_query', detail: field });
  }
  return { limit: parsed.data.limit ?? DEFAULT_LIST_LIMIT, ...(parsed.data.next === undefined ? {} : { next: parsed.data.next }) };
}
