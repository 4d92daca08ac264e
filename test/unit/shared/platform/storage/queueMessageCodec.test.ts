import fc from 'fast-check';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { decodeQueueMessage, encodeQueueMessage, MAX_QUEUE_MESSAGE_LENGTH } from '../../../../../shared/platform/storage/queueMessageCodec';

describe('queue message codec', () => {
  it('writes base64 of the JSON, which the trigger decodes back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = encodeQueueMessage(value);
        expect(text).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
        expect(JSON.parse(Buffer.from(text, 'base64').toString('utf8'))).toEqual(JSON.parse(JSON.stringify(value)));
        expect(decodeQueueMessage(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('refuses what JSON cannot carry and what a queue cannot hold', () => {
    expect(() => encodeQueueMessage(undefined)).toThrow(AppError);
    expect(() => encodeQueueMessage({ text: 'x'.repeat(MAX_QUEUE_MESSAGE_LENGTH) })).toThrow(AppError);
  });

  it('takes a message that is not base64 as plain text, as a handler would see it', () => {
    expect(decodeQueueMessage('hello world')).toBe('hello world');
    expect(decodeQueueMessage('{"a":1}')).toEqual({ a: 1 });
  });
});
