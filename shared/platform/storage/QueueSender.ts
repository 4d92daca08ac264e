import { currentTraceparent } from '../telemetry/traceparent';
import { toStorageError } from './storageError';
import type { QueueClientFactory } from './QueueClientFactory';
import { sendQueueMessage } from './queue/sendQueueMessage';
import { encodeQueueMessage } from './queueMessageCodec';
import type { QueueName } from './queueNames';

export interface SendOptions {
  /** Hide the message this long before a consumer sees it (a delayed retry). */
  visibilityTimeoutSeconds?: number;
  /** Drop the message if nobody took it within this time (-1: never). Storage's default is 7 days. */
  timeToLiveSeconds?: number;
  abortSignal?: AbortSignal;
}

/** Bounds the requests `sendMany` has in flight, so a large fan-out does not open hundreds of sockets. */
const MAX_PARALLEL_SENDS = 16;

/** Puts JSON messages on the app's queues, encoded as the queue trigger expects. */
export class QueueSender {
  private readonly queues: QueueClientFactory;

  constructor(init: { queues: QueueClientFactory }) {
    this.queues = init.queues;
  }

  async send(queueName: QueueName, message: unknown, options: SendOptions = {}): Promise<void> {
    await this.sendEncoded(queueName, encodeQueueMessage(withTraceparent(message)), options);
  }

  /**
   * Sends every message, several at a time. Waits for all before failing, so the caller
   * knows none is still in flight; it then retries the batch (consumers de-duplicate).
   */
  async sendMany(queueName: QueueName, messages: readonly unknown[], options: SendOptions = {}): Promise<void> {
    // Encode all first: a message that cannot be sent fails the batch before any is sent.
    const texts = messages.map((message) => encodeQueueMessage(withTraceparent(message)));
    let next = 0;
    const errors: unknown[] = [];
    const worker = async (): Promise<void> => {
      for (let index = next++; index < texts.length; index = next++) {
        try {
          await this.sendEncoded(queueName, texts[index] ?? '', options);
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_SENDS, texts.length) }, worker));
    if (errors.length > 0) throw errors[0];
  }

  private async sendEncoded(queueName: QueueName, text: string, options: SendOptions): Promise<void> {
    try {
      await sendQueueMessage(this.queues.get(queueName), text, options);
    } catch (error) {
      throw toStorageError(error, `send to queue ${queueName}`);
    }
  }
}

/**
 * Carries the active trace into the message (an optional field of every queue message
 * schema), so the function that takes it continues the same trace: one mail, one trace.
 * A retried message gets the trace of the attempt that put it back, which is the same one.
 */
function withTraceparent(message: unknown): unknown {
  const traceparent = currentTraceparent();
  if (!traceparent || typeof message !== 'object' || message === null || Array.isArray(message)) return message;
  return { ...message, traceparent };
}
