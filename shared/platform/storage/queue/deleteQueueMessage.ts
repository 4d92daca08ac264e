import type { StorageQueueClient } from '../QueueClientFactory';
import { sendQueueRequest } from './sendQueueRequest';

/**
 * Delete Message (learn.microsoft.com/rest/api/storageservices/delete-message2): the message
 * `messageId` as received with `popReceipt`; 204 or a `RestError` (404 when it is gone or the
 * receipt is stale, as the SDK's `deleteMessage` throws too).
 */
export function deleteQueueMessage(client: StorageQueueClient, messageId: string, popReceipt: string): Promise<void> {
  return sendQueueRequest(client, {
    path: `/messages/${encodeURIComponent(messageId)}`,
    params: { popreceipt: popReceipt },
    method: 'DELETE',
    expectedStatus: 204,
  });
}
