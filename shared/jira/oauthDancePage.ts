import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../platform/text';
import type { JiraUser } from './JiraTokenStore';

export type OAuthDanceOutcome =
  { ok: true; instanceId: string; displayName: string; jiraUser: JiraUser } | { ok: false; status: number; code: string; message: string };

export interface HtmlPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';

/**
 * The page Jira's callback lands on, inside the add-in's Office dialog: it tells the add-in
 * the outcome through `Office.context.ui.messageParent` and says it to a person too, with
 * the Jira user the stored token acts as, so nobody ends up connected as someone else unawares.
 * Everything shown is HTML-escaped and the message travels as inert JSON data, so no
 * value (a display name, an error text) can become markup or script; the URL carries the
 * token and verifier, so no Referer is sent to the script host.
 */
export function oauthDancePage(outcome: OAuthDanceOutcome): HtmlPage {
  const nonce = randomBytes(16).toString('base64');
  const message = outcome.ok
    ? { type: 'jira-authorization', status: 'authorized', instanceId: outcome.instanceId, jiraUser: outcome.jiraUser }
    : { type: 'jira-authorization', status: 'failed', code: outcome.code };
  const title = outcome.ok ? 'Jira is connected' : 'Jira could not be connected';
  const text = outcome.ok
    ? `The add-in can now reach ${outcome.displayName} for you, as the Jira user ${outcome.jiraUser.displayName} (${outcome.jiraUser.name}). You can close this window.`
    : `${outcome.message} Close this window and try again.`;
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;margin:2rem;color:#172b4d}h1{font-size:1.25rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(text)}</p>
<script type="application/json" id="outcome">${escapeJsonForHtml(JSON.stringify(message))}</script>
<script src="${OFFICE_JS}" nonce="${nonce}"></script>
<script nonce="${nonce}">
(function () {
  var outcome = document.getElementById('outcome').textContent;
  if (typeof Office === 'undefined') return;
  Office.onReady(function () {
    try { Office.context.ui.messageParent(outcome); } catch (e) { /* opened outside an Office dialog */ }
  });
})();
</script>
</body>
</html>
`;
  return {
    status: outcome.ok ? 200 : outcome.status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${nonce}' https://appsforoffice.microsoft.com; style-src 'nonce-${nonce}'; base-uri 'none'; form-action 'none'`,
    },
    body,
  };
}

/** JSON inside a script element: nothing may close the element or start a comment or entity. */
function escapeJsonForHtml(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
