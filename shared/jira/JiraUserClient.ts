import type { Caller } from '../auth/Caller';
import { AppError } from '../platform/errors/AppError';
import type { OutboundClient, OutboundResponse } from '../platform/http/OutboundClient';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { InstanceService } from './InstanceService';
import type { JiraTokenStore } from './JiraTokenStore';
import { oauthProblemError, TOKEN_PROBLEMS } from './oauthProblemError';
import { readOAuthProblem } from './readOAuthProblem';

export interface JiraUserClientInit {
  instances: Pick<InstanceService, 'require' | 'startUrl'>;
  tokens: Pick<JiraTokenStore, 'getAccess' | 'dropRejected'>;
  http: Pick<OutboundClient, 'request'>;
}

/**
 * What Jira answers the user about an issue: `visible`, or `notFound` (404: Jira Server
 * answers so both for an issue that does not exist and for one the user may not browse),
 * or `forbidden` (403).
 */
export type IssueAccess = { kind: 'visible' } | { kind: 'notFound' } | { kind: 'forbidden' };

/**
 * The app's own questions to Jira as the add-in's user, signed with that user's OAuth 1.0a
 * access token exactly as the proxy signs, so Jira applies the user's permissions. No
 * token is 401 `jira_authorization_required` with the start URL (the proxy's answer); a
 * token Jira no longer accepts is dropped and answered the same way.
 */
export class JiraUserClient {
  constructor(private readonly init: JiraUserClientInit) {}

  /** `GET /rest/api/2/issue/{key}?fields=summary` as the user: may this user see the issue? */
  async issueAccess(caller: Pick<Caller, 'tenantId' | 'userId'>, instanceId: string, issueKey: string): Promise<IssueAccess> {
    const { instances, tokens } = this.init;
    const instance = await instances.require(caller.tenantId, instanceId);
    const startUrl = instances.startUrl(instanceId);
    const token = await tokens.getAccess(caller.tenantId, caller.userId, instanceId);
    if (!token)
      throw new AppError({ code: 'jira_authorization_required', detail: 'authorize the app in Jira first', extensions: { startUrl } });

    const url = new URL(`${instance.entity.baseUrl}/rest/api/2/issue/${encodeURIComponent(issueKey)}`);
    url.searchParams.set('fields', 'summary');
    let response: OutboundResponse;
    try {
      response = await this.init.http.request(url, {
        method: 'GET',
        headers: {
          accept: 'application/json',
          authorization: await instance.signer.authorization({ method: 'GET', url, token }),
          'user-agent': 'jira-outlook-cloud',
        },
      });
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    // Only the status matters; the body is read so that the connection can be reused.
    await response.body.dump().catch(() => undefined);

    const challenge = response.headers['www-authenticate'];
    const problem = readOAuthProblem({ wwwAuthenticate: Array.isArray(challenge) ? challenge.join(', ') : challenge });
    if (problem) {
      if (TOKEN_PROBLEMS.has(problem)) await tokens.dropRejected(caller.tenantId, caller.userId, instanceId, token);
      throw oauthProblemError(problem, { startUrl });
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) return { kind: 'visible' };
    if (status === 404) return { kind: 'notFound' };
    if (status === 403) return { kind: 'forbidden' };
    if (status === 401)
      throw new AppError({
        code: 'jira_authorization_required',
        detail: 'Jira did not accept your authorization',
        extensions: { startUrl },
      });
    const retryAfter = headerValue(response.headers['retry-after']);
    if (status === 429 || (status === 503 && retryAfter !== undefined)) {
      throw new AppError({
        code: 'throttled',
        detail: 'Jira asks to slow down',
        headers: retryAfter !== undefined && /^\d{1,6}$/.test(retryAfter) ? { 'Retry-After': retryAfter } : {},
      });
    }
    throw new AppError({ code: 'upstream_bad_response', detail: `Jira answered ${status} for the issue` });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}
