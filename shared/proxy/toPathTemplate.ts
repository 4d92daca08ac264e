// Resource names of Jira's REST API. Anything else in a path (issue and project keys, ids,
// user names, file names) is data and is written as `{}`, so a log line names the kind of
// call and nothing about its subject.
const RESOURCE_NAMES: ReadonlySet<string> = new Set([
  'rest', 'secure', 'api', 'agile', 'auth', 'session', 'issue', 'search', 'myself', 'field', 'project', 'attachment',
  'attachments', 'comment', 'transitions', 'watchers', 'worklog', 'remotelink', 'notify', 'properties', 'user', 'users',
  'serverInfo', 'priority', 'status', 'statuses', 'resolution', 'issuetype', 'issueLink', 'issueLinkType', 'filter',
  'favourite', 'version', 'versions', 'component', 'components', 'board', 'sprint', 'epic', 'backlog', 'editmeta',
  'createmeta', 'changelog', 'votes', 'picker', 'groups', 'group', 'groupuserpicker', 'mypermissions', 'permissions',
  'configuration', 'dashboard', 'avatar', 'avatars', 'meta', 'content', 'thumbnail', 'label', 'labels', 'role', 'roles',
  'assignable', 'viewissue', 'bulk', 'expand', 'mention', 'applicationrole', 'application-properties', 'workflow',
  'screens', 'preference', 'mypreferences', 'password', 'plugins', 'license', 'websudo', 'webhooks', 'subtask',
  'archive', 'restore', 'unarchive',
]);
const VERSION = /^(?:\d{1,3}(?:\.\d{1,3}){0,2}|latest)$/;

/** `rest/api/2/issue/DEMO-1/comment` → `rest/api/2/issue/{}/comment`, from decoded segments. */
export function toPathTemplate(segments: readonly string[]): string {
  return segments.map((segment, index) => (RESOURCE_NAMES.has(segment) || (index === 2 && VERSION.test(segment)) ? segment : '{}')).join('/');
}
