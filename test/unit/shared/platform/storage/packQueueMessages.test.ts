import fc from 'fast-check';
import { packQueueMessages, SENDER_ROOM } from '../../../../../shared/platform/storage/packQueueMessages';
import { encodeQueueMessage, MAX_QUEUE_MESSAGE_LENGTH } from '../../../../../shared/platform/storage/queueMessageCodec';

interface Envelope {
  version: 2;
  tenantId: string;
  items: unknown[];
}
const wrap = (items: unknown[]): Envelope => ({ version: 2, tenantId: '0f6d5c1e-4a59-4c3b-9d2f-3a1f6c1d2e77', items });
/** What the sender adds to each message: the longest `traceparent` there is. */
const withTraceparent = (message: Envelope) => ({ ...message, traceparent: `00-${'f'.repeat(32)}-${'f'.repeat(16)}-01` });

describe('packQueueMessages', () => {
  it('puts 100 webhook-sized items into one message, and real Graph-sized ones into two, each sendable', () => {
    const item = (idLength: number, i: number) => ({
      subscriptionId: '6b0c1f2e-2d3a-4b5c-8d9e-0f1a2b3c4d5e',
      userId: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
      changeType: 'created',
      resource: `Users/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d/Messages/${String(i).padStart(idLength, 'A')}`,
      messageId: String(i).padStart(idLength, 'A'),
    });
    const sandbox = packQueueMessages(
      Array.from({ length: 100 }, (_, i) => item(73, i)),
      wrap,
    );
    expect(sandbox).toHaveLength(1);
    const graphSized = packQueueMessages(
      Array.from({ length: 100 }, (_, i) => item(152, i)),
      wrap,
    );
    expect(graphSized).toHaveLength(2);
    for (const message of [...sandbox, ...graphSized])
      expect(encodeQueueMessage(withTraceparent(message)).length).toBeLessThanOrEqual(MAX_QUEUE_MESSAGE_LENGTH);
  });

  it('keeps every item once, in order; fills each message as far as the next item would not fit; a huge item goes alone', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 3000 }),
            fc.string({ minLength: 48_000, maxLength: 49_000 }).map((s) => ({ big: s })),
          ),
          {
            maxLength: 60,
          },
        ),
        (items) => {
          const messages = packQueueMessages(items, wrap);
          expect(messages.flatMap((message) => message.items)).toEqual(items);
          const limit = MAX_QUEUE_MESSAGE_LENGTH - SENDER_ROOM;
          messages.forEach((message, index) => {
            const length = Buffer.from(JSON.stringify(message)).toString('base64').length;
            if (message.items.length > 1) expect(length).toBeLessThanOrEqual(limit);
            // Greedy: the next message's first item would not have fitted into this one.
            const following = messages[index + 1];
            if (following) {
              const grown = wrap([...message.items, following.items[0]]);
              expect(Buffer.from(JSON.stringify(grown)).toString('base64').length).toBeGreaterThan(limit);
            }
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('counts multi-byte characters as the UTF-8 bytes base64 encodes', () => {
    const items = Array.from({ length: 40 }, () => 'é€😀'.repeat(200));
    const messages = packQueueMessages(items, wrap);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages)
      expect(encodeQueueMessage(withTraceparent(message)).length).toBeLessThanOrEqual(MAX_QUEUE_MESSAGE_LENGTH);
  });

  it('makes no message of nothing', () => {
    expect(packQueueMessages([], wrap)).toEqual([]);
  });
});
