import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../platform/errors/AppError';
import type { ResponseCookie } from '../platform/http/cookies';
import type { OutboundClient } from '../platform/http/OutboundClient';
import { readBody } from '../platform/http/readBody';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { InstanceService, LoadedInstance } from './InstanceService';
import type { Clock } from '../platform/clock';
import { hashKey } from '../platform/storage/tableKey';
import type { JiraTokenStore, JiraUser } from './JiraTokenStore';
import type { OAuth2Grant, OAuth2TokenClient } from './OAuth2TokenClient';
import { newPkceVerifier, pkceChallenge } from './pkceChallenge';
import { clearedOAuthBrowserCookie, oauthBrowserCookie, oauthBrowserCookieName } from './oauthBrowserCookie';
import type { OAuthToken } from './OAuthSigner';
import { oauthProblemError } from './oauthProblemError';
import { parseFormPairs } from './parseFormPairs';
import { readOAuthProblem } from './readOAuthProblem';

export interface OAuthDanceInit {
  instances: InstanceService;
  tokens: JiraTokenStore;
  http: OutboundClient;
  clock: Clock;
  oauth2Tokens: Pick<OAuth2TokenClient, 'exchangeCode'>;
  /** How long a started authorization can be completed; Jira's own request tokens live 10 minutes. */
  requestTokenTtlMs?: number;
  /**
   * How long after the start the begin URL can be opened. The Office dialog opens it at
   * once; a short window leaves little time to forward an unopened one to someone else.
   */
  beginWindowMs?: number;
}

export interface CompletedAuthorization {
  tenantId: string;
  userId: string;
  instanceId: string;
  displayName: string;
  /** Who the stored token acts as in Jira. */
  jiraUser: JiraUser;
}

/** Where the begin step sends the browser, and the cookie that binds it. */
export interface BegunDance {
  jiraAuthorizeUrl: string;
  cookie: ResponseCookie;
}

const MAX_TOKEN_ANSWER_BYTES = 16 * 1024;
const MAX_MYSELF_BYTES = 64 * 1024;
/** `<hash of the request token>.<begin key>`, both base64url of 32 bytes. */
const BEGIN_ID = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;
/** The OAuth 2.0 `state`: base64url of the tenant id, `.`, 32 random bytes as base64url. */
const STATE = /^([A-Za-z0-9_-]{1,200})\.[A-Za-z0-9_-]{43}$/;
/**
 * The scope asked of Jira: WRITE, which in Jira DC includes READ (its scopes are READ,
 * WRITE, ADMIN, SYSTEM_ADMIN, each with those before it). The proxy creates and edits
 * issues and comments as the user; it never needs administration.
 */
const OAUTH2_SCOPE = 'WRITE';
const myselfSchema = z.object({ name: z.string().min(1).max(255), displayName: z.string().max(255).optional() });

/**
 * The three-legged OAuth 1.0a dance with Jira. `start` (the add-in, with its bearer token)
 * gets a request token bound to the user and answers a one-time begin URL of ours; the
 * Office dialog opens it, and `begin` binds that browser with a cookie and sends it to
 * Jira's authorize page; at the callback, `complete` requires the same browser, exchanges
 * the request token for an access token, asks Jira whose it is (`/myself`), and stores both
 * encrypted for (tenant, user, instance). Without the browser binding, whoever a starter
 * sent Jira's "Allow" link to would have their Jira account stored under the starter's.
 */
export class OAuthDance {
  private readonly instances: InstanceService;
  private readonly tokens: JiraTokenStore;
  private readonly http: OutboundClient;
  private readonly clock: Clock;
  private readonly oauth2Tokens: Pick<OAuth2TokenClient, 'exchangeCode'>;
  private readonly requestTokenTtlMs: number;
  private readonly beginWindowMs: number;

  constructor(init: OAuthDanceInit) {
    this.instances = init.instances;
    this.tokens = init.tokens;
    this.http = init.http;
    this.clock = init.clock;
    this.oauth2Tokens = init.oauth2Tokens;
    this.requestTokenTtlMs = init.requestTokenTtlMs ?? 10 * 60_000;
    this.beginWindowMs = init.beginWindowMs ?? 2 * 60_000;
  }

  /** Gets a request token from Jira and answers the begin URL the Office dialog opens. */
  async start(caller: { tenantId: string; userId: string }, instanceId: string): Promise<{ authorizeUrl: string }> {
    const instance = await this.instances.require(caller.tenantId, instanceId);
    if ((instance.entity.authKind ?? 'oauth1') === 'oauth2') return this.startOAuth2(caller, instanceId);
    // The tenant rides in the callback so the callback finds the pending row by its key;
    // it grants nothing: the row is found by the token's hash and is bound to the user.
    const tenant = encodeURIComponent(caller.tenantId);
    const callback = `${this.instances.callbackUrl}?tenant=${tenant}`;
    const answer = await this.tokenRequest(instance, 'request-token', undefined, { oauth_callback: callback });
    const beginKey = randomBytes(32).toString('base64url');
    const requestTokenHash = await this.tokens.putPending({
      tenantId: caller.tenantId,
      userId: caller.userId,
      instanceId,
      requestToken: answer.key,
      tokenSecret: answer.secret,
      beginKey,
      expiresAt: this.clock.now() + this.requestTokenTtlMs,
    });
    return { authorizeUrl: `${this.instances.beginUrl}?tenant=${tenant}&id=${requestTokenHash}.${beginKey}` };
  }

  /**
   * OAuth 2.0 (authorization code with PKCE, RFC 7636): a `state` and a code verifier kept
   * as the OAuth 1.0a request token and its secret are, so begin, browser binding and
   * single use are the same. The tenant rides in the state, since Jira's redirect URL
   * must be exactly the one registered on its incoming link (no per-tenant query).
   */
  private async startOAuth2(caller: { tenantId: string; userId: string }, instanceId: string): Promise<{ authorizeUrl: string }> {
    const state = `${Buffer.from(caller.tenantId, 'utf8').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    const beginKey = randomBytes(32).toString('base64url');
    const stateHash = await this.tokens.putPending({
      tenantId: caller.tenantId,
      userId: caller.userId,
      instanceId,
      flow: 'oauth2',
      requestToken: state,
      tokenSecret: newPkceVerifier(),
      beginKey,
      expiresAt: this.clock.now() + this.requestTokenTtlMs,
    });
    return { authorizeUrl: `${this.instances.beginUrl}?tenant=${encodeURIComponent(caller.tenantId)}&id=${stateHash}.${beginKey}` };
  }

  /** Jira DC's authorize page for a begun OAuth 2.0 authorization. */
  private oauth2AuthorizeUrl(instance: LoadedInstance, state: string, codeVerifier: string): string {
    const url = new URL(`${instance.entity.baseUrl}/rest/oauth2/latest/authorize`);
    url.searchParams.set('client_id', this.instances.oauth2Client(instance).clientId);
    url.searchParams.set('redirect_uri', this.instances.callbackUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('scope', OAUTH2_SCOPE);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', pkceChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /**
   * The begin URL, opened: the first browser to open it is bound to the authorization by a
   * cookie and sent to Jira's authorize page; any later one gets 400 (`oauth_request_token_invalid`).
   */
  async begin(input: { tenantId: string; id: string }): Promise<BegunDance> {
    const [, requestTokenHash = '', beginKey = ''] = BEGIN_ID.exec(input.id) ?? [];
    if (requestTokenHash === '')
      throw new AppError({ code: 'oauth_request_token_invalid', detail: 'this authorization link is not one the app made' });
    const begun = await this.tokens.beginPending(input.tenantId, requestTokenHash, beginKey, this.beginWindowMs);
    const instance = await this.instances.find(input.tenantId, begun.instanceId);
    if (!instance)
      throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the instance of this authorization no longer exists' });
    return {
      jiraAuthorizeUrl:
        begun.flow === 'oauth2'
          ? this.oauth2AuthorizeUrl(instance, begun.requestToken, begun.codeVerifier ?? '')
          : `${instance.entity.baseUrl}/plugins/servlet/oauth/authorize?oauth_token=${encodeURIComponent(begun.requestToken)}`,
      cookie: oauthBrowserCookie({
        requestTokenHash,
        value: begun.browserBinding,
        callbackPath: this.callbackPath,
        maxAgeSeconds: (begun.expiresAt - this.clock.now()) / 1000,
      }),
    };
  }

  /** The name of the cookie that holds the browser binding of this request token at the callback. */
  browserCookieName(requestToken: string): string {
    return oauthBrowserCookieName(hashKey(requestToken));
  }

  /** The binding cookie of this request token, expired: spent either way once the callback ran. */
  clearedBrowserCookie(requestToken: string): ResponseCookie {
    return clearedOAuthBrowserCookie(hashKey(requestToken), this.callbackPath);
  }

  /**
   * At the callback, in the browser that began (`browserBinding`, from its cookie): spends
   * the request token, exchanges it for an access token, and stores that with the Jira user
   * it acts as. A browser that did not begin gets 400 `oauth_browser_mismatch`.
   */
  async complete(input: {
    tenantId: string;
    requestToken: string;
    verifier: string;
    browserBinding: string | undefined;
  }): Promise<CompletedAuthorization> {
    const pending = await this.tokens.consumePending(input.tenantId, input.requestToken, input.browserBinding);
    const instance = await this.instances.find(input.tenantId, pending.instanceId);
    if (!instance || pending.flow !== 'oauth1' || (instance.entity.authKind ?? 'oauth1') !== 'oauth1')
      throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the instance of this authorization no longer exists' });
    if (input.verifier === 'denied') throw new AppError({ code: 'jira_authorization_denied', detail: 'access was denied in Jira' });
    const access = await this.tokenRequest(
      instance,
      'access-token',
      { key: input.requestToken, secret: pending.tokenSecret },
      { oauth_verifier: input.verifier },
    );
    const jiraUser = await this.myself(
      instance,
      await instance.signer.authorization({ method: 'GET', url: this.myselfUrl(instance), token: access }),
    );
    await this.tokens.putAccess(input.tenantId, pending.userId, pending.instanceId, access, jiraUser);
    return {
      tenantId: input.tenantId,
      userId: pending.userId,
      instanceId: pending.instanceId,
      displayName: instance.entity.displayName,
      jiraUser,
    };
  }

  /**
   * The OAuth 2.0 callback (`?code&state`, or `?error&state` when the user denied), in the
   * browser that began: spends the state, exchanges the code with its PKCE verifier, and
   * stores the grant with the Jira user it acts as. The tenant is read from the state.
   */
  async completeOAuth2(input: {
    state: string;
    code: string | undefined;
    error: string | undefined;
    browserBinding: string | undefined;
  }): Promise<CompletedAuthorization> {
    const tenantId = tenantOfState(input.state);
    const pending = await this.tokens.consumePending(tenantId, input.state, input.browserBinding);
    const instance = await this.instances.find(tenantId, pending.instanceId);
    if (!instance || pending.flow !== 'oauth2' || instance.entity.authKind !== 'oauth2')
      throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the instance of this authorization no longer exists' });
    if (input.error !== undefined || input.code === undefined)
      throw new AppError({ code: 'jira_authorization_denied', detail: 'access was denied in Jira' });
    const answer = await this.oauth2Tokens.exchangeCode({
      baseUrl: instance.entity.baseUrl,
      client: this.instances.oauth2Client(instance),
      code: input.code,
      codeVerifier: pending.tokenSecret,
      redirectUri: this.instances.callbackUrl,
    });
    if (answer.kind === 'refused')
      throw new AppError({
        code: 'oauth_request_token_invalid',
        detail: 'Jira refused the authorization code; start again from the add-in',
      });
    const grant: OAuth2Grant = answer.grant;
    const jiraUser = await this.myself(instance, `Bearer ${grant.accessToken}`);
    await this.tokens.putGrant(tenantId, pending.userId, pending.instanceId, grant, jiraUser);
    return { tenantId, userId: pending.userId, instanceId: pending.instanceId, displayName: instance.entity.displayName, jiraUser };
  }

  private myselfUrl(instance: LoadedInstance): URL {
    return new URL(`${instance.entity.baseUrl}/rest/api/2/myself`);
  }

  private get callbackPath(): string {
    return new URL(this.instances.callbackUrl).pathname;
  }

  /** Who the new access token acts as, asked right after the exchange with the token itself. */
  private async myself(instance: LoadedInstance, authorization: string): Promise<JiraUser> {
    const url = this.myselfUrl(instance);
    let status: number;
    let wwwAuthenticate: string | undefined;
    let text: string;
    try {
      const response = await this.http.request(url, { method: 'GET', headers: { authorization, accept: 'application/json' } });
      status = response.statusCode;
      const challenge = response.headers['www-authenticate'];
      wwwAuthenticate = Array.isArray(challenge) ? challenge.join(', ') : challenge;
      const body = await readBody(response.body, {
        maxBytes: MAX_MYSELF_BYTES,
        tooLarge: () => new AppError({ code: 'upstream_bad_response', detail: 'Jira answered more than expected' }),
      });
      text = body.toString('utf8');
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    const problem = readOAuthProblem({ wwwAuthenticate });
    if (problem) throw oauthProblemError(problem, { startUrl: this.instances.startUrl(instance.entity.instanceId) });
    if (status === 401 && authorization.startsWith('Bearer '))
      throw new AppError({
        code: 'jira_authorization_required',
        detail: 'Jira did not accept the new authorization',
        extensions: { startUrl: this.instances.startUrl(instance.entity.instanceId) },
      });
    if (status !== 200) throw new AppError({ code: 'upstream_bad_response', detail: `Jira answered ${status} to /myself` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const user = myselfSchema.safeParse(parsed);
    if (!user.success) throw new AppError({ code: 'upstream_bad_response', detail: "Jira's /myself answer names no user" });
    return { name: user.data.name, displayName: user.data.displayName || user.data.name };
  }

  private async tokenRequest(
    instance: LoadedInstance,
    endpoint: 'request-token' | 'access-token',
    token: OAuthToken | undefined,
    protocol: Record<string, string>,
  ): Promise<OAuthToken> {
    const url = new URL(`${instance.entity.baseUrl}/plugins/servlet/oauth/${endpoint}`);
    const authorization = await instance.signer.authorization({ method: 'POST', url, ...(token ? { token } : {}), protocol });
    let status: number;
    let wwwAuthenticate: string | undefined;
    let text: string;
    try {
      const response = await this.http.request(url, { method: 'POST', headers: { authorization, 'content-length': '0' } });
      status = response.statusCode;
      const challenge = response.headers['www-authenticate'];
      wwwAuthenticate = Array.isArray(challenge) ? challenge.join(', ') : challenge;
      const body = await readBody(response.body, {
        maxBytes: MAX_TOKEN_ANSWER_BYTES,
        tooLarge: () => new AppError({ code: 'upstream_bad_response', detail: 'Jira answered more than expected' }),
      });
      text = body.toString('utf8');
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    const problem = readOAuthProblem({ wwwAuthenticate, formBody: text });
    if (problem) throw oauthProblemError(problem, { startUrl: this.instances.startUrl(instance.entity.instanceId) });
    if (status !== 200) throw new AppError({ code: 'upstream_bad_response', detail: `Jira answered ${status} to the ${endpoint} request` });
    const pairs = new Map(parseFormPairs(text.trim()) ?? []);
    const key = pairs.get('oauth_token');
    const secret = pairs.get('oauth_token_secret');
    if (!key || secret === undefined)
      throw new AppError({ code: 'upstream_bad_response', detail: `Jira's ${endpoint} answer has no token` });
    return { key, secret };
  }
}

/** The tenant a `state` of ours names; 400 for anything else, before any table read. */
function tenantOfState(state: string): string {
  const encoded = STATE.exec(state)?.[1];
  const tenantId = encoded === undefined ? '' : Buffer.from(encoded, 'base64url').toString('utf8');
  if (tenantId === '' || Buffer.from(tenantId, 'utf8').toString('base64url') !== encoded)
    throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the authorization state is not one the app made' });
  return tenantId;
}
