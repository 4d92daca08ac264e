import { isIP } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { Agent, request, type Dispatcher } from 'undici';
import { ForbiddenTargetError } from '../net/guardedLookup';
import { isPublicAddress } from '../net/isPublicAddress';
import { currentTraceparent } from '../telemetry/traceparent';
import { withSpan } from '../telemetry/withSpan';
import { outboundAgentOptions, type OutboundAgentInit } from './outboundAgentOptions';

export type OutboundClientInit = OutboundAgentInit;

export interface OutboundRequest {
  method: Dispatcher.HttpMethod;
  headers?: Record<string, string>;
  /** Also an async iterable, written chunk by chunk with backpressure (a relayed upload). */
  body?: Dispatcher.DispatchOptions['body'] | AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
}

export type OutboundResponse = Dispatcher.ResponseData;

/**
 * The one keep-alive client for every outbound call (Jira, Graph): built once per process
 * so connections (and SNAT ports, in Azure) are reused. Redirects are never followed:
 * undici's `request` returns a 3xx as it is, and the caller decides.
 */
export class OutboundClient {
  private readonly agent: Agent;
  private readonly allowPrivate: boolean;

  constructor(init: OutboundClientInit) {
    this.allowPrivate = init.allowPrivateNetworkTargets;
    this.agent = new Agent(outboundAgentOptions(init));
  }

  async request(url: URL, options: OutboundRequest): Promise<OutboundResponse> {
    // A literal IP never goes through `lookup`, so it is checked here.
    if (!this.allowPrivate) {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (isIP(host) !== 0 && !isPublicAddress(host)) throw new ForbiddenTargetError(host);
    }
    // A dependency span per call. The path only: a query string can carry a JQL, a token or an address.
    const attributes = { 'http.request.method': options.method, 'server.address': url.hostname, 'url.path': url.pathname };
    return withSpan({ name: `${options.method} ${url.hostname}`, kind: SpanKind.CLIENT, attributes }, async (span) => {
      const traceparent = currentTraceparent();
      const response = await request(url, {
        dispatcher: this.agent,
        method: options.method,
        // W3C Trace Context: the callee may join the trace; a caller's own header is kept.
        headers: traceparent && !hasHeader(options.headers, 'traceparent') ? { ...options.headers, traceparent } : options.headers,
        // undici takes an AsyncIterable body (docs/api/Dispatcher.md, `body`: "string | Buffer |
        // Uint8Array | stream.Readable | Iterable | AsyncIterable | null"); its types list fewer.
        body: options.body as Dispatcher.DispatchOptions['body'],
        signal: options.signal,
      });
      span.setAttribute('http.response.status_code', response.statusCode);
      return response;
    });
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return headers !== undefined && Object.keys(headers).some((key) => key.toLowerCase() === name);
}
