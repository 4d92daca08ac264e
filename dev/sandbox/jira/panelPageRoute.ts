import { randomUUID } from 'node:crypto';
import { connectSignedUrl } from './connectJwt';
import { escapeHtml } from '../../../shared/platform/text';
import { systemClock, type Clock } from '../../../shared/platform/clock';
import type { JiraSimulatorRoute } from './JiraSimulatorRoute';

/** What the app hands the Jira admin at registration: the `iss` and HS256 secret of the page's tokens. */
export interface PanelCredentials {
  issuer: string;
  sharedSecret: string;
}

/** Where the simulated Jira app's admin page lives, as a servlet of a Jira app would. */
export const PANEL_PAGE_PATH = '/plugins/servlet/outlook-cloud/admin';

export interface PanelPageRouteInit {
  /** The app's URL (`http://127.0.0.1:7071`), no trailing slash. */
  appUrl: string;
  /** The instance's panel issuer and secret; undefined until they are issued (the page says so). */
  credentials: () => PanelCredentials | undefined;
  /** The Jira administrator the page is rendered for. Default `admin`. */
  jiraUser?: string;
  clock?: Clock;
}

/**
 * What our Jira app does under "Manage apps": a Jira page that frames the administration
 * panel, with a fresh iframe token bound to the panel's URL for every render (with its own
 * `jti`: the panel accepts a token once, and a reload within the same second must still
 * open). The frame may use the clipboard (the panel's copy buttons).
 */
export function panelPageRoute(init: PanelPageRouteInit): JiraSimulatorRoute {
  const clock = init.clock ?? systemClock;
  return {
    methods: ['GET'],
    path: new RegExp(`^${PANEL_PAGE_PATH.replaceAll('/', '\\/')}$`),
    auth: 'none',
    handle: async ({ response }) => {
      const credentials = init.credentials();
      const frame = credentials
        ? `<iframe id="outlook-cloud-admin" title="Outlook integration" src="${escapeHtml(
            await connectSignedUrl({
              method: 'GET',
              url: new URL(`${init.appUrl}/api/manage/ui`),
              issuer: credentials.issuer,
              sharedSecret: credentials.sharedSecret,
              jiraUser: init.jiraUser ?? 'admin',
              issuedAt: Math.floor(clock.now() / 1000),
              jti: randomUUID(),
            }),
          )}" allow="clipboard-read; clipboard-write"></iframe>`
        : '<p>The instance has no panel secret yet.</p>';
      const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outlook integration - Jira</title>
<style>body{margin:0;font:14px sans-serif;background:#fff}nav{padding:10px 16px;background:#0747a6;color:#fff}nav b{margin-right:12px}iframe{border:0;width:100%;height:1800px;display:block}</style>
</head><body><nav><b>Jira administration</b> Manage apps › Outlook integration</nav>
${frame}
</body></html>`;
      response.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Cache-Control': 'no-store',
      });
      response.end(html);
    },
  };
}
