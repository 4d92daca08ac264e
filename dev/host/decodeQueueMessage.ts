const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The message text as the queue trigger decodes it: base64 (strict, like .NET's
 * `Convert.FromBase64String`, whitespace aside) then UTF-8. Undefined when it cannot be
 * decoded; the host then moves the message to the poison queue without running the function.
 */
export function decodeQueueMessage(messageText: string, encoding: 'base64' | 'none'): string | undefined {
  if (encoding === 'none') return messageText;
  const compact = messageText.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  try {
    return utf8.decode(Buffer.from(compact, 'base64'));
  } catch {
    return undefined;
  }
}
