import type { HttpResponseInit } from '@azure/functions';
import { panelAssets } from '../shared/admin/ui/panelAssets';
import { JWT_QUERY_PARAMETER } from '../shared/admin/canonicalRequest';
import { frameAncestorOf, panelSecurityHeaders } from '../shared/admin/panelSecurityHeaders';
import { renderErrorPage } from '../shared/admin/renderErrorPage';
import { renderPanelPage } from '../shared/admin/renderPanelPage';
import { toProblemResponse } from '../shared/platform/http/problemResponse';
import { problemCodeOf } from '../shared/platform/errors/problemCodeOf';
import type { HttpServiceHandler } from './FunctionDefinition';

/**
 * `GET /api/manage/ui`: the administration panel. The Jira app frames it as
 * `/api/manage/ui?jwt=<token>` (see `IframeJwtVerifier`): a valid token opens a panel
 * session for its instance, and the page may be framed by that instance's origin only.
 * Without a token the page asks for an admin bearer token instead (outside Jira; no
 * framing at all). Every answer is HTML — a refused token gets a 401 page that says
 * nothing about why.
 */
export const manageUi: HttpServiceHandler = async (request, context, services) => {
  try {
    const url = new URL(request.url);
    const paths = panelPaths(url.pathname);
    const token = url.searchParams.get(JWT_QUERY_PARAMETER);
    if (token === null) return page(renderPanelPage({ ...paths, ...versions() }), "'none'");

    const check = await services.admin.iframeTokens.verify(token, { method: request.method, path: url.pathname, query: url.searchParams });
    if (!check.ok) {
      services.logs.of(context, { problemCode: check.reason }).warn(`manageUi: iframe token refused (${check.reason})`);
      // Framable by anyone: the admin should see this inside Jira rather than a blank frame; it holds nothing.
      return errorPage(
        401,
        'This link to the administration panel is not valid',
        'Open the page again from the Jira administration. If it keeps failing, check the panel secret configured in the Jira app.',
        '*',
      );
    }
    const { identity } = check;
    // Bound to the row the token was checked against: a later rotation or deletion ends it.
    const { token: sessionToken } = services.admin.sessions.open({ instance: identity.instance, subject: identity.jiraUser, via: 'jira' });
    services.logs
      .of(context, { instanceId: identity.instanceId })
      .info(`manageUi: panel opened from Jira for instance=${identity.instanceId}`);
    return page(renderPanelPage({ ...paths, ...versions(), sessionToken }), frameAncestorOf(identity.instance.baseUrl));
  } catch (error) {
    const problem = toProblemResponse(error);
    if (problem.status >= 500)
      services.logs.of(context, { problemCode: problemCodeOf(error) }).warn(`manageUi: failed with ${problem.status}`);
    return errorPage(problem.status, 'The administration panel is not available', 'Try again in a moment.', "'none'");
  }
};

function page(html: string, frameAncestors: string, status = 200): HttpResponseInit {
  return { status, headers: panelSecurityHeaders(frameAncestors), body: html };
}

function errorPage(status: number, title: string, hint: string, frameAncestors: string): HttpResponseInit {
  return page(renderErrorPage({ status, title, hint }), frameAncestors, status);
}

/** Assets and API sit beside the page, whatever the route prefix: `…/ui/assets`, `…/panel`. */
function panelPaths(pathname: string): { assetBase: string; apiBase: string } {
  const path = pathname.replace(/\/+$/, '');
  return { assetBase: `${path}/assets`, apiBase: path.replace(/\/ui$/i, '/panel') };
}

function versions(): { scriptVersion: string; styleVersion: string } {
  return { scriptVersion: panelAssets.get('panel.js')?.version ?? '', styleVersion: panelAssets.get('panel.css')?.version ?? '' };
}
