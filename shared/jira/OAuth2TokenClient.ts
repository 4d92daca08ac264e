import { z } from 'zod';
import { AppError } from '../platform/errors/AppError';
import type { Clock } from '../platform/clock';
import type { OutboundClient } from '../platform/http/OutboundClient';
import { readBody } from '../platform/http/readBody';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import type { OAuth2ClientCredentials } from './InstanceService';

/** What Jira's token endpoint grants: a bearer token, its end, and the (rotated) refresh token. */
export interface OAuth2Grant {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresAt: number;
  scope?: string;
}

export type OAuth2TokenAnswer = { kind: 'granted'; grant: OAuth2Grant } | { kind: 'refused'; error: string };

export interface OAuth2TokenClientInit {
  http: Pick<OutboundClient, 'request'>;
  clock: Clock;
}

const MAX_ANSWER_BYTES = 16 * 1024;
/** Jira's access tokens live 2 hours; an answer without `expires_in` is trusted no longer than that. */
const DEFAULT_LIFETIME_SECONDS = 7200;

const grantSchema = z.object({
  access_token: z.string().min(1).max(4096),
  token_type: z.string().regex(/^bearer$/i),
  expires_in: z
    .number()
    .int()
    .positive()
    .max(10 * 365 * 86400)
    .optional(),
  refresh_token: z.string().min(1).max(4096),
  scope: z.string().max(200).optional(),
});
const errorSchema = z.object({ error: z.string().regex(/^[\x20-\x7e]{1,64}$/) });

/**
 * Jira Data Center's OAuth 2.0 token endpoint (`/rest/oauth2/latest/token`, 8.22+): the
 * authorization code with its PKCE verifier, and refresh grants. Parameters go in an
 * `application/x-www-form-urlencoded` body (RFC 6749 §4.1.3, §6), never in the query,
 * where Atlassian's examples put them, so that no access log holds the client secret; the
 * servlet reads either. Jira checks `redirect_uri` on the refresh grant too.
 * A refused grant (`invalid_grant`: a used, expired or revoked code or refresh token)
 * is an answer, not an error: the caller drops the token and asks the user again.
 */
export class OAuth2TokenClient {
  constructor(private readonly init: OAuth2TokenClientInit) {}

  exchangeCode(input: {
    baseUrl: string;
    client: OAuth2ClientCredentials;
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<OAuth2TokenAnswer> {
    return this.tokenRequest(input.baseUrl, input.client, {
      grant_type: 'authorization_code',
      code: input.code,
      code_verifier: input.codeVerifier,
      redirect_uri: input.redirectUri,
    });
  }

  refresh(input: {
    baseUrl: string;
    client: OAuth2ClientCredentials;
    refreshToken: string;
    redirectUri: string;
  }): Promise<OAuth2TokenAnswer> {
    return this.tokenRequest(input.baseUrl, input.client, {
      grant_type: 'refresh_token',
      refresh_token: input.refreshToken,
      redirect_uri: input.redirectUri,
    });
  }

  private async tokenRequest(
    baseUrl: string,
    client: OAuth2ClientCredentials,
    parameters: Record<string, string>,
  ): Promise<OAuth2TokenAnswer> {
    const url = new URL(`${baseUrl}/rest/oauth2/latest/token`);
    const body = new URLSearchParams({ client_id: client.clientId, client_secret: client.clientSecret, ...parameters }).toString();
    let status: number;
    let text: string;
    try {
      const response = await this.init.http.request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'jira-outlook-cloud' },
        body,
      });
      status = response.statusCode;
      text = (
        await readBody(response.body, {
          maxBytes: MAX_ANSWER_BYTES,
          tooLarge: () => new AppError({ code: 'upstream_bad_response', detail: 'Jira answered more than expected' }),
        })
      ).toString('utf8');
    } catch (error) {
      throw toUpstreamError(error, 'Jira');
    }
    const json = parseJson(text);
    if (status === 200) {
      const grant = grantSchema.safeParse(json);
      if (!grant.success) throw new AppError({ code: 'upstream_bad_response', detail: "Jira's token answer has no bearer token" });
      return {
        kind: 'granted',
        grant: {
          accessToken: grant.data.access_token,
          refreshToken: grant.data.refresh_token,
          expiresAt: this.init.clock.now() + (grant.data.expires_in ?? DEFAULT_LIFETIME_SECONDS) * 1000,
          ...(grant.data.scope === undefined ? {} : { scope: grant.data.scope }),
        },
      };
    }
    const refused = errorSchema.safeParse(json);
    // RFC 6749 §5.2: 400 for a refused grant; 401 is a client Jira does not know (wrong id or secret).
    if (status === 400 && refused.success && refused.data.error === 'invalid_grant') return { kind: 'refused', error: 'invalid_grant' };
    if (status === 401 || (refused.success && refused.data.error === 'invalid_client'))
      throw new AppError({
        code: 'jira_consumer_unknown',
        detail: 'Jira does not accept the OAuth 2.0 client id or secret of this instance',
      });
    throw new AppError({
      code: 'upstream_bad_response',
      detail: `Jira answered ${status}${refused.success ? ` ${refused.data.error}` : ''} to the token request`,
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
