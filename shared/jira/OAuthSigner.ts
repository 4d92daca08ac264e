import { randomBytes, sign, type KeyObject } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import { parseFormPairs, type FormPair } from './parseFormPairs';

export interface OAuthSignerInit {
  consumerKey: string;
  /** Parsed once per instance: signing with a PEM string re-parses it on every call (about 3× slower). */
  privateKey: KeyObject;
  clock: Clock;
}

export interface OAuthToken {
  key: string;
  secret: string;
}

export interface SignRequest {
  method: string;
  /** The exact URL that is sent, query included: it is what Jira rebuilds and checks. */
  url: URL;
  /** The parameters of an `application/x-www-form-urlencoded` body, never a JSON body (RFC 5849 §3.4.1.3). */
  form?: readonly FormPair[];
  token?: OAuthToken;
  /** Protocol parameters beyond the standard ones: `oauth_callback`, `oauth_verifier`. */
  protocol?: Readonly<Record<string, string>>;
}

/**
 * OAuth 1.0a RSA-SHA1 signatures for one Jira application link, over the `oauth-1.0a`
 * package. The package hands `hash_function` a `consumer_secret&token_secret` key that
 * means nothing for RSA, so the function closes over the consumer's private KeyObject.
 * The package's own query parsing truncates values at a second `=` and merges duplicate
 * names through a plain object, so the query and form are parsed here and passed as
 * `data` (arrays for repeated names, each value signed), with the URL given without query.
 */
export class OAuthSigner {
  private readonly oauth: OAuth;

  constructor(init: OAuthSignerInit) {
    const { privateKey, clock } = init;
    this.oauth = new OAuth({
      consumer: { key: init.consumerKey, secret: '' },
      signature_method: 'RSA-SHA1',
      hash_function: (baseString) => sign('sha1', Buffer.from(baseString, 'utf8'), privateKey).toString('base64'),
    });
    // Time from the injected clock (tests move it); nonces from the CSPRNG, not Math.random.
    this.oauth.getTimeStamp = () => Math.floor(clock.now() / 1000);
    this.oauth.getNonce = () => randomBytes(16).toString('hex');
  }

  /** The `Authorization` header value for this request, with a fresh nonce and timestamp. */
  authorization(request: SignRequest): string {
    const query = parseFormPairs(request.url.search.slice(1));
    if (query === undefined) throw new AppError({ code: 'invalid_query', detail: 'the query string has an invalid percent-encoding' });
    const data: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
    for (const [name, value] of [...query, ...(request.form ?? [])]) {
      assertSignableName(name);
      const existing = data[name];
      if (existing === undefined) data[name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else data[name] = [existing, value];
    }
    for (const [name, value] of Object.entries(request.protocol ?? {})) data[name] = value;
    const url = `${request.url.protocol}//${request.url.host}${request.url.pathname}`;
    const signed = this.oauth.authorize({ method: request.method.toUpperCase(), url, data }, request.token);
    return this.oauth.toHeader(signed).Authorization;
  }
}

function assertSignableName(name: string): void {
  // `oauth_*` names are the protocol's own (RFC 5849 §3.1) and would be copied into the
  // header; `__proto__` cannot be held by the plain objects the package merges into.
  if (/^oauth_/i.test(name) || name === '__proto__') {
    throw new AppError({ code: 'invalid_query', detail: 'a parameter name is reserved for the OAuth protocol' });
  }
}
