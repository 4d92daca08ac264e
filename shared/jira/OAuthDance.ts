import { AppError } from '../platform/errors/AppError';
import type { OutboundClient } from '../platform/http/OutboundClient';
import { readBody } from '../platform/http/readBody';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { InstanceService, LoadedInstance } from './InstanceService';
import type { Clock } from '../platform/clock';
import type { JiraTokenStore } from './JiraTokenStore';
import type { OAuthToken } from './OAuthSigner';
import { oauthProblemError } from './oauthProblemError';
import { parseFormPairs } from './parseFormPairs';
import { readOAuthProblem } from './readOAuthProblem';

export interface OAuthDanceInit {
  instances: InstanceService;
  tokens: JiraTokenStore;
  http: OutboundClient;
  clock: Clock;
  /** How long a started authorization can be completed; Jira's own request tokens live 10 minutes. */
  requestTokenTtlMs?: number;
}

export interface CompletedAuthorization {
  tenantId: string;
  userId: string;
  instanceId: string;
  displayName: string;
}

const MAX_TOKEN_ANSWER_BYTES = 16 * 1024;

/**
 * The three-legged OAuth 1.0a dance with Jira: a request token bound to the user who
 * started, the authorize URL for the Office dialog, and the exchange for an access token
 * at the callback, which is stored encrypted for (tenant, user, instance).
 */
export class OAuthDance {
  private readonly instances: InstanceService;
  private readonly tokens: JiraTokenStore;
  private readonly http: OutboundClient;
  private readonly clock: Clock;
  private readonly requestTokenTtlMs: number;

  constructor(init: OAuthDanceInit) {
    this.instances = init.instances;
    this.tokens = init.tokens;
    this.http = init.http;
    this.clock = init.clock;
    this.requestTokenTtlMs = init.requestTokenTtlMs ?? 10 * 60_000;
  }

  /** Gets a request token from Jira and answers where the user approves it. */
  async start(caller: { tenantId: string; userId: string }, instanceId: string): Promise<{ authorizeUrl: string }> {
    const instance = await this.instances.require(caller.tenantId, instanceId);
    // The tenant rides in the callback so the callback finds the pending row by its key;
    // it grants nothing: the row is found by the token's hash and is bound to the user.
    const callback = `${this.instances.callbackUrl}?tenant=${encodeURIComponent(caller.tenantId)}`;
    const answer = await this.tokenRequest(instance, 'request-token', undefined, { oauth_callback: callback });
    await this.tokens.putPending({
      tenantId: caller.tenantId,
      userId: caller.userId,
      instanceId,
      requestToken: answer.key,
      tokenSecret: answer.secret,
      expiresAt: this.clock.now() + this.requestTokenTtlMs,
    });
    return { authorizeUrl: `${instance.entity.baseUrl}/plugins/servlet/oauth/authorize?oauth_token=${encodeURIComponent(answer.key)}` };
  }

  /** Exchanges an approved request token (once) and stores the access token. */
  async complete(input: { tenantId: string; requestToken: string; verifier: string }): Promise<CompletedAuthorization> {
    const pending = await this.tokens.consumePending(input.tenantId, input.requestToken);
    const instance = await this.instances.find(input.tenantId, pending.instanceId);
    if (!instance)
      throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the instance of this authorization no longer exists' });
    if (input.verifier === 'denied') throw new AppError({ code: 'jira_authorization_denied', detail: 'access was denied in Jira' });
    const access = await this.tokenRequest(
      instance,
      'access-token',
      { key: input.requestToken, secret: pending.tokenSecret },
      { oauth_verifier: input.verifier },
    );
    await this.tokens.putAccess(input.tenantId, pending.userId, pending.instanceId, access);
    return { tenantId: input.tenantId, userId: pending.userId, instanceId: pending.instanceId, displayName: instance.entity.displayName };
  }

  private async tokenRequest(
    instance: LoadedInstance,
    endpoint: 'request-token' | 'access-token',
    token: OAuthToken | undefined,
    protocol: Record<string, string>,
  ): Promise<OAuthToken> {
    const url = new URL(`${instance.entity.baseUrl}/plugins/servlet/oauth/${endpoint}`);
    const authorization = instance.signer.authorization({ method: 'POST', url, ...(token ? { token } : {}), protocol });
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
