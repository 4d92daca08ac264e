import { z } from 'zod';
import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode, titleForCode } from '../shared/platform/errors/statusForCode';
import { oauthDancePage } from '../shared/jira/oauthDancePage';
import type { HttpServiceHandler } from './FunctionDefinition';

const callbackQuerySchema = z.object({
  tenant: z.string().min(1).max(128),
  oauth_token: z.string().min(1).max(512),
  oauth_verifier: z.string().min(1).max(512),
});

/**
 * `GET jira/oauth/callback?tenant&oauth_token&oauth_verifier`: where Jira sends the
 * browser after "Allow". Exchanges the request token once for an access token and answers
 * the small page that tells the Office dialog the outcome. The pending request token is
 * the only credential here: unknown, expired or replayed ones get 400.
 */
export const jiraOAuthCallback: HttpServiceHandler = async (request, context, services) => {
  try {
    const query = callbackQuerySchema.safeParse({
      tenant: request.query.get('tenant') ?? undefined,
      oauth_token: request.query.get('oauth_token') ?? undefined,
      oauth_verifier: request.query.get('oauth_verifier') ?? undefined,
    });
    if (!query.success) throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the callback lacks its token or verifier' });
    const done = await services.oauthDance.complete({
      tenantId: query.data.tenant,
      requestToken: query.data.oauth_token,
      verifier: query.data.oauth_verifier,
    });
    context.log(`jiraOAuthCallback instance=${done.instanceId} status=200`);
    return oauthDancePage({ ok: true, instanceId: done.instanceId, displayName: done.displayName });
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = statusForCode(error.code);
    if (status >= 500) context.warn(`jiraOAuthCallback status=${status} code=${error.code}`);
    else context.log(`jiraOAuthCallback status=${status} code=${error.code}`);
    return oauthDancePage({ ok: false, status, code: error.code, message: `${titleForCode(error.code)}.` });
  }
};
