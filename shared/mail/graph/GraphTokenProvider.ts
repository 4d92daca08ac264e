import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { AppError } from '../../platform/errors/AppError';
import type { MsalNetworkModule } from './MsalNetworkModule';
import { throttledError } from './throttledError';

export interface GraphTokenProviderInit {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** e.g. `https://login.microsoftonline.com`, or the simulator's `http://127.0.0.1:…`. */
  authorityHost: string;
  /** `{graph origin}/.default`: the app permissions granted to us in that tenant. */
  scope: string;
  network: MsalNetworkModule;
}

/**
 * App-only tokens for Microsoft Graph in one customer tenant: an MSAL confidential client
 * (client credentials) with that tenant's authority. MSAL keeps the token in memory and
 * returns it until five minutes before it expires; concurrent asks on a cold cache share
 * one request.
 *
 * No discovery calls: `knownAuthorities` skips instance discovery and `authorityMetadata`
 * names the token endpoint, so the only request MSAL makes is the token request, and the
 * authority can sit on loopback http in the sandbox (the authority string itself must be
 * https for MSAL; the endpoint it posts to need not).
 */
export class GraphTokenProvider implements AuthenticationProvider {
  private readonly application: ConfidentialClientApplication;
  private readonly scope: string;
  private readonly network: MsalNetworkModule;
  private pending: Promise<string> | undefined;

  constructor(init: GraphTokenProviderInit) {
    const host = new URL(init.authorityHost).host;
    const base = `${init.authorityHost}/${init.tenantId}`;
    this.scope = init.scope;
    this.network = init.network;
    this.application = new ConfidentialClientApplication({
      auth: {
        clientId: init.clientId,
        clientSecret: init.clientSecret,
        authority: `https://${host}/${init.tenantId}`,
        knownAuthorities: [host],
        authorityMetadata: JSON.stringify({
          token_endpoint: `${base}/oauth2/v2.0/token`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${init.authorityHost}/${init.tenantId}/discovery/v2.0/keys`,
          issuer: `https://${host}/${init.tenantId}/v2.0`,
        }),
      },
      system: {
        networkClient: init.network,
        loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
      },
    });
  }

  getAccessToken(): Promise<string> {
    this.pending ??= this.acquire().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Delegated tokens for one user, by the on-behalf-of flow: the user's own token (the
   * add-in's bearer token, addressed to this app) traded for a Graph token with `scope`,
   * so Graph itself decides what that user may read. MSAL caches it per assertion.
   */
  onBehalfOf(assertion: string, scope: string): AuthenticationProvider {
    return {
      getAccessToken: async () => {
        try {
          const result = await this.application.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: [scope] });
          if (!result?.accessToken)
            throw new AppError({ code: 'graph_access_denied', detail: 'the token endpoint answered no access token' });
          return result.accessToken;
        } catch (error) {
          throw this.toFailure(error);
        }
      },
    };
  }

  private async acquire(): Promise<string> {
    try {
      const result = await this.application.acquireTokenByClientCredential({ scopes: [this.scope] });
      if (!result?.accessToken) throw new AppError({ code: 'graph_access_denied', detail: 'the token endpoint answered no access token' });
      return result.accessToken;
    } catch (error) {
      throw this.toFailure(error);
    }
  }

  private toFailure(error: unknown): AppError {
    if (error instanceof AppError) return error;
    const wait = this.network.retryAfterSeconds();
    if (wait > 0) return throttledError('the token endpoint', wait, error);
    return toTokenError(error);
  }
}

/** MSAL's errors carry the server's description, which can echo the client id; keep the code only. */
function toTokenError(error: unknown): AppError {
  const code =
    typeof error === 'object' && error !== null && 'errorCode' in error && typeof error.errorCode === 'string'
      ? error.errorCode
      : 'unknown';
  const safeCode = /^[\w.-]{1,64}$/.test(code) ? code : 'unknown';
  if (safeCode === 'network_error' || safeCode === 'endpoints_resolution_error') {
    return new AppError({ code: 'upstream_unreachable', detail: 'the token endpoint could not be reached', cause: error });
  }
  return new AppError({
    code: 'graph_access_denied',
    detail: `the token endpoint refused the client credentials (${safeCode})`,
    cause: error,
  });
}
