import { toStorageError, storageStatusOf } from './storageError';
import type { QueueClientFactory } from './QueueClientFactory';
import { decodeQueueMessage } from './queueMessageCodec';

export interface PeekedQueueMessage {
  messageId: string;
  /** The raw text as stored (base64 for our messages). */
  messageText: string;
  /** Decoded as the trigger would hand it to a handler. */
  body: unknown;
  dequeueCount: number;
  insertedOn: string;
}

export interface ReceivedQueueMessage extends PeekedQueueMessage {
  /** Needed to delete the message or change its visibility. */
  popReceipt: string;
}

/**
 * Reading and moving raw messages, for the poison replay script and the local host's
 * queue polling. The app's handlers never need it: the Functions host does this for them.
 */
export class QueueAdmin {
  private readonly queues: QueueClientFactory;

  constructor(init: { queues: QueueClientFactory }) {
    this.queues = init.queues;
  }

  /** Looks at up to `max` (≤ 32) messages without hiding them from consumers. */
  async peek(queueName: string, max = 32): Promise<PeekedQueueMessage[]> {
    try {
      const response = await this.queues.get(queueName).peekMessages({ numberOfMessages: clampCount(max) });
      return response.peekedMessageItems.map((item) => ({
        messageId: item.messageId,
        messageText: item.messageText,
        body: decodeQueueMessage(item.messageText),
        dequeueCount: item.dequeueCount,
        insertedOn: item.insertedOn.toISOString(),
      }));
    } catch (error) {
      throw toStorageError(error, `peek queue ${queueName}`);
    }
  }

  /** Takes up to `max` (≤ 32) messages, hidden from others for `visibilityTimeoutSeconds`. */
  async receive(queueName: string, options: { max?: number; visibilityTimeoutSeconds?: number } = {}): Promise<ReceivedQueueMessage[]> {
    try {
      const response = await this.queues.get(queueName).receiveMessages({
        numberOfMessages: clampCount(options.max ?? 1),
        ...(options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeout: options.visibilityTimeoutSeconds }),
      });
      return response.receivedMessageItems.map((item) => ({
        messageId: item.messageId,
        popReceipt: item.popReceipt,
        messageText: item.messageText,
        body: decodeQueueMessage(item.messageText),
        dequeueCount: item.dequeueCount,
        insertedOn: item.insertedOn.toISOString(),
      }));
    } catch (error) {
      throw toStorageError(error, `receive from queue ${queueName}`);
    }
  }

  /** Deletes a received message; one already gone is not an error. */
  async delete(queueName: string, message: { messageId: string; popReceipt: string }): Promise<void> {
    try {
      await this.queues.get(queueName).deleteMessage(message.messageId, message.popReceipt);
    } catch (error) {
      if (storageStatusOf(error) === 404) return;
      throw toStorageError(error, `delete from queue ${queueName}`);
    }
  }

  /** Makes a received message visible again after `visibilityTimeoutSeconds` (0: at once). */
  async release(queueName: string, message: { messageId: string; popReceipt: string }, visibilityTimeoutSeconds = 0): Promise<void> {
    try {
      await this.queues.get(queueName).updateMessage(message.messageId, message.popReceipt, undefined, visibilityTimeoutSeconds);
    } catch (error) {
      throw toStorageError(error, `release message of queue ${queueName}`);
    }
  }

  /** Enqueues a message text exactly as given, e.g. to move a poison message back or a failed one to poison. */
  async sendText(queueName: string, messageText: string, options: { visibilityTimeoutSeconds?: number } = {}): Promise<void> {
    try {
      await this.queues
        .get(queueName)
        .sendMessage(
          messageText,
          options.visibilityTimeoutSeconds === undefined ? {} : { visibilityTimeout: options.visibilityTimeoutSeconds },
        );
    } catch (error) {
      throw toStorageError(error, `send to queue ${queueName}`);
    }
  }

  /** The service's approximate count of messages in the queue. */
  async approximateCount(queueName: string): Promise<number> {
    try {
      return (await this.queues.get(queueName).getProperties()).approximateMessagesCount ?? 0;
    } catch (error) {
      throw toStorageError(error, `read properties of queue ${queueName}`);
    }
  }
}

function clampCount(count: number): number {
  return Math.min(Math.max(Math.trunc(count), 1), 32);
}
