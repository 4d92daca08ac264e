import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import type { OutboundClient } from '../../platform/http/OutboundClient';
import { readJsonBody } from '../../platform/http/readJsonBody';
import { retryAfterSeconds } from './retryAfterSeconds';

export interface MsalNetworkModuleInit {
  http: OutboundClient;
  now: () => number;
}

/**
 * MSAL's HTTP, through the process's keep-alive client (its timeouts, its address guard)
 * instead of MSAL's own `https` agent. It also lets the token endpoint be plain http on
 * loopback in the sandbox: MSAL refuses http authorities, but only checks the authority's
 * scheme, not that of the token endpoint given in `authorityMetadata`.
 * A 429/503 with Retry-After is remembered, so the caller can say how long to wait:
 * MSAL turns the answer into a `ServerError` without the header.
 */
export class MsalNetworkModule implements INetworkModule {
  private readonly http: OutboundClient;
  private readonly now: () => number;
  private throttledUntil = 0;

  constructor(init: MsalNetworkModuleInit) {
    this.http = init.http;
    this.now = init.now;
  }

  /** Seconds until the token endpoint wants to be asked again; 0 when it has not said. */
  retryAfterSeconds(): number {
    return Math.max(0, Math.ceil((this.throttledUntil - this.now()) / 1000));
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private async send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await this.http.request(new URL(url), {
      method,
      headers: options?.headers ?? {},
      body: method === 'POST' ? (options?.body ?? '') : undefined,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers[name] = value;
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    if (response.statusCode === 429 || response.statusCode === 503) {
      this.throttledUntil = this.now() + retryAfterSeconds(headers['retry-after'], this.now(), 5) * 1000;
    }
    const body = (await readJsonBody(response, 'the token endpoint', 256 * 1024)) as T;
    return { status: response.statusCode, headers, body };
  }
}
