import { z } from 'zod';
import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode, titleForCode } from '../shared/platform/errors/statusForCode';
import { oauthDancePage } from '../shared/jira/oauthDancePage';
import { readCookie } from '../shared/platform/http/cookies';
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ResponseCookie } from '../shared/platform/http/cookies';
import type { HttpServiceHandler } from './FunctionDefinition';

const callbackQuerySchema = z.object({
  tenant: z.string().min(1).max(128),
  oauth_token: z.string().min(1).max(512),
  oauth_verifier: z.string().min(1).max(512),
});

/** OAuth 2.0 (RFC 6749 §4.1.2): `code` and `state`, or `error` and `state` when the user denied. */
const oauth2CallbackQuerySchema = z.object({
  state: z.string().min(1).max(512),
  code: z.string().min(1).max(2048).optional(),
  error: z.string().min(1).max(128).optional(),
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
  if (request.query.has('state')) return oauth2Callback(request, context, services);
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
    return failedCallback(error, context, cleared);
  }
};

/**
 * The OAuth 2.0 callback (`?code&state`): the same page, cookie and single use, with the
 * state in the request token's place. The state is the only credential here besides the cookie.
 */
const oauth2Callback: HttpServiceHandler = async (request, context, services) => {
  const query = oauth2CallbackQuerySchema.safeParse({
    state: request.query.get('state') ?? undefined,
    code: request.query.get('code') ?? undefined,
    error: request.query.get('error') ?? undefined,
  });
  const cleared = query.success ? [services.oauthDance.clearedBrowserCookie(query.data.state)] : [];
  try {
    if (!query.success) throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the callback lacks its state' });
    const done = await services.oauthDance.completeOAuth2({
      state: query.data.state,
      code: query.data.code,
      error: query.data.error,
      browserBinding: readCookie(request.headers.get('cookie'), services.oauthDance.browserCookieName(query.data.state)),
    });
    context.log(`jiraOAuthCallback instance=${done.instanceId} flow=oauth2 status=200`);
    return {
      ...oauthDancePage({ ok: true, instanceId: done.instanceId, displayName: done.displayName, jiraUser: done.jiraUser }),
      cookies: cleared,
    };
  } catch (error) {
    return failedCallback(error, context, cleared);
  }
};

function failedCallback(error: unknown, context: InvocationContext, cleared: ResponseCookie[]): HttpResponseInit {
  if (!isAppError(error)) throw error;
  const status = statusForCode(error.code);
  if (status >= 500) context.warn(`jiraOAuthCallback status=${status} code=${error.code}`);
  else context.log(`jiraOAuthCallback status=${status} code=${error.code}`);
  const cookies = error.code === 'oauth_request_token_invalid' ? [] : cleared;
  return { ...oauthDancePage({ ok: false, status, code: error.code, message: `${titleForCode(error.code)}.` }), cookies };
}
