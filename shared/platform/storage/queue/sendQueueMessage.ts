import type { StorageQueueClient } from '../QueueClientFactory';
import { sendQueueRequest } from './sendQueueRequest';

export interface QueueMessageOptions {
  visibilityTimeoutSeconds?: number;
  timeToLiveSeconds?: number;
  abortSignal?: AbortSignal;
}

/**
 * Put Message (learn.microsoft.com/rest/api/storageservices/put-message): `text` as the
 * message, XML-escaped in the `<QueueMessage>` body the service takes; 201 or a `RestError`.
 * What `QueueClient.sendMessage` sends, without its serializer; the answer (the message's id
 * and receipt, which the app never reads) is drained unparsed.
 */
export function sendQueueMessage(client: StorageQueueClient, text: string, options: QueueMessageOptions = {}): Promise<void> {
  const params: Record<string, string> = {};
  if (options.visibilityTimeoutSeconds !== undefined) params.visibilitytimeout = String(options.visibilityTimeoutSeconds);
  if (options.timeToLiveSeconds !== undefined) params.messagettl = String(options.timeToLiveSeconds);
  return sendQueueRequest(client, {
    path: '/messages',
    params,
    method: 'POST',
    body: `<?xml version="1.0" encoding="utf-8"?><QueueMessage><MessageText>${escapeXmlText(text)}</MessageText></QueueMessage>`,
    expectedStatus: 201,
    ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
  });
}

/** base64 (all the app sends) needs none of it; any other text must not break out of its element. */
function escapeXmlText(text: string): string {
  return /[&<>]/.test(text) ? text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : text;
}
