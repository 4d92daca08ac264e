import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import type { SimulatedIssue, SimulatedUser } from './JiraSimulatorState';
import { sendErrorMessages, sendJson } from './simulatorResponses';

/** The few REST resources the add-in and the tests use: `myself`, an issue, a search. */
export function restRoutes(): JiraSimulatorRoute[] {
  return [
    {
      methods: ['GET'],
      path: /^\/rest\/api\/(?:2|latest)\/myself$/,
      auth: 'user',
      handle: (context) => sendJson(context.response, 200, toUserJson(context, requireUser(context))),
    },
    {
      methods: ['GET'],
      path: /^\/rest\/api\/(?:2|latest)\/issue\/([^/]+)$/,
      auth: 'user',
      handle: (context) => {
        const issue = context.state.issues.get(decodeURIComponent(context.match[1] ?? ''));
        // Jira Server answers a user who may not browse the issue exactly as for one that does not exist.
        if (!issue || !canBrowse(context, issue)) return sendErrorMessages(context.response, 404, 'Issue Does Not Exist');
        sendJson(context.response, 200, toIssueJson(context, issue));
      },
    },
    {
      methods: ['GET', 'POST'],
      path: /^\/rest\/api\/(?:2|latest)\/search$/,
      auth: 'user',
      handle: async (context) => {
        const body = context.request.method === 'POST' ? await readJsonBody(context) : undefined;
        const jql = typeof body?.jql === 'string' ? body.jql : (context.query.get('jql') ?? '');
        const project = /project\s*=\s*"?([A-Za-z][A-Za-z0-9_]*)"?/i.exec(jql)?.[1]?.toUpperCase();
        const issues = [...context.state.issues.values()].filter(
          (issue) => (!project || issue.key.startsWith(`${project}-`)) && canBrowse(context, issue),
        );
        const startAt = Number(context.query.get('startAt') ?? 0) || 0;
        const maxResults = Number(context.query.get('maxResults') ?? 50) || 50;
        const page = issues.slice(startAt, startAt + maxResults);
        sendJson(context.response, 200, {
          expand: 'schema,names',
          startAt,
          maxResults,
          total: issues.length,
          issues: page.map((issue) => toIssueJson(context, issue)),
        });
      },
    },
  ];
}

function canBrowse(context: SimulatorContext, issue: SimulatedIssue): boolean {
  return context.user === undefined || context.state.canBrowse(issue.key, context.user.name);
}

function requireUser(context: SimulatorContext): SimulatedUser {
  if (!context.user) throw new Error('route needs a user');
  return context.user;
}

function toUserJson(context: SimulatorContext, user: SimulatedUser): Record<string, unknown> {
  return {
    self: `${context.baseUrl}/rest/api/2/user?username=${encodeURIComponent(user.name)}`,
    key: user.key,
    name: user.name,
    emailAddress: user.emailAddress,
    displayName: user.displayName,
    active: true,
    timeZone: 'Europe/Berlin',
    locale: 'en_US',
  };
}

function toIssueJson(context: SimulatorContext, issue: SimulatedIssue): Record<string, unknown> {
  const reporter = issue.reporter ? context.state.users.get(issue.reporter) : undefined;
  const number = issue.key.split('-')[1] ?? '0';
  return {
    id: String(10000 + Number(number)),
    key: issue.key,
    self: `${context.baseUrl}/rest/api/2/issue/${encodeURIComponent(issue.key)}`,
    fields: {
      summary: issue.summary,
      reporter: reporter ? toUserJson(context, reporter) : null,
      watches: { watchCount: issue.watchers.length, isWatching: context.user ? issue.watchers.includes(context.user.name) : false },
      attachment: [...context.state.attachments.values()]
        .filter((attachment) => attachment.issueKey === issue.key)
        .map((attachment) => ({
          id: attachment.id,
          filename: attachment.filename,
          size: attachment.size,
          mimeType: attachment.mimeType,
          content: `${context.baseUrl}/secure/attachment/${attachment.id}/${encodeURIComponent(attachment.filename)}`,
        })),
    },
  };
}

async function readJsonBody(context: SimulatorContext): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of context.request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > 1024 * 1024) return undefined;
    chunks.push(buffer);
  }
  context.record.bodyBytes = size;
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
