import { MAX_QUEUE_MESSAGE_LENGTH } from './queueMessageCodec';

/**
 * Room kept free in every packed message for what `QueueSender` adds when it sends: the
 * `traceparent` field (`,"traceparent":"00-<32>-<16>-01"`, 70 bytes of JSON, 96 characters
 * of base64), with a margin.
 */
export const SENDER_ROOM = 256;

/**
 * Puts `items` into as few queue messages as fit, in order: `wrap` builds one message
 * around a run of consecutive items, and each message, JSON then base64 as
 * `encodeQueueMessage` writes it, stays within `maxLength`. Azure Storage takes a message of
 * up to 64 KiB (Queue service REST API, version 2011-08-18 on), counted on the UTF-8 text
 * that is sent, i.e. the base64: 48 KiB of JSON at most, 4 characters for 3 bytes.
 *
 * `wrap` must put its items, as given, in one JSON array of the message: a message's size is
 * then the size of `wrap([])` plus each item's JSON and a comma between them, so every item
 * is serialised once. An item too large to share a message goes alone (and fails when sent,
 * as any oversized message does).
 */
export function packQueueMessages<T, M>(
  items: readonly T[],
  wrap: (items: T[]) => M,
  maxLength = MAX_QUEUE_MESSAGE_LENGTH - SENDER_ROOM,
): M[] {
  if (items.length === 0) return [];
  const emptyBytes = jsonBytes(wrap([]));
  const messages: M[] = [];
  let run: T[] = [];
  let runBytes = emptyBytes;
  for (const item of items) {
    const itemBytes = jsonBytes(item);
    const withItem = runBytes + itemBytes + (run.length > 0 ? 1 : 0);
    if (run.length > 0 && base64Length(withItem) > maxLength) {
      messages.push(wrap(run));
      run = [item];
      runBytes = emptyBytes + itemBytes;
    } else {
      run.push(item);
      runBytes = withItem;
    }
  }
  messages.push(wrap(run));
  return messages;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}
