import { AppError } from '../platform/errors/AppError';
import type { InstanceService, LoadedInstance } from './InstanceService';
import type { JiraBearerTokens } from './JiraBearerTokens';
import type { JiraTokenStore } from './JiraTokenStore';
import type { OAuth2Grant } from './OAuth2TokenClient';
import type { FormPair } from './parseFormPairs';

export interface UserCall {
  method: string;
  /** The exact URL sent: OAuth 1.0a signs it. */
  url: URL;
  /** The parameters of a form body (signed by OAuth 1.0a). */
  form?: readonly FormPair[];
}

/** The `Authorization` of one call as the user, and how to forget the credential if Jira refuses it. */
export interface UserAuthorization {
  kind: 'oauth1' | 'oauth2';
  authorization: string;
  /** Jira refused the credential: drop it (if still the stored one) so the next call asks the user again. */
  refused(): Promise<void>;
  /**
   * OAuth 2.0 only: after Jira answered 401, a refreshed credential to send the call again
   * with, or undefined when the refresh is refused too (the grant is dropped then).
   */
  renew?(): Promise<UserAuthorization | undefined>;
}

export interface JiraUserAuthorizerInit {
  instances: Pick<InstanceService, 'startUrl'>;
  tokens: Pick<JiraTokenStore, 'getAccess' | 'dropRejected' | 'dropRejectedGrant'>;
  bearers: Pick<JiraBearerTokens, 'current' | 'renew'>;
}

/**
 * The one place a call to Jira as the add-in's user gets its credential, by the instance's
 * kind: OAuth 1.0a signs the exact request with the user's access token; OAuth 2.0 sends
 * the user's bearer token, refreshed before it expires. A user without a credential of
 * the instance's kind (none yet, or an OAuth 1.0a token on an instance switched to 2.0)
 * gets 401 `jira_authorization_required` with the start URL.
 */
export class JiraUserAuthorizer {
  constructor(private readonly init: JiraUserAuthorizerInit) {}

  async authorize(caller: { tenantId: string; userId: string }, instance: LoadedInstance, call: UserCall): Promise<UserAuthorization> {
    const { tokens, bearers } = this.init;
    const { tenantId, userId } = caller;
    const { instanceId } = instance.entity;
    if ((instance.entity.authKind ?? 'oauth1') === 'oauth2') {
      const grant = await bearers.current(tenantId, userId, instance);
      if (!grant) throw this.authorizationRequired(instanceId);
      const bearer = (current: OAuth2Grant): UserAuthorization => ({
        kind: 'oauth2',
        authorization: `Bearer ${current.accessToken}`,
        refused: () => tokens.dropRejectedGrant(tenantId, userId, instanceId, current),
        renew: async () => {
          const renewed = await bearers.renew(tenantId, userId, instance, current);
          return renewed ? bearer(renewed) : undefined;
        },
      });
      return bearer(grant);
    }
    const token = await tokens.getAccess(tenantId, userId, instanceId);
    if (!token) throw this.authorizationRequired(instanceId);
    return {
      kind: 'oauth1',
      authorization: await instance.signer.authorization({
        method: call.method,
        url: call.url,
        token,
        ...(call.form ? { form: call.form } : {}),
      }),
      refused: () => tokens.dropRejected(tenantId, userId, instanceId, token),
    };
  }

  /** 401 `jira_authorization_required` with where the add-in starts the dance. */
  authorizationRequired(instanceId: string, detail = 'authorize the app in Jira first'): AppError {
    return new AppError({
      code: 'jira_authorization_required',
      detail,
      extensions: { startUrl: this.init.instances.startUrl(instanceId) },
    });
  }
}
