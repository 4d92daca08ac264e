import { randomUUID } from 'node:crypto';

export interface HandshakeRecord {
  url: string;
  validationToken: string;
  ok: boolean;
  status?: number;
  contentType?: string;
  /** Why it failed, for a test or a person reading `/_sandbox/handshakes`. */
  reason?: string;
}

/** Graph allows the endpoint 10 seconds to answer a validation request. */
export const VALIDATION_TIMEOUT_MS = 10_000;

/**
 * Graph's endpoint validation (learn.microsoft.com, "Notification endpoint validation"):
 * POST `{url}?validationToken={token}` with an empty text/plain body; the endpoint must
 * answer 200, `text/plain`, the decoded token as the body, within 10 seconds. The token
 * looks like Graph's, spaces and colons included, so a sloppy echo fails here as it would
 * against Graph.
 */
export async function runValidationHandshake(url: string, timeoutMs = VALIDATION_TIMEOUT_MS): Promise<HandshakeRecord> {
  const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', validationToken);
  const record: HandshakeRecord = { url, validationToken, ok: false };
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: '',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer());
    record.status = response.status;
    record.contentType = response.headers.get('content-type') ?? '';
    if (response.status !== 200) record.reason = `answered ${response.status}`;
    else if (record.contentType.split(';')[0]?.trim().toLowerCase() !== 'text/plain')
      record.reason = `answered Content-Type ${record.contentType}`;
    else if (!body.equals(Buffer.from(validationToken, 'utf8'))) record.reason = 'answered a body that is not the validation token';
    else record.ok = true;
  } catch (error) {
    record.reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'could not be reached';
  }
  return record;
}
