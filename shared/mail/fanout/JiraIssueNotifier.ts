import { AppError } from '../../platform/errors/AppError';
import type { OutboundResponse } from '../../platform/http/OutboundClient';
import { readJsonBody } from '../../platform/http/readJsonBody';
import { toUpstreamError } from '../../platform/http/toUpstreamError';
import type { JiraServiceClient } from '../../jira/JiraServiceClient';
import type { Clock } from '../../platform/clock';
import { classifyJiraAnswer, type JiraAnswerClass } from './classifyJiraAnswer';
import type { JiraNotification } from './JiraNotification';
import { jiraWatchersSchema, type JiraWatcher } from './jiraWatchersSchema';

/** A Jira answer: the value for 2xx, else what the status means (see `classifyJiraAnswer`). */
export type JiraCallResult<T> = ({ kind: 'ok'; value: T } | Exclude<JiraAnswerClass, { kind: 'ok' }>) & { status: number };

export interface IssueRef {
  tenantId: string;
  instanceId: string;
  issueKey: string;
}

/** A watcher list is a few kilobytes; an issue with thousands of watchers still fits. */
const MAX_WATCHERS_BYTES = 2 * 1024 * 1024;

/**
 * The two Jira calls of a notification, as the instance's service user (the service client
 * signs with 2-legged OAuth or uses the personal access token; never a user's token).
 * Transport failures are AppErrors (`upstream_timeout`, `upstream_unreachable`); every HTTP
 * answer is returned classified, its body read only when it is needed.
 */
export class JiraIssueNotifier {
  private readonly jira: Pick<JiraServiceClient, 'request'>;
  private readonly clock: Clock;

  constructor(init: { jira: Pick<JiraServiceClient, 'request'>; clock: Clock }) {
    this.jira = init.jira;
    this.clock = init.clock;
  }

  /** `GET /rest/api/2/issue/{key}/watchers`. */
  async watchers(issue: IssueRef): Promise<JiraCallResult<JiraWatcher[]>> {
    const response = await this.jira.request(issue.tenantId, issue.instanceId, {
      method: 'GET',
      path: `${issuePath(issue.issueKey)}/watchers`,
    });
    const status = response.statusCode;
    const answer = this.classify(response);
    if (answer.kind !== 'ok') {
      await discard(response);
      return { ...answer, status };
    }
    let body: unknown;
    try {
      body = await readJsonBody(response, 'Jira', MAX_WATCHERS_BYTES);
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    const parsed = jiraWatchersSchema.safeParse(body);
    if (!parsed.success)
      throw new AppError({ code: 'upstream_bad_response', detail: 'Jira answered the watcher list in an unexpected shape' });
    return { kind: 'ok', value: parsed.data.watchers, status };
  }

  /** `POST /rest/api/2/issue/{key}/notify`; Jira answers 204 once the mail is queued. */
  async notify(issue: IssueRef, notification: JiraNotification): Promise<JiraCallResult<undefined>> {
    const response = await this.jira.request(issue.tenantId, issue.instanceId, {
      method: 'POST',
      path: `${issuePath(issue.issueKey)}/notify`,
      json: notification,
    });
    const status = response.statusCode;
    const answer = this.classify(response);
    await discard(response);
    return answer.kind === 'ok' ? { kind: 'ok', value: undefined, status } : { ...answer, status };
  }

  private classify(response: OutboundResponse): JiraAnswerClass {
    const retryAfter = response.headers['retry-after'];
    return classifyJiraAnswer(response.statusCode, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, this.clock.now());
  }
}

function issuePath(issueKey: string): string {
  return `rest/api/2/issue/${encodeURIComponent(issueKey)}`;
}

/** The body is not needed, but a keep-alive connection is reused only once it has been read. */
async function discard(response: OutboundResponse): Promise<void> {
  await response.body.dump().catch(() => undefined);
}
