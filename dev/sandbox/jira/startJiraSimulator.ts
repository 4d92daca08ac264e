import http from 'node:http';
import { z } from 'zod';
import { systemClock, type Clock } from '../../../shared/platform/clock';
import { applinksRoutes } from './applinksRoutes';
import { attachmentRoutes } from './attachmentRoutes';
import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import {
  JiraSimulatorState,
  type ConsumerRegistration,
  type OAuth2Client,
  type RecordedRequest,
  type RecordedUpload,
  type SimulatedAttachment,
  type SimulatedIssue,
  type SimulatedUser,
} from './JiraSimulatorState';
import { approveRequestToken, denyRequestToken, oauthRoutes } from './oauthRoutes';
import { answerAuthorize, oauth2Routes, scopeAllows } from './oauth2Routes';
import { restRoutes } from './restRoutes';
import { sendErrorMessages, sendJson, sendOAuthProblem } from './simulatorResponses';
import { verifyOAuthRequest, type OAuthVerification } from './verifyOAuthRequest';
import { listen } from '../../listen';

export interface JiraSimulatorInit {
  /** Loopback by default. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  clock?: Clock;
  /** A context path such as `/jira`, as many Jira Server installations have. Default none. */
  basePath?: string;
  /** How far `oauth_timestamp` may be from the simulator's clock; Jira's default is 300 s. */
  timestampToleranceSeconds?: number;
  requestTokenTtlSeconds?: number;
  accessTokenTtlSeconds?: number;
  /** The Jira version the applinks manifest claims; default 9.12.0 (an OAuth 2.0 provider). */
  version?: string;
  /** OAuth 2.0 access tokens; Jira DC's live 2 hours. */
  oauth2AccessTokenTtlSeconds?: number;
  users?: SimulatedUser[];
  issues?: SimulatedIssue[];
  /** Routes of other features (watchers, notify, UPM), tried before the built-in ones. */
  routes?: JiraSimulatorRoute[];
  /**
   * `/_sandbox/…` control endpoints of other features (e.g. the notify outbox); each answers
   * and returns true, or returns false to pass the request on.
   */
  controls?: SimulatorControl[];
}

export type SimulatorControl = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  path: string,
  nowMs: number,
) => Promise<boolean>;

export interface JiraSimulator {
  /** Base URL with the base path, no trailing slash: what is registered as the instance's baseUrl. */
  url: string;
  state: JiraSimulatorState;
  /** Every request seen outside `/_sandbox/`, oldest first. */
  readonly requests: readonly RecordedRequest[];
  readonly uploads: readonly RecordedUpload[];
  clearRequests(): void;
  registerConsumer(registration: ConsumerRegistration): void;
  /** An incoming OAuth 2.0 link whose redirect URL is `redirectUri`: its client id and secret. */
  addOAuth2Client(redirectUri: string): OAuth2Client;
  /** The user clicks "Allow" on the OAuth 2.0 consent page `authorizeUrl`: where Jira sends the browser. */
  approveOAuth2(authorizeUrl: string, userName: string): { callbackUrl: string };
  denyOAuth2(authorizeUrl: string): { callbackUrl: string };
  expireOAuth2AccessTokens(userName?: string): void;
  /** The user revokes the app in their Jira profile: its access and refresh tokens stop working. */
  revokeOAuth2(userName?: string): void;
  /** A personal access token (Jira DC 8.14+) for the user. */
  addPersonalAccessToken(userName: string): string;
  /** The user clicks "Allow": returns the callback URL the browser would be sent to. */
  approve(requestToken: string, userName: string): { verifier: string; callbackUrl: string };
  /** The user clicks "Deny". */
  deny(requestToken: string): { callbackUrl: string };
  /** The request tokens handed out so far, newest last. */
  requestTokens(): string[];
  revokeAccessTokens(userName?: string): void;
  expireAccessTokens(userName?: string): void;
  addAttachment(init: { size: number; filename?: string; mimeType?: string; issueKey?: string }): SimulatedAttachment & { path: string };
  /** Answers requests to `path` (after the base path, no query) with this redirect. */
  redirect(path: string, location: string, status?: number): void;
  /** Requests to `path` (after the base path, no query) are read but never answered. */
  stall(path: string): void;
  /** The next `count` requests fail with `status` (and `Retry-After`). */
  fail(fault: { status: number; retryAfter?: number; count: number }): void;
  addRoute(route: JiraSimulatorRoute): void;
  stop(): Promise<void>;
}

const faultSchema = z.object({
  status: z.number().int().min(400).max(599),
  retryAfter: z.number().int().min(0).optional(),
  count: z.number().int().min(1).default(1),
});
const MAX_FORM_BYTES = 1024 * 1024;

/**
 * A simulated Jira Server / Data Center on loopback that speaks the real protocols: every
 * OAuth 1.0a RSA-SHA1 signature is checked against the registered public key, nonces and
 * timestamps are enforced with Jira's `oauth_problem` answers, the request-token /
 * authorize / access-token dance runs, personal access tokens work, and a few REST
 * resources answer (attachments of any size are generated and streamed).
 */
export async function startJiraSimulator(init: JiraSimulatorInit = {}): Promise<JiraSimulator> {
  const host = init.host ?? '127.0.0.1';
  const clock = init.clock ?? systemClock;
  const basePath = (init.basePath ?? '').replace(/\/+$/, '');
  const tolerance = init.timestampToleranceSeconds ?? 300;
  const state = new JiraSimulatorState(init.users, init.issues);
  const oauth2Init = {
    codeTtlMs: 10 * 60_000,
    accessTokenTtlMs: (init.oauth2AccessTokenTtlSeconds ?? 7200) * 1000,
    refreshTokenTtlMs: 90 * 86400_000,
  };
  const routes: JiraSimulatorRoute[] = [
    ...(init.routes ?? []),
    ...oauthRoutes({
      requestTokenTtlMs: (init.requestTokenTtlSeconds ?? 600) * 1000,
      accessTokenTtlMs: (init.accessTokenTtlSeconds ?? 5 * 365 * 86400) * 1000,
    }),
    ...oauth2Routes(oauth2Init),
    ...applinksRoutes({ version: init.version ?? '9.12.0', serverId: 'B7D3-4A1C-9E2F-SIMU' }),
    ...restRoutes(),
    ...attachmentRoutes(),
  ];
  let url = '';

  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { errorMessages: ['Internal server error'], errors: {} });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const rawUrl = request.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : rawUrl.slice(queryAt + 1);
    const method = request.method ?? 'GET';
    if (rawPath.startsWith('/_sandbox/')) return control(request, response, rawPath);

    const record: RecordedRequest = { method, url: rawUrl, headers: { ...request.headers } };
    state.requests.push(record);
    response.once('finish', () => (record.status = response.statusCode));
    if (basePath !== '' && rawPath !== basePath && !rawPath.startsWith(`${basePath}/`))
      return sendErrorMessages(response, 404, 'Not found');
    const path = rawPath.slice(basePath.length);
    record.url = path + (queryAt < 0 ? '' : `?${rawQuery}`);

    if (state.stalls.has(path)) {
      request.resume();
      return;
    }
    const redirect = state.redirects.get(path);
    if (redirect) {
      request.resume();
      response.writeHead(redirect.status, { Location: redirect.location, 'Content-Length': 0 });
      response.end();
      return;
    }
    if (state.fault && state.fault.remaining > 0) {
      const fault = state.fault;
      fault.remaining -= 1;
      if (fault.remaining === 0) state.fault = undefined;
      request.resume();
      return sendJson(
        response,
        fault.status,
        { errorMessages: ['Simulated failure'], errors: {} },
        fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) },
      );
    }

    let match: RegExpExecArray | null = null;
    const route = routes.find((candidate) => candidate.methods.includes(method) && (match = candidate.path.exec(path)) !== null);
    if (!route || !match) {
      request.resume();
      return sendErrorMessages(response, 404, 'null for uri: ' + url + path);
    }

    let formBody: string | undefined;
    let formRead = false;
    const readForm = async (): Promise<string | undefined> => {
      if (formRead) return formBody;
      formRead = true;
      if (!(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) return undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of request) {
        size += (chunk as Buffer).length;
        if (size > MAX_FORM_BYTES) throw new Error('form body too large');
        chunks.push(chunk as Buffer);
      }
      record.bodyBytes = size;
      formBody = Buffer.concat(chunks).toString('utf8');
      return formBody;
    };
    const verifyOAuth = async (): Promise<OAuthVerification> =>
      verifyOAuthRequest(
        {
          method,
          scheme: 'http',
          hostHeader: request.headers.host ?? '',
          rawPath,
          rawQuery,
          authorization: request.headers.authorization ?? '',
          formBody: await readForm(),
          nowSeconds: Math.floor(clock.now() / 1000),
          toleranceSeconds: tolerance,
        },
        state,
      );

    const context: SimulatorContext = {
      request,
      response,
      match,
      path,
      query: new URLSearchParams(rawQuery),
      state,
      baseUrl: url,
      nowMs: () => clock.now(),
      record,
      readForm,
      verifyOAuth,
    };

    if (route.auth === 'user') {
      const authorization = request.headers.authorization;
      if (!authorization) {
        record.auth = { kind: 'none' };
        request.resume();
        return sendErrorMessages(response, 401, 'You are not authenticated. Authentication required to perform this operation.');
      }
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization);
      const oauth2 = bearer ? state.oauth2AccessTokens.get(bearer[1] ?? '') : undefined;
      if (oauth2) {
        // RFC 6750 §3.1: an expired or revoked token is 401 invalid_token; a token whose
        // scope does not allow the call is 403 insufficient_scope.
        if (oauth2.revoked || oauth2.expiresAt <= clock.now()) {
          record.auth = { kind: 'oauth2', user: oauth2.user, problem: 'invalid_token' };
          request.resume();
          return sendErrorMessages(response, 401, 'You are not authenticated. Authentication required to perform this operation.');
        }
        if (!scopeAllows(oauth2.scope, method)) {
          record.auth = { kind: 'oauth2', user: oauth2.user, problem: 'insufficient_scope' };
          request.resume();
          return sendJson(
            response,
            403,
            { errorMessages: ['The OAuth 2.0 token does not have the required scope.'], errors: {} },
            { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
          );
        }
        record.auth = { kind: 'oauth2', user: oauth2.user };
        context.user = state.requireUser(oauth2.user);
      } else if (bearer) {
        const userName = state.personalAccessTokens.get(bearer[1] ?? '');
        record.auth = { kind: 'pat', user: userName };
        if (!userName) {
          request.resume();
          return sendErrorMessages(response, 401, 'The personal access token is not valid.');
        }
        context.user = state.requireUser(userName);
      } else if (/^OAuth\s/i.test(authorization)) {
        const verified = await verifyOAuth();
        const outcome = verified.ok ? userOf(verified) : verified;
        if ('problem' in outcome) {
          record.auth = { kind: 'oauth', problem: outcome.problem };
          request.resume();
          return sendOAuthProblem(response, outcome.status, outcome.problem, url);
        }
        record.auth = { kind: outcome.kind, consumerKey: verified.ok ? verified.consumer.consumerKey : undefined, user: outcome.user.name };
        context.user = outcome.user;
      } else {
        record.auth = { kind: 'none' };
        request.resume();
        return sendErrorMessages(response, 401, 'Basic authentication is disabled.');
      }
    }
    await route.handle(context);
  }

  /** The user a verified request acts as: its access token's, or 2-legged (with impersonation). */
  function userOf(
    verified: Extract<OAuthVerification, { ok: true }>,
  ): { kind: 'oauth' | 'oauth-2lo'; user: SimulatedUser } | { problem: string; status: number } {
    const token = verified.oauth.get('oauth_token');
    if (token) {
      const access = state.accessTokens.get(token);
      if (!access || access.consumerKey !== verified.consumer.consumerKey || access.revoked)
        return { problem: 'token_rejected', status: 401 };
      if (clock.now() > access.expiresAt) return { problem: 'token_expired', status: 401 };
      return { kind: 'oauth', user: state.requireUser(access.user) };
    }
    const requestor = verified.query.find(([name]) => name === 'xoauth_requestor_id')?.[1];
    if (requestor !== undefined) {
      const user = state.users.get(requestor);
      if (!verified.consumer.allowImpersonation || !user) return { problem: 'permission_denied', status: 401 };
      return { kind: 'oauth-2lo', user };
    }
    const executing = verified.consumer.twoLeggedUser ? state.users.get(verified.consumer.twoLeggedUser) : undefined;
    if (!executing) return { problem: 'permission_denied', status: 401 };
    return { kind: 'oauth-2lo', user: executing };
  }

  async function control(request: http.IncomingMessage, response: http.ServerResponse, path: string): Promise<void> {
    if (path === '/_sandbox/faults' && request.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const parsed = faultSchema.safeParse(body);
      if (!parsed.success) return sendJson(response, 400, { error: 'invalid_body' });
      state.fault = { status: parsed.data.status, retryAfter: parsed.data.retryAfter, remaining: parsed.data.count };
      return sendJson(response, 200, { ok: true });
    }
    for (const handle of init.controls ?? []) {
      if (await handle(request, response, path, clock.now())) return;
    }
    request.resume();
    return sendJson(response, 404, { error: 'not_found' });
  }

  url = `${(await listen(server, host, init.port ?? 0)).url}${basePath}`;

  let stopped: Promise<void> | undefined;
  const filterTokens = (userName: string | undefined) =>
    [...state.accessTokens.values()].filter((token) => userName === undefined || token.user === userName);
  return {
    url,
    state,
    get requests() {
      return state.requests;
    },
    get uploads() {
      return state.uploads;
    },
    clearRequests: () => {
      state.requests.length = 0;
    },
    registerConsumer: (registration) => state.registerConsumer(registration),
    addPersonalAccessToken: (userName) => state.addPersonalAccessToken(userName),
    addOAuth2Client: (redirectUri) => state.addOAuth2Client(redirectUri),
    approveOAuth2: (authorizeUrl, userName) => ({
      callbackUrl: answerAuthorize(state, new URL(authorizeUrl).searchParams, userName, false, clock.now(), oauth2Init),
    }),
    denyOAuth2: (authorizeUrl) => ({
      callbackUrl: answerAuthorize(state, new URL(authorizeUrl).searchParams, '', true, clock.now(), oauth2Init),
    }),
    expireOAuth2AccessTokens: (userName) => {
      for (const token of state.oauth2AccessTokens.values())
        if (userName === undefined || token.user === userName) token.expiresAt = clock.now() - 1;
    },
    revokeOAuth2: (userName) => {
      for (const tokens of [state.oauth2AccessTokens, state.oauth2RefreshTokens])
        for (const token of tokens.values()) if (userName === undefined || token.user === userName) token.revoked = true;
    },
    approve: (requestToken, userName) => approveRequestToken(state, requestToken, userName),
    deny: (requestToken) => ({ callbackUrl: denyRequestToken(state, requestToken) }),
    requestTokens: () => [...state.requestTokens.keys()],
    revokeAccessTokens: (userName) => filterTokens(userName).forEach((token) => (token.revoked = true)),
    expireAccessTokens: (userName) => filterTokens(userName).forEach((token) => (token.expiresAt = clock.now() - 1)),
    addAttachment: (attachmentInit) => {
      const attachment = state.addAttachment(attachmentInit);
      return { ...attachment, path: `secure/attachment/${attachment.id}/${encodeURIComponent(attachment.filename)}` };
    },
    redirect: (path, location, status = 302) => state.redirects.set(path.startsWith('/') ? path : `/${path}`, { status, location }),
    stall: (path) => state.stalls.add(path.startsWith('/') ? path : `/${path}`),
    fail: (fault) => {
      state.fault = { status: fault.status, retryAfter: fault.retryAfter, remaining: fault.count };
    },
    addRoute: (route) => routes.unshift(route),
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}
