import type { Dispatcher } from 'undici';
import { AppError } from '../platform/errors/AppError';
import type { OutboundClient, OutboundResponse } from '../platform/http/OutboundClient';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { InstanceService } from './InstanceService';
import { authorizeServiceCall } from './authorizeServiceCall';
import { oauthProblemError } from './oauthProblemError';
import { readOAuthProblem } from './readOAuthProblem';

export interface JiraServiceRequest {
  method: Dispatcher.HttpMethod;
  /** Relative to the instance's base URL, e.g. `rest/api/2/issue/DEMO-1/notify`. */
  path: string;
  query?: readonly (readonly [string, string])[];
  /** Sent as `application/json`; never part of the signature. */
  json?: unknown;
  headers?: Record<string, string>;
  asUser?: string;
}

/**
 * Jira REST calls with the instance's service credential, for queue and timer functions.
 * OAuth refusals become stable AppErrors; any other answer (429 with Retry-After
 * included) is returned for the caller to decide, with its body unread.
 */
export class JiraServiceClient {
  private readonly instances: InstanceService;
  private readonly http: OutboundClient;

  constructor(init: { instances: InstanceService; http: OutboundClient }) {
    this.instances = init.instances;
    this.http = init.http;
  }

  async request(tenantId: string, instanceId: string, call: JiraServiceRequest): Promise<OutboundResponse> {
    const instance = await this.instances.require(tenantId, instanceId);
    const url = new URL(`${instance.entity.baseUrl}/${call.path.replace(/^\/+/, '')}`);
    for (const [name, value] of call.query ?? []) url.searchParams.append(name, value);
    const authorized = await authorizeServiceCall(instance, {
      method: call.method,
      url,
      ...(call.asUser === undefined ? {} : { asUser: call.asUser }),
    });
    const body = call.json === undefined ? undefined : JSON.stringify(call.json);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...call.headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      authorization: authorized.authorization,
    };
    let response: OutboundResponse;
    try {
      response = await this.http.request(authorized.url, { method: call.method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    const challenge = response.headers['www-authenticate'];
    const problem = readOAuthProblem({ wwwAuthenticate: Array.isArray(challenge) ? challenge.join(', ') : challenge });
    if (problem) {
      await response.body.dump();
      const error = oauthProblemError(problem);
      // No user token is involved: a "token" problem here means the link refuses us.
      throw error.code === 'jira_authorization_required'
        ? new AppError({ code: 'jira_oauth_problem', detail: error.detail, extensions: error.extensions })
        : error;
    }
    return response;
  }
}
