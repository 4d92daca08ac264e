/**
 * The body of `POST /rest/api/2/issue/{key}/notify` (Jira Server / DC): recipients by user
 * name, nobody added implicitly, and only users who may browse the issue.
 */
export interface JiraNotification {
  subject: string;
  textBody: string;
  htmlBody: string;
  to: {
    reporter: false;
    assignee: false;
    watchers: false;
    voters: false;
    users: { name: string }[];
  };
  restrict: { permissions: { key: 'BROWSE' }[] };
}
