import { Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import type { OutboundClient } from '../../platform/http/OutboundClient';
import { BearerTokenMiddleware } from './BearerTokenMiddleware';
import { GraphApi } from './GraphApi';
import { GraphTokenProvider } from './GraphTokenProvider';
import { MsalNetworkModule } from './MsalNetworkModule';
import { OutboundTransportMiddleware } from './OutboundTransportMiddleware';

export interface CreateGraphApiInit {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  authorityHost: string;
  /** Graph's origin, e.g. `https://graph.microsoft.com`. */
  origin: string;
  /** Origin plus path without the version, and the version: how the SDK builds URLs. */
  sdkBaseUrl: string;
  version: string;
  http: OutboundClient;
  now: () => number;
}

/**
 * Builds the Graph client of one tenant: the SDK's request builder over our middleware
 * chain (app token from MSAL, then our keep-alive transport). This module is the only way
 * into MSAL and the Graph SDK, and it is loaded on first use.
 */
export function createGraphApi(init: CreateGraphApiInit): GraphApi {
  const network = new MsalNetworkModule({ http: init.http, now: init.now });
  const tokens = new GraphTokenProvider({
    tenantId: init.tenantId,
    clientId: init.clientId,
    clientSecret: init.clientSecret,
    authorityHost: init.authorityHost,
    scope: `${init.origin}/.default`,
    network,
  });
  const baseUrl = `${init.sdkBaseUrl.replace(/\/+$/, '')}/${init.version}`;
  const clientWith = (provider: AuthenticationProvider) =>
    Client.initWithMiddleware({
      baseUrl: init.sdkBaseUrl,
      defaultVersion: init.version,
      middleware: [
        new BearerTokenMiddleware({ tokens: provider, origin: init.origin }),
        new OutboundTransportMiddleware({ http: init.http }),
      ],
    });
  const asUser = (assertion: string) =>
    new GraphApi({ client: clientWith(tokens.onBehalfOf(assertion, `${init.origin}/Mail.Read.Shared`)), baseUrl, now: init.now });
  return new GraphApi({ client: clientWith(tokens), baseUrl, now: init.now, asUser, appToken: () => tokens.getAccessToken() });
}
