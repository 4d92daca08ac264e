import { verify } from 'node:crypto';
import type { Consumer, JiraSimulatorState } from './JiraSimulatorState';
import { baseStringUri, parseAuthorizationHeader, parseFormEncoded, signatureBaseString, type Pair } from './rfc5849';

export interface OAuthRequestFacts {
  method: string;
  /** `http` for the simulator; what Jira would see as its own scheme. */
  scheme: string;
  hostHeader: string;
  rawPath: string;
  rawQuery: string;
  authorization: string;
  /** The body, when it is `application/x-www-form-urlencoded` (its parameters are signed). */
  formBody?: string;
  nowSeconds: number;
  toleranceSeconds: number;
}

export type OAuthVerification =
  | { ok: true; consumer: Consumer; oauth: ReadonlyMap<string, string>; query: readonly Pair[] }
  | { ok: false; problem: string; status: number };

const REQUIRED = ['oauth_consumer_key', 'oauth_signature_method', 'oauth_signature', 'oauth_timestamp', 'oauth_nonce'];

/**
 * Checks one OAuth 1.0a RSA-SHA1 request as Jira's service provider does (the net.oauth
 * rules and problem names): consumer known, RSA-SHA1, timestamp within the tolerance,
 * signature over the RFC 5849 base string, nonce never seen for that consumer.
 * Token checks are left to the endpoint, which knows which kind of token it expects.
 */
export function verifyOAuthRequest(facts: OAuthRequestFacts, state: JiraSimulatorState): OAuthVerification {
  const header = parseAuthorizationHeader(facts.authorization);
  if (!header) return { ok: false, problem: 'parameter_rejected', status: 400 };
  const oauth = new Map<string, string>();
  for (const [name, value] of header) {
    if (name === 'realm') continue;
    if (oauth.has(name)) return { ok: false, problem: 'parameter_rejected', status: 400 };
    oauth.set(name, value);
  }
  if (REQUIRED.some((name) => !oauth.has(name))) return { ok: false, problem: 'parameter_absent', status: 400 };
  const version = oauth.get('oauth_version');
  if (version !== undefined && version !== '1.0') return { ok: false, problem: 'version_rejected', status: 400 };
  const consumer = state.consumers.get(oauth.get('oauth_consumer_key') ?? '');
  if (!consumer) return { ok: false, problem: 'consumer_key_unknown', status: 401 };
  if (oauth.get('oauth_signature_method') !== 'RSA-SHA1') return { ok: false, problem: 'signature_method_rejected', status: 401 };
  const timestamp = Number(oauth.get('oauth_timestamp'));
  if (!Number.isInteger(timestamp) || Math.abs(facts.nowSeconds - timestamp) > facts.toleranceSeconds) {
    return { ok: false, problem: 'timestamp_refused', status: 401 };
  }

  const query = parseFormEncoded(facts.rawQuery);
  const form = facts.formBody === undefined ? [] : parseFormEncoded(facts.formBody);
  if (!query || !form) return { ok: false, problem: 'parameter_rejected', status: 400 };
  const signed: Pair[] = [...query, ...form, ...header.filter(([name]) => name !== 'realm' && name !== 'oauth_signature')];
  const base = signatureBaseString(facts.method, baseStringUri(facts.scheme, facts.hostHeader, facts.rawPath), signed);
  const signature = Buffer.from(oauth.get('oauth_signature') ?? '', 'base64');
  if (!verify('sha1', Buffer.from(base, 'utf8'), consumer.publicKey, signature))
    return { ok: false, problem: 'signature_invalid', status: 401 };

  let seen = state.nonces.get(consumer.consumerKey);
  if (!seen) state.nonces.set(consumer.consumerKey, (seen = new Map<string, number>()));
  const nonce = oauth.get('oauth_nonce') ?? '';
  if (seen.has(nonce)) return { ok: false, problem: 'nonce_used', status: 401 };
  seen.set(nonce, timestamp);
  // A nonce older than the tolerance can no longer pass the timestamp check; forget those
  // now and then (not per request: a benchmark sends thousands a second).
  if (facts.nowSeconds - state.noncesPrunedAt > facts.toleranceSeconds) {
    state.noncesPrunedAt = facts.nowSeconds;
    for (const perConsumer of state.nonces.values()) {
      for (const [old, at] of perConsumer) if (facts.nowSeconds - at > 2 * facts.toleranceSeconds) perConsumer.delete(old);
    }
  }
  return { ok: true, consumer, oauth, query };
}
