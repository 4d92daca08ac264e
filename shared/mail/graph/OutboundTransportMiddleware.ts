import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { AppError } from '../../platform/errors/AppError';
import type { OutboundClient } from '../../platform/http/OutboundClient';
import { readBody } from '../../platform/http/readBody';
import { toUpstreamError } from '../../platform/http/toUpstreamError';
import { passThroughError } from './passThroughError';

export interface OutboundTransportMiddlewareInit {
  http: OutboundClient;
  maxBodyBytes?: number;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The last middleware of the chain: sends the request with the process's keep-alive
 * client instead of the SDK's global `fetch`. It never follows a redirect and never
 * retries: a 429 reaches our code with its Retry-After, and the caller (a queue message,
 * the renewal timer) decides when to try again.
 */
export class OutboundTransportMiddleware implements Middleware {
  private readonly maxBodyBytes: number;

  constructor(private readonly init: OutboundTransportMiddlewareInit) {
    this.maxBodyBytes = init.maxBodyBytes ?? 8 * 1024 * 1024;
  }

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers ?? {}).forEach((value, name) => {
      headers[name] = value;
    });
    const body = typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : undefined;
    try {
      const response = await this.init.http.request(new URL(url), {
        method: (options.method ?? 'GET').toUpperCase(),
        headers,
        body,
      });
      const bytes = await readBody(response.body, {
        maxBytes: this.maxBodyBytes,
        tooLarge: () =>
          new AppError({ code: 'upstream_bad_response', detail: `Microsoft Graph answered more than ${this.maxBodyBytes} bytes` }),
      });
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(response.headers)) {
        if (typeof value === 'string') responseHeaders.set(name, value);
        else if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      }
      context.response = new Response(NULL_BODY_STATUSES.has(response.statusCode) ? null : new Uint8Array(bytes), {
        status: response.statusCode,
        headers: responseHeaders,
      });
    } catch (error) {
      throw passThroughError(toUpstreamError(error, 'Microsoft Graph'));
    }
  }
}
