import { randomBytes, sign, type KeyObject } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { AppError } from '../platform/errors/AppError';
import { lowerHelperThreadPriority } from '../platform/process/lowerHelperThreadPriority';
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
  private readonly privateKey: KeyObject;

  constructor(init: OAuthSignerInit) {
    const { clock } = init;
    this.privateKey = init.privateKey;
    // The package signs synchronously through `hash_function`; an RSA-2048 signature there
    // would hold the event loop for ~1 ms per request. So the hash function hands back the
    // base string itself, and `authorization` replaces it with a signature made off the loop.
    this.oauth = new OAuth({
      // Stryker disable next-line StringLiteral: equivalent, the secret only makes the key handed to hash_function, which RSA-SHA1 ignores.
      consumer: { key: init.consumerKey, secret: '' },
      signature_method: 'RSA-SHA1',
      hash_function: (baseString) => baseString,
    });
    // Time from the injected clock (tests move it); nonces from the CSPRNG, not Math.random.
    this.oauth.getTimeStamp = () => Math.floor(clock.now() / 1000);
    this.oauth.getNonce = nextNonce;
  }

  /**
   * The `Authorization` header value for this request, with a fresh nonce and timestamp.
   * The RSA-SHA1 signature is made on libuv's thread pool (`crypto.sign` with a callback),
   * so the event loop keeps serving other requests meanwhile; UV_THREADPOOL_SIZE bounds how
   * many are made at once (docs/performance.md).
   */
  async authorization(request: SignRequest): Promise<string> {
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
    // The package upper-cases the method in the base string (RFC 5849 §3.4.1.1).
    const signed = this.oauth.authorize({ method: request.method, url, data }, request.token);
    signed.oauth_signature = await signOffLoop(signed.oauth_signature, this.privateKey);
    return this.oauth.toHeader(signed).Authorization;
  }
}

const NONCE_BYTES = 16;
/** Nonces are cut from one CSPRNG draw of this many: a `randomBytes` call per request was measurable on the proxy's path. */
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let nonceOffset = 0;

/** 128 bits from the CSPRNG, hex; each byte of the pool is used once. */
function nextNonce(): string {
  if (nonceOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    nonceOffset = 0;
  }
  const nonce = noncePool.toString('hex', nonceOffset, nonceOffset + NONCE_BYTES);
  nonceOffset += NONCE_BYTES;
  return nonce;
}

/**
 * Once per process, after the first signature (the pool's threads exist by then). No `= false`:
 * Stryker reported that initializer's mutant surviving a test that fails with it applied by
 * hand (docs/testing.md), and unset reads the same.
 */
let helperThreadsLowered: true | undefined;

function signOffLoop(baseString: string, privateKey: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha1', Buffer.from(baseString), privateKey, (error, signature) => {
      if (!helperThreadsLowered) {
        helperThreadsLowered = true;
        // Else each signature's pool thread would take the event loop's core (see there).
        lowerHelperThreadPriority();
      }
      if (error) reject(error);
      else resolve(signature.toString('base64'));
    });
  });
}

function assertSignableName(name: string): void {
  // `oauth_*` names are the protocol's own (RFC 5849 §3.1) and would be copied into the
  // header; `__proto__` cannot be held by the plain objects the package merges into.
  if (/^oauth_/i.test(name) || name === '__proto__') {
    throw new AppError({ code: 'invalid_query', detail: 'a parameter name is reserved for the OAuth protocol' });
  }
}
