import { z } from 'zod';
import { AppError, isAppError } from '../shared/platform/errors/AppError';
import { statusForCode, titleForCode } from '../shared/platform/errors/statusForCode';
import { oauthDancePage } from '../shared/jira/oauthDancePage';
import type { HttpServiceHandler } from './FunctionDefinition';

export const beginQuerySchema = z.object({
  tenant: z.string().min(1).max(128),
  id: z.string().min(1).max(128),
});

/**
 * `GET jira/oauth/begin?tenant&id`: the one-time URL `oauth/start` answers, which the Office
 * dialog opens. The first browser to open it gets the cookie that binds it to the
 * authorization (only the callback reads it) and a 302 to Jira's authorize page; any later
 * one, or an id the app did not make, gets the dialog's 400 page. The id is the only
 * credential here; the redirect carries no Referer that could repeat it.
 */
export const jiraOAuthBegin: HttpServiceHandler = async (request, context, services) => {
  try {
    const query = beginQuerySchema.safeParse({
      tenant: request.query.get('tenant') ?? undefined,
      id: request.query.get('id') ?? undefined,
    });
    if (!query.success) throw new AppError({ code: 'oauth_request_token_invalid', detail: 'the authorization link lacks its id' });
    const begun = await services.oauthDance.begin({ tenantId: query.data.tenant, id: query.data.id });
    services.logs.of(context, { tenantId: query.data.tenant }).info('jiraOAuthBegin status=302');
    return {
      status: 302,
      headers: { Location: begun.jiraAuthorizeUrl, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
      cookies: [begun.cookie],
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    const status = statusForCode(error.code);
    const log = services.logs.of(context, { problemCode: error.code });
    if (status >= 500) log.warn(`jiraOAuthBegin status=${status} code=${error.code}`);
    else log.info(`jiraOAuthBegin status=${status} code=${error.code}`);
    return oauthDancePage({ ok: false, status, code: error.code, message: `${titleForCode(error.code)}.` });
  }
};
