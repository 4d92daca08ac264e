import { AppError } from '../errors/AppError';

/** A queue message may be at most 64 KiB of text once encoded. */
export const MAX_QUEUE_MESSAGE_LENGTH = 64 * 1024;

/**
 * JSON, then base64: the Functions queue trigger decodes base64 by default
 * (`messageEncoding`), and a message it cannot decode goes to poison without an error.
 */
export function encodeQueueMessage(message: unknown): string {
  const json = JSON.stringify(message) as string | undefined;
  if (json === undefined) throw new AppError({ code: 'internal', detail: 'a queue message must be JSON-serializable' });
  const text = Buffer.from(json, 'utf8').toString('base64');
  if (text.length > MAX_QUEUE_MESSAGE_LENGTH) {
    throw new AppError({
      code: 'internal',
      detail: `a queue message of ${text.length} characters exceeds the ${MAX_QUEUE_MESSAGE_LENGTH} a queue accepts`,
    });
  }
  return text;
}

/**
 * What the trigger hands a handler for a message text: base64 decoded (text that is not
 * canonical base64 is taken as it is), then JSON-parsed when it is JSON.
 */
export function decodeQueueMessage(messageText: string): unknown {
  const decoded = Buffer.from(messageText, 'base64');
  const text = decoded.toString('base64') === messageText ? decoded.toString('utf8') : messageText;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
