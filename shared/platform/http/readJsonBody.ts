import { AppError } from '../errors/AppError';
import type { OutboundResponse } from './OutboundClient';

/**
 * Reads an upstream JSON body as `unknown` with a size cap: a misbehaving server cannot
 * make us buffer without bound, and the caller must validate the shape with a schema.
 */
export async function readJsonBody(response: OutboundResponse, upstream: string, maxBytes = 4 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      response.body.destroy();
      throw new AppError({ code: 'upstream_bad_response', detail: `${upstream} answered more than ${maxBytes} bytes` });
    }
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (cause) {
    throw new AppError({ code: 'upstream_bad_response', detail: `${upstream} answered something that is not JSON`, cause });
  }
}
