import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Caller } from '../auth/Caller';
import { AppError, isAppError } from '../platform/errors/AppError';
import type { OutboundClient, OutboundResponse } from '../platform/http/OutboundClient';
import { toProblemResponse } from '../platform/http/problemResponse';
import { readBody } from '../platform/http/readBody';
import { toUpstreamError } from '../platform/http/toUpstreamError';
import { isInstanceId } from '../jira/instanceId';
import type { InstanceService, LoadedInstance } from '../jira/InstanceService';
import type { JiraUserAuthorizer, UserAuthorization } from '../jira/JiraUserAuthorizer';
import { oauthProblemError, TOKEN_PROBLEMS } from '../jira/oauthProblemError';
import { parseFormPairs, type FormPair } from '../jira/parseFormPairs';
import { readOAuthProblem } from '../jira/readOAuthProblem';
import { checkProxyForm, checkProxyQuery } from './checkProxyQuery';
import { BodyTooLargeError } from './countBytes';
import { assertDecodedPathSafe, parseProxyPath } from './parseProxyPath';
import { rewriteLocation } from './rewriteLocation';
import { countChunks, toCountingWebStream, type CountedEnd } from './toCountingWebStream';
import { toClientHeaders } from './toClientHeaders';
import { toUpstreamHeaders } from './toUpstreamHeaders';
import { appMetrics } from '../platform/telemetry/appMetrics';

export interface ProxyLog {
  info(line: string): void;
  error(line: string): void;
}

export interface ProxyRequest {
  method: string;
  /** The request URL as the host hands it over. */
  url: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
  /** Route values: `instanceId` and the catch-all `path` as the host decoded it (if at all). */
  params: Readonly<Record<string, string | undefined>>;
  /** Validates the bearer token; called first thing (a preflight never gets here: the edge answers it). */
  authenticate(): Promise<Caller>;
  log: ProxyLog;
}

export interface ProxyResponse {
  status: number;
  headers: Record<string, string>;
  body?: NodeReadableStream<Uint8Array> | string;
}

export interface JiraProxyInit {
  instances: InstanceService;
  authorizer: JiraUserAuthorizer;
  http: OutboundClient;
  /** `PROXY_MAX_BODY_BYTES`. */
  maxBodyBytes: number;
}

const ROUTE_PREFIX = '/api/jira/';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_FORM_BYTES = 1024 * 1024;
const NO_BODY_STATUSES = new Set([204, 205, 304]);

interface Outcome {
  template: string;
  instanceId: string;
  bytesIn: number;
}

/**
 * The pass-through to Jira (seed 003): only registered instances of the caller's tenant,
 * only their REST and attachment paths, every request signed with OAuth 1.0a for exactly
 * its method and URL (or, on an OAuth 2.0 instance, with the user's bearer token), bodies streamed both ways, and one log line per request that names
 * the kind of call but no key, query, header value, body or token.
 */
export class JiraProxy {
  private readonly instances: InstanceService;
  private readonly authorizer: JiraUserAuthorizer;
  private readonly http: OutboundClient;
  private readonly maxBodyBytes: number;

  constructor(init: JiraProxyInit) {
    this.instances = init.instances;
    this.authorizer = init.authorizer;
    this.http = init.http;
    this.maxBodyBytes = init.maxBodyBytes;
  }

  async handle(request: ProxyRequest): Promise<ProxyResponse> {
    const started = performance.now();
    const method = request.method.toUpperCase();
    const outcome: Outcome = {
      template: '-',
      instanceId: isInstanceId(request.params.instanceId) ? request.params.instanceId : '-',
      bytesIn: 0,
    };
    // Called once per request, when its answer is complete: the log line and the latency metric.
    const line = (status: number, extra: string) => {
      const elapsed = performance.now() - started;
      appMetrics.proxyDuration(elapsed, { method, status, route: outcome.template });
      return `jiraProxy ${method} instance=${outcome.instanceId} path=${outcome.template} status=${status} in=${outcome.bytesIn}${extra} ms=${Math.round(elapsed)}`;
    };

    try {
      const response = await this.forward(request, method, outcome, (status, bytesOut, aborted) =>
        request.log.info(line(status, ` out=${bytesOut}${aborted ? ' aborted' : ''}`)),
      );
      return response;
    } catch (error) {
      const problem = toProblemResponse(error);
      if (isAppError(error)) request.log.info(line(problem.status, ` out=0 code=${error.code}`));
      else request.log.error(line(problem.status, ` out=0 unexpected=${error instanceof Error ? error.constructor.name : typeof error}`));
      return { status: problem.status, headers: problem.headers, body: problem.body };
    }
  }

  private async forward(
    request: ProxyRequest,
    method: string,
    outcome: Outcome,
    done: (status: number, bytesOut: number, aborted: boolean) => void,
  ): Promise<ProxyResponse> {
    const caller = await request.authenticate();
    const instanceId = request.params.instanceId ?? '';
    if (!isInstanceId(instanceId)) throw new AppError({ code: 'instance_not_found', detail: 'no Jira instance with this id' });

    const url = new URL(request.url);
    const prefix = `${ROUTE_PREFIX}${instanceId}/proxy/`;
    // The host hands over a URL it already normalized (`..` and `%2e%2e` resolved); one that
    // climbed out of this instance's proxy prefix is refused, not re-routed.
    // Route literals match case-insensitively, as the host's routing does.
    if (url.pathname.slice(0, prefix.length).toLowerCase() !== prefix)
      throw new AppError({ code: 'invalid_path', detail: 'the path climbs out of the instance' });
    const path = parseProxyPath(url.pathname.slice(prefix.length));
    outcome.template = path.template;
    if (request.params.path !== undefined) assertDecodedPathSafe(request.params.path);
    checkProxyQuery(url.search);
    const incoming: [string, string][] = [];
    request.headers.forEach((value, name) => incoming.push([name, value]));
    const headers = toUpstreamHeaders(incoming);
    const declaredLength = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (declaredLength !== undefined && !(Number.isSafeInteger(declaredLength) && declaredLength >= 0))
      throw new AppError({ code: 'invalid_header', detail: 'Content-Length is not a number' });
    if (declaredLength !== undefined && declaredLength > this.maxBodyBytes)
      throw new AppError({ code: 'payload_too_large', detail: `the body exceeds ${this.maxBodyBytes} bytes` });

    const instance = await this.instances.require(caller.tenantId, instanceId);
    const startUrl = this.instances.startUrl(instanceId);

    const upstreamUrl = new URL(`${instance.entity.baseUrl}/${path.path}${url.search}`);
    const body = await this.upstreamBody(request, method, headers);
    let credential = await this.authorizer.authorize(caller, instance, {
      method,
      url: upstreamUrl,
      ...(body.pairs ? { form: body.pairs } : {}),
    });
    headers['user-agent'] = 'jira-outlook-cloud-proxy';
    const send = async (authorization: string): Promise<OutboundResponse> => {
      try {
        // Set in place, not spread into a copy per call: a retry replaces it with the renewed credential.
        headers.authorization = authorization;
        return await this.http.request(upstreamUrl, {
          method,
          headers,
          body: body.form ?? body.stream?.body ?? null,
        });
      } catch (error) {
        if (body.stream?.tooLarge() || error instanceof BodyTooLargeError)
          throw new AppError({ code: 'payload_too_large', detail: `the body exceeds ${this.maxBodyBytes} bytes` });
        throw toUpstreamError(error, 'Jira');
      } finally {
        outcome.bytesIn = body.stream?.bytes() ?? body.form?.length ?? 0;
      }
    };

    let response = await send(credential.authorization);
    let retried = false;
    // A bearer token Jira refuses before its expiry: one refresh, and the call once more when
    // it can be sent again (no body, or a form body held in memory; a streamed upload is gone).
    if (response.statusCode === 401 && credential.renew && body.stream === undefined) {
      await response.body.dump().catch(() => undefined);
      const renewed = await credential.renew();
      if (!renewed)
        throw this.authorizer.authorizationRequired(instanceId, 'Jira no longer accepts the stored authorization; authorize the app again');
      credential = renewed;
      response = await send(credential.authorization);
      retried = true;
    }
    if (body.stream?.tooLarge()) {
      await response.body.dump().catch(() => undefined);
      throw new AppError({ code: 'payload_too_large', detail: `the body exceeds ${this.maxBodyBytes} bytes` });
    }
    return this.relay({ response, instance, credential, retried, upstreamUrl, done, startUrl });
  }

  private async upstreamBody(
    request: ProxyRequest,
    method: string,
    headers: Record<string, string>,
  ): Promise<{ form?: Buffer; pairs?: FormPair[]; stream?: CountedUpload }> {
    if (!BODY_METHODS.has(method) || request.body === null) return {};
    if ((headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      // A form body's parameters are part of the signature (RFC 5849 §3.4.1.3), so it is read first; it is small by nature.
      const limit = Math.min(MAX_FORM_BYTES, this.maxBodyBytes);
      const form = await readBody(request.body, {
        maxBytes: limit,
        tooLarge: () => new AppError({ code: 'payload_too_large', detail: `a form body is limited to ${limit} bytes` }),
        // Drained, not cancelled, so the connection survives to carry the 413.
        overflow: 'drain',
      });
      const pairs = parseFormPairs(form.toString('utf8'));
      if (!pairs) throw new AppError({ code: 'invalid_body', detail: 'the form body has an invalid percent-encoding' });
      checkProxyForm(pairs);
      headers['content-length'] = String(form.length);
      return { form, pairs };
    }
    // Past the limit the caller's body is drained, not cancelled, so the connection survives
    // to carry the 413; a caller that goes away still fails the upload.
    let bytes = 0;
    let end: CountedEnd | undefined;
    // The host's body is Node's web stream, async iterable; the DOM typing of `ReadableStream` says less.
    const body = countChunks(request.body as unknown as NodeReadableStream<Uint8Array>, {
      limit: this.maxBodyBytes,
      done: (counted, how) => ((bytes = counted), (end = how)),
    });
    return { stream: { body, bytes: () => bytes, tooLarge: () => end === 'too_large' } };
  }

  private async relay(input: {
    response: OutboundResponse;
    instance: LoadedInstance;
    credential: UserAuthorization;
    /** The call was sent once more with a refreshed token. */
    retried: boolean;
    upstreamUrl: URL;
    startUrl: string;
    done: (status: number, bytesOut: number, aborted: boolean) => void;
  }): Promise<ProxyResponse> {
    const { response, instance, credential, upstreamUrl, done, startUrl } = input;
    const status = response.statusCode;
    const challenge = response.headers['www-authenticate'];
    const problem =
      challenge === undefined || credential.kind === 'oauth2'
        ? undefined
        : readOAuthProblem({ wwwAuthenticate: Array.isArray(challenge) ? challenge.join(', ') : challenge });
    if (problem) {
      await response.body.dump().catch(() => undefined);
      if (TOKEN_PROBLEMS.has(problem)) await credential.refused();
      throw oauthProblemError(problem, { startUrl });
    }
    // Jira answers 401 to a bearer token it no longer accepts (expired early, revoked by the
    // user in their profile, or the incoming link deleted): the user authorizes again.
    if (status === 401 && credential.kind === 'oauth2') {
      await response.body.dump().catch(() => undefined);
      // Refused again after a refresh: the grant goes. A streamed upload was not retried: its
      // token is refreshed (or dropped if that is refused too), not thrown away with a good refresh token.
      if (input.retried || !credential.renew) await credential.refused();
      else await credential.renew();
      throw this.authorizer.authorizationRequired(
        instance.entity.instanceId,
        'Jira no longer accepts the stored authorization; authorize the app again',
      );
    }

    const headers = toClientHeaders(response.headers);
    if (status >= 300 && status < 400 && status !== 304) {
      await response.body.dump().catch(() => undefined);
      const location = response.headers.location;
      const rewritten =
        typeof location === 'string'
          ? rewriteLocation({
              location,
              requestUrl: upstreamUrl,
              baseUrl: instance.entity.baseUrl,
              proxyBase: this.instances.proxyBase(instance.entity.instanceId),
            })
          : undefined;
      if (!rewritten)
        throw new AppError({ code: 'upstream_redirect_refused', detail: 'Jira redirected to a place the proxy does not serve' });
      delete headers['content-length'];
      delete headers['content-type'];
      done(status, 0, false);
      return { status, headers: { ...headers, location: rewritten } };
    }
    if (NO_BODY_STATUSES.has(status)) {
      await response.body.dump().catch(() => undefined);
      delete headers['content-length'];
      done(status, 0, false);
      return { status, headers };
    }
    return {
      status,
      headers,
      body: toCountingWebStream(response.body, { done: (bytes, end) => done(status, bytes, end !== 'complete') }),
    };
  }
}

/** The upload as it streams to Jira: counted, and failed once it passes the limit. */
interface CountedUpload {
  body: AsyncIterable<Uint8Array>;
  /** Bytes pulled from the caller so far. */
  bytes(): number;
  tooLarge(): boolean;
}
