import { decodeQueueMessage } from '../../../../dev/host/decodeQueueMessage';
import { toQueueTriggerInput } from '../../../../dev/host/toQueueTriggerInput';

describe('decodeQueueMessage', () => {
  it('decodes base64 to UTF-8 text', () => {
    expect(decodeQueueMessage(Buffer.from('{"a":"é"}').toString('base64'), 'base64')).toBe('{"a":"é"}');
    expect(decodeQueueMessage('', 'base64')).toBe('');
  });

  it('refuses what .NET would refuse: plain text, broken padding, invalid UTF-8', () => {
    expect(decodeQueueMessage('{"a":1}', 'base64')).toBeUndefined();
    expect(decodeQueueMessage('abc', 'base64')).toBeUndefined();
    expect(decodeQueueMessage('YQ=', 'base64')).toBeUndefined();
    expect(decodeQueueMessage(Buffer.from([0xff, 0xfe, 0x41]).toString('base64'), 'base64')).toBeUndefined();
  });

  it('takes the text as it is with messageEncoding none', () => {
    expect(decodeQueueMessage('{"a":1}', 'none')).toBe('{"a":1}');
  });
});

describe('toQueueTriggerInput', () => {
  it('parses JSON and keeps anything else as text, as the Node worker does', () => {
    expect(toQueueTriggerInput('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(toQueueTriggerInput('42')).toBe(42);
    expect(toQueueTriggerInput('hello')).toBe('hello');
  });
});
