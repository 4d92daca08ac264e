import http from 'node:http';
import { systemClock, type Clock } from '../../../shared/platform/clock';
import type { DeliveryRecord, Fault } from './GraphSimulatorState';
import { GraphSimulatorState } from './GraphSimulatorState';
import { handleGraphApi } from './handleGraphApi';
import { handleSandboxControl } from './handleSandboxControl';
import { handleTokenRequest, remoteKeys } from './handleTokenRequest';
import { VALIDATION_TIMEOUT_MS } from './runValidationHandshake';
import {
  SimulatedGraph,
  type NotificationPayload,
  type PutMailInput,
  type PutMailResult,
  type SimulatedLifecycleEvent,
} from './SimulatedGraph';
import { BodyTooLargeError, sendJson } from './simulatorHttp';
import { VALIDATION_ISSUER_TEMPLATE, ValidationTokenMinter, type ValidationTokenClaims } from './ValidationTokenMinter';
import { listen } from '../../listen';

export interface GraphSimulatorInit {
  /** The app registration whose client credentials the token endpoint accepts. */
  clientId: string;
  clientSecret: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Decides token and subscription expiry and mail timestamps; share the app's clock in tests. */
  clock?: Clock;
  tokenLifetimeSeconds?: number;
  validationTimeoutMs?: number;
  /** Waits before each redelivery of a failed notification (Graph retries for up to 4 hours). */
  retryDelaysMs?: readonly number[];
  notificationTimeoutMs?: number;
  /**
   * The user tokens the on-behalf-of grant accepts as assertions: the issuer's JWKS and the
   * audiences that name our app. Without it the grant refuses every assertion.
   */
  onBehalfOf?: { jwksUrl: string; audiences: readonly string[] };
}

export interface FaultInit {
  status: number;
  retryAfterSeconds?: number;
  count?: number;
  scope?: Fault['scope'];
}

export interface GraphSimulator {
  /** Origin, no trailing slash. */
  url: string;
  /** For `GRAPH_BASE_URL`. */
  baseUrl: string;
  /** For `GRAPH_AUTHORITY_HOST`: the token endpoint is `{authorityHost}/{tenantId}/oauth2/v2.0/token`. */
  authorityHost: string;
  /** For `GRAPH_VALIDATION_JWKS_URL`. */
  validationJwksUrl: string;
  /** For `GRAPH_VALIDATION_ISSUER_TEMPLATE`. */
  validationIssuerTemplate: string;
  tokenUrl(tenantId: string): string;
  /** What the simulator holds and saw (subscriptions, handshakes, deliveries, requests). */
  state: GraphSimulatorState;
  putMail(input: PutMailInput): PutMailResult;
  postLifecycleEvent(subscriptionId: string, lifecycleEvent: SimulatedLifecycleEvent): Promise<DeliveryRecord | undefined>;
  /** What Graph would post for an existing mail to an existing subscription (for crafting batches). */
  notificationFor(subscriptionId: string, mailId: string): Promise<NotificationPayload>;
  /** Removes a subscription silently, as Graph does when it expires or is cleaned up. */
  removeSubscription(subscriptionId: string): boolean;
  failNext(fault: FaultInit): void;
  mintValidationToken(claims: ValidationTokenClaims): Promise<string>;
  /** Resolves when no notification delivery or redelivery is under way. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A loopback Microsoft Graph for the sandbox and the tests: the client credentials token
 * endpoint, `/v1.0/subscriptions` (create after the real validation handshake, renew within
 * the expiry limit, delete), messages by id and listed with `$filter` on receivedDateTime,
 * change notifications (plain, or rich: encrypted with the subscriber's certificate and
 * vouched for by validation tokens), lifecycle events, and 429s with Retry-After on demand.
 */
export async function startGraphSimulator(init: GraphSimulatorInit): Promise<GraphSimulator> {
  const host = init.host ?? '127.0.0.1';
  const clock = init.clock ?? systemClock;
  const state = new GraphSimulatorState();
  const minter = await ValidationTokenMinter.create(clock);
  const graph = new SimulatedGraph({
    state,
    clock,
    minter,
    retryDelaysMs: init.retryDelaysMs ?? [1000, 5000, 30_000, 120_000],
    notificationTimeoutMs: init.notificationTimeoutMs ?? 10_000,
  });
  let url = '';

  const server = http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else if (error instanceof BodyTooLargeError) sendJson(response, 413, { error: 'payload_too_large' });
      else sendJson(response, 500, { error: 'internal' });
    });
  });

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const target = new URL(request.url ?? '/', url);
    const path = target.pathname;
    let segments: string[];
    try {
      segments = path
        .split('/')
        .slice(1)
        .map((segment) => decodeURIComponent(segment));
    } catch {
      return sendJson(response, 400, { error: { code: 'BadRequest', message: 'The request URL is not valid.' } });
    }
    if (path.startsWith('/_sandbox/')) return handleSandboxControl(graph, state, path, request, response);
    if (segments[0] === 'v1.0') {
      return handleGraphApi(
        {
          state,
          clock,
          baseUrl: `${url}/v1.0`,
          validationTimeoutMs: init.validationTimeoutMs ?? VALIDATION_TIMEOUT_MS,
        },
        segments.slice(1),
        target,
        request,
        response,
      );
    }
    if (segments.length === 4 && segments[0] && segments[1] === 'oauth2' && segments[2] === 'v2.0' && segments[3] === 'token') {
      return handleTokenRequest(
        {
          state,
          clock,
          clientId: init.clientId,
          clientSecret: init.clientSecret,
          tokenLifetimeSeconds: init.tokenLifetimeSeconds ?? 3599,
          ...(init.onBehalfOf ? { onBehalfOf: { keys: remoteKeys(init.onBehalfOf.jwksUrl), audiences: init.onBehalfOf.audiences } } : {}),
        },
        segments[0],
        request,
        response,
      );
    }
    if (/^\/[^/]+\/discovery(?:\/v2\.0)?\/keys$/.test(path) && request.method === 'GET') {
      return sendJson(response, 200, minter.keySet(), { 'Cache-Control': 'max-age=86400, private' });
    }
    return sendJson(response, 404, { error: 'not_found' });
  }

  const listening = await listen(server, host, init.port ?? 0);
  url = listening.url;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= new Promise<void>((resolve, reject) => {
      graph.stop();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }));

  return {
    url,
    baseUrl: `${url}/v1.0`,
    authorityHost: url,
    validationJwksUrl: `${url}/common/discovery/keys`,
    validationIssuerTemplate: VALIDATION_ISSUER_TEMPLATE,
    tokenUrl: (tenantId) => `${url}/${tenantId}/oauth2/v2.0/token`,
    state,
    putMail: (input) => graph.putMail(input),
    postLifecycleEvent: (subscriptionId, lifecycleEvent) => graph.postLifecycleEvent(subscriptionId, lifecycleEvent),
    notificationFor: async (subscriptionId, mailId) => {
      const subscription = state.subscriptions.get(subscriptionId);
      const mail = state.mails.get(mailId);
      if (!subscription || !mail) throw new Error('no such subscription or mail');
      return graph.notificationFor(subscription, mail);
    },
    removeSubscription: (subscriptionId) => state.subscriptions.delete(subscriptionId),
    failNext: (fault) => {
      state.faults.push({
        status: fault.status,
        retryAfterSeconds: fault.retryAfterSeconds,
        remaining: fault.count ?? 1,
        scope: fault.scope ?? 'graph',
      });
    },
    mintValidationToken: (claims) => minter.mint(claims),
    idle: () => graph.idle(),
    stop,
  };
}
