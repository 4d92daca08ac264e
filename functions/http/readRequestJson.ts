import type { HttpRequest } from '@azure/functions';
import { AppError } from '../../shared/platform/errors/AppError';
import { readBody } from '../../shared/platform/http/readBody';

/**
 * A request's JSON body as `unknown`, for the caller to validate with its schema: 413
 * `payload_too_large` past `maxBytes`, 400 `invalid_json` when it does not parse.
 */
export async function readRequestJson(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const bytes = await readBody(request.body, { maxBytes });
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new AppError({ code: 'invalid_json' });
  }
}
