import type { ReadableStream } from 'node:stream/web';
import { AppError } from '../../platform/errors/AppError';

/** Rich notification batches carry encrypted mail fields; a few MB covers the largest Graph sends. */
export const MAX_NOTIFICATION_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Reads a request body as UTF-8 with a size cap, so an unauthenticated caller cannot make
 * the webhook buffer without bound.
 */
export async function readBoundedText(body: ReadableStream<unknown> | null, maxBytes = MAX_NOTIFICATION_BODY_BYTES): Promise<string> {
  if (!body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = typeof value === 'string' ? Buffer.from(value, 'utf8') : value instanceof Uint8Array ? value : undefined;
    if (!chunk) throw new AppError({ code: 'bad_request', detail: 'the body could not be read' });
    size += chunk.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError({ code: 'payload_too_large', detail: `the body is larger than ${maxBytes} bytes` });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
