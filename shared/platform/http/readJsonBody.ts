import { AppError } from '../errors/AppError';
import type { OutboundResponse } from './OutboundClient';
import { readBody } from './readBody';

/**
 * Reads an upstream JSON body as `unknown` with a size cap: a misbehaving server cannot
 * make us buffer without bound, and the caller must validate the shape with a schema.
 */
export async function readJsonBody(response: OutboundResponse, upstream: string, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  const bytes = await readBody(response.body, {
    maxBytes,
    tooLarge: () => new AppError({ code: 'upstream_bad_response', detail: `${upstream} answered more than ${maxBytes} bytes` }),
  });
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (cause) {
    throw new AppError({ code: 'upstream_bad_response', detail: `${upstream} answered something that is not JSON`, cause });
  }
}
