import { z } from 'zod';
import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode, titleForCode } from '../shared/platform/errors/statusForCode';
import { oauthDancePage } from '../shared/jira/oauthDancePage';
import { readCookie } from '../shared/platform/http/cookies';
import type { HttpServiceHandler } from './FunctionDefinition';

export const callbackQuerySchema = z.object({
  tenant: z.string().min(1).max(128),
  oauth_token: z.string().min(1).max(512),
  oauth_verifier: z.string().min(1).max(512),
});

/**
 * `GET jira/oauth/callback?tenant&oauth_token&oauth_verifier`: where Jira sends the
 * browser after "Allow". In the browser that began the authorization (its binding cookie)
 * it exchanges the request token once for an access token and answers the small page that
 * tells the Office dialog the outcome and the Jira user now connected. The pending request
 * token and that cookie are the only credentials here: unknown, expired or replayed tokens
 * get 400, and so does any other browser (`oauth_browser_mismatch`), which spends the token.
 */
export const jiraOAuthCallback: HttpServiceHandler = async (request, context, services) => {
  const query = callbackQuerySchema.safeParse({
    tenant: request.query.get('tenant') ?? undefined,
    oauth_token: request.query.get('oauth_token') ?? undefined,
    oauth_verifier: request.query.get('oauth_verifier') ?? undefined,
  });
  // Once the request token is spent (completed, refused by Jira, or spent by the wrong
  // browser) its binding cookie is useless: it goes. A token this callback could not spend
  // (unknown in this tenant, already used, expired) leaves the cookie alone, so a forged
  // callback cannot undo the genuine one still under way in this browser.
  const cleared = query.success ? [services.oauthDance.clearedBrowserCookie(query.data.oauth_token)] : [];
  try {
    if (!query.success) throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the callback lacks its token or verifier' });
    const done = await services.oauthDance.complete({
      tenantId: query.data.tenant,
      requestToken: query.data.oauth_token,
      verifier: query.data.oauth_verifier,
      browserBinding: readCookie(request.headers.get('cookie'), services.oauthDance.browserCookieName(query.data.oauth_token)),
    });
    context.log(`jiraOAuthCallback instance=${done.instanceId} status=200`);
    return {
      ...oauthDancePage({ ok: true, instanceId: done.instanceId, displayName: done.displayName, jiraUser: done.jiraUser }),
      cookies: cleared,
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = statusForCode(error.code);
    if (status >= 500) context.warn(`jiraOAuthCallback status=${status} code=${error.code}`);
    else context.log(`jiraOAuthCallback status=${status} code=${error.code}`);
    const cookies = error.code === 'oauth_request_token_invalid' ? [] : cleared;
    return { ...oauthDancePage({ ok: false, status, code: error.code, message: `${titleForCode(error.code)}.` }), cookies };
  }
};
