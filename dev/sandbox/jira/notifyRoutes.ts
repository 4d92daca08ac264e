import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import type { SimulatedIssue, SimulatedUser } from './JiraSimulatorState';
import { sendErrorMessages, sendJson } from './simulatorResponses';

/** One notification Jira accepted (`POST …/notify` answered 204), as the outbox lists it. */
export interface OutboxEntry {
  /** Simulator clock, ms since the epoch, when Jira accepted it. */
  at: number;
  issueKey: string;
  /** User names the mail went to, after Jira's own filtering (inactive, no browse permission). */
  recipients: string[];
  subject: string;
  textBody?: string;
  htmlBody?: string;
  /** Who called notify (the service user, for the fan-out). */
  sentBy: string;
}

/** Every answer of the watchers and notify resources, failures included, for ordering checks. */
export interface RecordedNotifyAnswer {
  at: number;
  method: string;
  resource: 'watchers' | 'notify';
  issueKey: string;
  status: number;
  retryAfter?: number;
}

export interface NotifyFault {
  status: number;
  /** Seconds; sent as `Retry-After`. */
  retryAfter?: number;
  count: number;
  /** Which resource fails; both by default. */
  resource?: 'watchers' | 'notify';
  /** Only this issue's calls fail (Jira can refuse one issue and serve the next); every issue by default. */
  issueKey?: string;
}

/** Jira DC's rate limiter: a token bucket per user (`jira.rate.limiting`), refilled continuously here. */
export interface RateLimit {
  /** Bucket size: `X-RateLimit-Limit`. */
  limit: number;
  /** Tokens added per interval: `X-RateLimit-FillRate`. */
  fillRate: number;
  intervalSeconds: number;
}

export interface JiraNotificationsInit {
  /** Users Jira has deactivated: listed as watchers with `active: false`, never mailed. */
  inactiveUsers?: readonly string[];
  /** Issue key → users who may not browse it (watchers who lost access). */
  browseDenied?: Readonly<Record<string, readonly string[]>>;
  rateLimit?: RateLimit;
}

const faultSchema = z.object({
  status: z.number().int().min(400).max(599),
  retryAfter: z.number().int().min(0).optional(),
  count: z.number().int().min(1).default(1),
  resource: z.enum(['watchers', 'notify']).optional(),
});

const recipientUserSchema = z.object({ name: z.string().optional(), key: z.string().optional(), accountId: z.string().optional() });

/** The notify body as Jira Server's `NotificationJsonBean` reads it (unknown fields are ignored). */
const notifyBodySchema = z.object({
  subject: z.string().optional(),
  textBody: z.string().optional(),
  htmlBody: z.string().optional(),
  to: z
    .object({
      reporter: z.boolean().optional(),
      assignee: z.boolean().optional(),
      watchers: z.boolean().optional(),
      voters: z.boolean().optional(),
      users: z.array(recipientUserSchema).optional(),
      groups: z.array(z.object({ name: z.string() })).optional(),
    })

    .optional(),
  restrict: z
    .object({
      groups: z.array(z.object({ name: z.string() })).optional(),
      permissions: z.array(z.object({ id: z.string().optional(), key: z.string().optional() })).optional(),
    })

    .optional(),
});

const WATCHERS_PATH = /^\/rest\/api\/(?:2|latest)\/issue\/([^/]+)\/watchers$/;
const NOTIFY_PATH = /^\/rest\/api\/(?:2|latest)\/issue\/([^/]+)\/notify$/;
const BROWSE_PERMISSION_ID = '10';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The watchers and notify resources of Jira Server / DC for the fan-out, with an outbox of
 * what Jira "sent", users Jira has deactivated, per-issue browse permission (Jira mails no
 * watcher who cannot see the issue), rate limiting with Jira DC's headers, and faults on
 * demand. Mount `routes()` in the simulator (`startJiraSimulator({ routes })`); the
 * control endpoints (`GET/DELETE /_sandbox/outbox`, `POST /_sandbox/notify-faults`) are
 * `handleControl`, for the simulator's `/_sandbox/` dispatch.
 */
export class JiraNotifications {
  readonly outbox: OutboxEntry[] = [];
  readonly answers: RecordedNotifyAnswer[] = [];
  private readonly inactive = new Set<string>();
  private readonly denied = new Map<string, Set<string>>();
  private readonly faults: (NotifyFault & { remaining: number })[] = [];
  private limit: RateLimit | undefined;
  private outgoingMail = true;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(init: JiraNotificationsInit = {}) {
    for (const user of init.inactiveUsers ?? []) this.inactive.add(user);
    for (const [issueKey, users] of Object.entries(init.browseDenied ?? {})) for (const user of users) this.denyBrowse(issueKey, user);
    this.limit = init.rateLimit;
  }

  setActive(userName: string, active: boolean): void {
    if (active) this.inactive.delete(userName);
    else this.inactive.add(userName);
  }

  denyBrowse(issueKey: string, userName: string): void {
    let users = this.denied.get(issueKey);
    if (!users) {
      users = new Set();
      this.denied.set(issueKey, users);
    }
    users.add(userName);
  }

  allowBrowse(issueKey: string, userName: string): void {
    this.denied.get(issueKey)?.delete(userName);
  }

  canBrowse(issueKey: string, userName: string): boolean {
    return !(this.denied.get(issueKey)?.has(userName) ?? false);
  }

  /**
   * Jira's "Outgoing mail" switch (Administration > System > Outgoing mail). Off, `POST …/notify`
   * answers 403 before it even looks at the issue, as Jira's `IssueResource.notify` does when
   * sending is disabled or no SMTP server is defined; the watcher list still answers.
   */
  setOutgoingMail(enabled: boolean): void {
    this.outgoingMail = enabled;
  }

  /** The next `count` calls (of one resource, or both) fail with `status`, and `Retry-After` when given. */
  fail(fault: NotifyFault): void {
    this.faults.push({ ...fault, remaining: fault.count });
  }

  /** Turns Jira DC's rate limiting on (or off with undefined); buckets start full. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.limit = limit;
    this.buckets.clear();
  }

  clearOutbox(): void {
    this.outbox.length = 0;
    this.answers.length = 0;
  }

  routes(): JiraSimulatorRoute[] {
    return [
      { methods: ['GET'], path: WATCHERS_PATH, auth: 'user', handle: (context) => this.watchers(context) },
      { methods: ['POST'], path: NOTIFY_PATH, auth: 'user', handle: (context) => this.notify(context) },
    ];
  }

  /**
   * The sandbox control endpoints of this feature; true when the path was one of them.
   * `GET /_sandbox/outbox` lists the notifications (newest last), `DELETE` empties it;
   * `POST /_sandbox/notify-faults` `{ status, retryAfter?, count?, resource? }` queues a fault.
   */
  async handleControl(request: IncomingMessage, response: ServerResponse, path: string, nowMs: number): Promise<boolean> {
    if (path === '/_sandbox/outbox' && request.method === 'GET') {
      request.resume();
      sendJson(response, 200, {
        notifications: this.outbox.map((entry) => ({ ...entry, at: new Date(entry.at).toISOString() })),
        now: new Date(nowMs).toISOString(),
      });
      return true;
    }
    if (path === '/_sandbox/outbox' && request.method === 'DELETE') {
      request.resume();
      this.clearOutbox();
      response.writeHead(204).end();
      return true;
    }
    if (path === '/_sandbox/notify-faults' && request.method === 'POST') {
      const parsed = faultSchema.safeParse(await readJson(request));
      if (!parsed.success) {
        sendJson(response, 400, { error: 'invalid_body' });
        return true;
      }
      this.fail({
        status: parsed.data.status,
        count: parsed.data.count,
        ...(parsed.data.retryAfter === undefined ? {} : { retryAfter: parsed.data.retryAfter }),
        ...(parsed.data.resource ? { resource: parsed.data.resource } : {}),
      });
      sendJson(response, 200, { ok: true });
      return true;
    }
    return false;
  }

  private watchers(context: SimulatorContext): void {
    const issueKey = decodeURIComponent(context.match[1] ?? '');
    if (this.refused(context, 'watchers', issueKey)) return;
    const issue = this.visibleIssue(context, issueKey);
    if (!issue)
      return this.answer(context, 'watchers', issueKey, 404, () => sendErrorMessages(context.response, 404, 'Issue Does Not Exist'));
    const caller = requireUser(context);
    const watchers = issue.watchers
      .map((name) => context.state.users.get(name))
      .filter((user): user is SimulatedUser => user !== undefined);
    const body = {
      self: `${context.baseUrl}/rest/api/2/issue/${encodeURIComponent(issue.key)}/watchers`,
      isWatching: issue.watchers.includes(caller.name),
      watchCount: watchers.length,
      watchers: watchers.map((user) => ({
        self: `${context.baseUrl}/rest/api/2/user?username=${encodeURIComponent(user.name)}`,
        key: user.key,
        name: user.name,
        emailAddress: user.emailAddress,
        avatarUrls: { '48x48': `${context.baseUrl}/secure/useravatar?avatarId=10122` },
        displayName: user.displayName,
        active: !this.inactive.has(user.name),
        timeZone: 'Europe/Berlin',
      })),
    };
    this.answer(context, 'watchers', issueKey, 200, (headers) => sendJson(context.response, 200, body, headers));
  }

  private async notify(context: SimulatorContext): Promise<void> {
    const issueKey = decodeURIComponent(context.match[1] ?? '');
    const json = await readJson(context.request, context);
    if (this.refused(context, 'notify', issueKey)) return;
    if (!this.outgoingMail)
      return this.answer(context, 'notify', issueKey, 403, () => sendErrorMessages(context.response, 403, 'Outgoing mail is disabled.'));
    const issue = this.visibleIssue(context, issueKey);
    if (!issue)
      return this.answer(context, 'notify', issueKey, 404, () => sendErrorMessages(context.response, 404, 'Issue Does Not Exist'));
    if (!(context.request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      return this.answer(context, 'notify', issueKey, 415, () => sendErrorMessages(context.response, 415, 'Unsupported Media Type'));
    }
    const parsed = notifyBodySchema.safeParse(json);
    if (!parsed.success) return this.badRequest(context, issueKey, 'Can not deserialize the notification.');
    const body = parsed.data;

    const named: SimulatedUser[] = [];
    for (const entry of body.to?.users ?? []) {
      const user =
        entry.name !== undefined
          ? context.state.users.get(entry.name)
          : [...context.state.users.values()].find((candidate) => candidate.key === entry.key);
      if (!user) return this.badRequest(context, issueKey, `User '${entry.name ?? entry.key ?? entry.accountId ?? ''}' does not exist.`);
      named.push(user);
    }
    if ((body.to?.groups ?? []).length > 0 || (body.restrict?.groups ?? []).length > 0) {
      const group = body.to?.groups?.[0]?.name ?? body.restrict?.groups?.[0]?.name ?? '';
      return this.badRequest(context, issueKey, `Group '${group}' does not exist.`);
    }
    for (const permission of body.restrict?.permissions ?? []) {
      if (permission.key !== 'BROWSE' && permission.id !== BROWSE_PERMISSION_ID)
        return this.badRequest(context, issueKey, `Permission '${permission.key ?? permission.id ?? ''}' is not supported here.`);
    }

    const candidates = new Map<string, SimulatedUser>();
    const add = (name: string | undefined) => {
      const user = name === undefined ? undefined : context.state.users.get(name);
      if (user) candidates.set(user.name, user);
    };
    for (const user of named) candidates.set(user.name, user);
    if (body.to?.reporter) add(issue.reporter);
    if (body.to?.watchers) issue.watchers.forEach(add);
    if (candidates.size === 0 && !body.to?.assignee && !body.to?.voters)
      return this.badRequest(context, issueKey, 'No recipients were defined for notification.');

    // As Jira does: nobody deactivated, nobody who cannot see the issue.
    const recipients = [...candidates.values()]
      .filter(
        (user) => !this.inactive.has(user.name) && this.canBrowse(issue.key, user.name) && context.state.canBrowse(issue.key, user.name),
      )
      .map((user) => user.name);
    this.outbox.push({
      at: context.nowMs(),
      issueKey: issue.key,
      recipients,
      subject: body.subject ?? `${issue.key}: ${issue.summary}`,
      ...(body.textBody === undefined ? {} : { textBody: body.textBody }),
      ...(body.htmlBody === undefined ? {} : { htmlBody: body.htmlBody }),
      sentBy: requireUser(context).name,
    });
    this.answer(context, 'notify', issueKey, 204, (headers) => {
      context.response.writeHead(204, headers);
      context.response.end();
    });
  }

  /** The issue as the caller sees it: a caller who may not browse it gets Jira's 404. */
  private visibleIssue(context: SimulatorContext, issueKey: string): SimulatedIssue | undefined {
    const issue = context.state.issues.get(issueKey);
    const caller = requireUser(context).name;
    if (!issue || !this.canBrowse(issue.key, caller) || !context.state.canBrowse(issue.key, caller)) return undefined;
    return issue;
  }

  private badRequest(context: SimulatorContext, issueKey: string, message: string): void {
    this.answer(context, 'notify', issueKey, 400, () => sendErrorMessages(context.response, 400, message));
  }

  /** Queued faults first, then the rate limiter; true when the call was answered with a failure. */
  private refused(context: SimulatorContext, resource: 'watchers' | 'notify', issueKey: string): boolean {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.resource === undefined || candidate.resource === resource) &&
        (candidate.issueKey === undefined || candidate.issueKey === issueKey),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const headers: Record<string, string> =
        fault.status === 429
          ? this.exhaustedHeaders(fault.retryAfter)
          : fault.retryAfter === undefined
            ? {}
            : { 'Retry-After': String(fault.retryAfter) };
      this.answer(
        context,
        resource,
        issueKey,
        fault.status,
        () => sendJson(context.response, fault.status, { errorMessages: ['Simulated failure'], errors: {} }, headers),
        fault.retryAfter,
      );
      return true;
    }
    const wait = this.take(requireUser(context).name, context.nowMs());
    if (wait !== undefined) {
      this.answer(
        context,
        resource,
        issueKey,
        429,
        () => sendJson(context.response, 429, { errorMessages: ['Rate limit exceeded.'], errors: {} }, this.exhaustedHeaders(wait)),
        wait,
      );
      return true;
    }
    return false;
  }

  /** Takes a token from the user's bucket; the seconds until one is there when it is empty. */
  private take(userName: string, now: number): number | undefined {
    const limit = this.limit;
    if (!limit) return undefined;
    const perMs = limit.fillRate / (limit.intervalSeconds * 1000);
    const bucket = this.buckets.get(userName) ?? { tokens: limit.limit, at: now };
    bucket.tokens = Math.min(limit.limit, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    this.buckets.set(userName, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }

  private rateHeaders(userName: string | undefined): Record<string, string> {
    const limit = this.limit;
    if (!limit) return {};
    const tokens = userName === undefined ? limit.limit : (this.buckets.get(userName)?.tokens ?? limit.limit);
    return {
      'X-RateLimit-Limit': String(limit.limit),
      'X-RateLimit-Remaining': String(Math.max(0, Math.floor(tokens))),
      'X-RateLimit-Interval-Seconds': String(limit.intervalSeconds),
      'X-RateLimit-FillRate': String(limit.fillRate),
    };
  }

  private exhaustedHeaders(retryAfter: number | undefined): Record<string, string> {
    const limit = this.limit ?? { limit: 100, fillRate: 10, intervalSeconds: 1 };
    return {
      'X-RateLimit-Limit': String(limit.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Interval-Seconds': String(limit.intervalSeconds),
      'X-RateLimit-FillRate': String(limit.fillRate),
      ...(retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }),
    };
  }

  private answer(
    context: SimulatorContext,
    resource: 'watchers' | 'notify',
    issueKey: string,
    status: number,
    send: (headers: Record<string, string>) => void,
    retryAfter?: number,
  ): void {
    this.answers.push({
      at: context.nowMs(),
      method: context.request.method ?? 'GET',
      resource,
      issueKey,
      status,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
    context.request.resume();
    send(status === 429 ? {} : this.rateHeaders(context.user?.name));
  }
}

function requireUser(context: SimulatorContext): SimulatedUser {
  if (!context.user) throw new Error('the route needs an authenticated user');
  return context.user;
}

/** The body as JSON, or undefined when it is not (an empty body included). */
async function readJson(request: IncomingMessage, context?: SimulatorContext): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  if (context) context.record.bodyBytes = size;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
