import { AppError } from '../../platform/errors/AppError';
import type { OutboundClient } from '../../platform/http/OutboundClient';
import type { GraphApi } from './GraphApi';

export interface GraphClientFactoryInit {
  clientId: string;
  clientSecret: string;
  /** `GRAPH_AUTHORITY_HOST`. */
  authorityHost: string;
  /** `GRAPH_BASE_URL`, e.g. `https://graph.microsoft.com/v1.0`. */
  baseUrl: string;
  http: OutboundClient;
  now: () => number;
}

/** A tenant id or verified domain: nothing that could change the authority URL's path. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,127}$/;

/**
 * One `GraphApi` per customer tenant, each with its own MSAL authority and token cache,
 * all sharing the process's keep-alive HTTP client. MSAL and the Graph SDK are loaded on
 * the first Graph call, not at start-up: the webhook, the function that must answer
 * fastest and scale out most, never needs them.
 */
export class GraphClientFactory {
  private readonly apis = new Map<string, GraphApi>();
  private readonly origin: string;
  private readonly sdkBaseUrl: string;
  private readonly version: string;

  constructor(private readonly init: GraphClientFactoryInit) {
    const base = new URL(init.baseUrl);
    const segments = base.pathname.split('/').filter(Boolean);
    const version = segments.pop();
    if (!version)
      throw new AppError({
        code: 'config_invalid',
        detail: 'GRAPH_BASE_URL: expected a URL ending in the API version, e.g. https://graph.microsoft.com/v1.0',
      });
    this.origin = base.origin;
    this.sdkBaseUrl = `${base.origin}/${segments.join('/')}`;
    this.version = version;
  }

  forTenant(tenantId: string): GraphApi {
    if (!TENANT.test(tenantId)) throw new AppError({ code: 'bad_request', detail: 'not a tenant id' });
    const key = tenantId.toLowerCase();
    const existing = this.apis.get(key);
    if (existing) return existing;
    // A synchronous require on first use: the compiled app is CommonJS, and `import()`
    // would load MSAL's ESM build beside the CommonJS one @azure/identity loads.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createGraphApi } = require('./createGraphApi') as typeof import('./createGraphApi');
    const api = createGraphApi({
      tenantId: key,
      clientId: this.init.clientId,
      clientSecret: this.init.clientSecret,
      authorityHost: this.init.authorityHost,
      origin: this.origin,
      sdkBaseUrl: this.sdkBaseUrl,
      version: this.version,
      http: this.init.http,
      now: this.init.now,
    });
    this.apis.set(key, api);
    return api;
  }
}
