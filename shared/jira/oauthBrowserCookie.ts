import type { ResponseCookie } from '../platform/http/cookies';

/**
 * The cookie that binds the browser which began an authorization (the Office dialog) to its
 * callback. One per request token, so two authorizations under way in one browser (two
 * instances) keep their own; its value is a fresh secret the table holds only by hash.
 * HttpOnly and Secure (browsers treat http://localhost and 127.0.0.1 as secure too);
 * SameSite=Lax, since Jira's redirect to the callback is a cross-site top-level GET;
 * its Path is the callback's, so no other request of ours ever carries it.
 */
export function oauthBrowserCookieName(requestTokenHash: string): string {
  return `jira_oauth_${requestTokenHash.slice(0, 16)}`;
}

export function oauthBrowserCookie(input: {
  requestTokenHash: string;
  value: string;
  callbackPath: string;
  maxAgeSeconds: number;
}): ResponseCookie {
  return {
    name: oauthBrowserCookieName(input.requestTokenHash),
    value: input.value,
    path: input.callbackPath,
    maxAge: Math.max(0, Math.floor(input.maxAgeSeconds)),
    secure: true,
    httpOnly: true,
    sameSite: 'Lax',
  };
}

/** The same cookie, expired: the callback clears it whatever the outcome. */
export function clearedOAuthBrowserCookie(requestTokenHash: string, callbackPath: string): ResponseCookie {
  return oauthBrowserCookie({ requestTokenHash, value: '', callbackPath, maxAgeSeconds: 0 });
}
