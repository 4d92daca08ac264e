import { z } from 'zod';
import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode, titleForCode } from '../shared/platform/errors/statusForCode';
import { oauthDancePage } from '../shared/jira/oauthDancePage';
import { readCookie } from '../shared/platform/http/cookies';
import type { CompletedAuthorization, OAuthDance } from '../shared/jira/OAuthDance';
import type { HttpServiceHandler } from './FunctionDefinition';

export const callbackQuerySchema = z.object({
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
 * `GET jira/oauth/callback?tenant&oauth_token&oauth_verifier` (OAuth 1.0a) or
 * `?code&state` (OAuth 2.0, the state in the request token's place): where Jira sends the
 * browser after "Allow". In the browser that began the authorization (its binding cookie)
 * it exchanges the request token once for an access token and answers the small page that
 * tells the Office dialog the outcome and the Jira user now connected. The pending request
 * token and that cookie are the only credentials here: unknown, expired or replayed tokens
 * get 400, and so does any other browser (`oauth_browser_mismatch`), which spends the token.
 */
export const jiraOAuthCallback: HttpServiceHandler = async (request, context, services) => {
  const dance = services.oauthDance;
  const callback = readCallback(request.query, dance);
  // Once the request token (or state) is spent (completed, refused by Jira, or spent by the
  // wrong browser) its binding cookie is useless: it goes. One this callback could not spend
  // (unknown in this tenant, already used, expired) leaves the cookie alone, so a forged
  // callback cannot undo the genuine one still under way in this browser.
  const cleared = callback.key === undefined ? [] : [dance.clearedBrowserCookie(callback.key)];
  try {
    const browserBinding =
      callback.key === undefined ? undefined : readCookie(request.headers.get('cookie'), dance.browserCookieName(callback.key));
    const done = await callback.complete(browserBinding);
    services.logs
      .of(context, { instanceId: done.instanceId })
      .info(`jiraOAuthCallback instance=${done.instanceId} flow=${callback.flow} status=200`);
    return {
      ...oauthDancePage({ ok: true, instanceId: done.instanceId, displayName: done.displayName, jiraUser: done.jiraUser }),
      cookies: cleared,
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = statusForCode(error.code);
    const log = services.logs.of(context, { problemCode: error.code });
    if (status >= 500) log.warn(`jiraOAuthCallback status=${status} code=${error.code}`);
    else log.info(`jiraOAuthCallback status=${status} code=${error.code}`);
    const cookies = error.code === 'oauth_request_token_invalid' ? [] : cleared;
    return { ...oauthDancePage({ ok: false, status, code: error.code, message: `${titleForCode(error.code)}.` }), cookies };
  }
};

interface Callback {
  flow: 'oauth1' | 'oauth2';
  /** The request token (OAuth 1.0a) or state (OAuth 2.0) that names the binding cookie; undefined when the query is invalid. */
  key: string | undefined;
  complete(browserBinding: string | undefined): Promise<CompletedAuthorization>;
}

/** OAuth 2.0 callbacks carry `state` (RFC 6749 §4.1.2), OAuth 1.0a ones `oauth_token`. */
function readCallback(query: URLSearchParams, dance: OAuthDance): Callback {
  const value = (name: string) => query.get(name) ?? undefined;
  if (query.has('state')) {
    const parsed = oauth2CallbackQuerySchema.safeParse({ state: value('state'), code: value('code'), error: value('error') });
    if (!parsed.success) return invalid('oauth2', 'the callback lacks its state');
    const { state, code, error } = parsed.data;
    return { flow: 'oauth2', key: state, complete: (browserBinding) => dance.completeOAuth2({ state, code, error, browserBinding }) };
  }
  const parsed = callbackQuerySchema.safeParse({
    tenant: value('tenant'),
    oauth_token: value('oauth_token'),
    oauth_verifier: value('oauth_verifier'),
  });
  if (!parsed.success) return invalid('oauth1', 'the callback lacks its token or verifier');
  const { tenant, oauth_token: requestToken, oauth_verifier: verifier } = parsed.data;
  return {
    flow: 'oauth1',
    key: requestToken,
    complete: (browserBinding) => dance.complete({ tenantId: tenant, requestToken, verifier, browserBinding }),
  };
}

function invalid(flow: Callback['flow'], detail: string): Callback {
  return { flow, key: undefined, complete: () => Promise.reject(new AppError({ code: 'oauth_request_token_invalid', detail })) };
}
