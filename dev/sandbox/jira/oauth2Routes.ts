import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import type { JiraSimulatorState, OAuth2AccessToken, OAuth2ScopeName as OAuth2Scope } from './JiraSimulatorState';
import { sendJson } from './simulatorResponses';

export interface OAuth2RoutesInit {
  /** Jira DC: authorization codes live 10 minutes. */
  codeTtlMs: number;
  /** Jira DC: access tokens live 2 hours. */
  accessTokenTtlMs: number;
  /** Jira DC: refresh tokens live 90 days. */
  refreshTokenTtlMs: number;
}

/** Jira DC's scopes; each includes those before it. */
const OAUTH2_SCOPES: readonly OAuth2Scope[] = ['READ', 'WRITE', 'ADMIN', 'SYSTEM_ADMIN'];

const newToken = () => randomBytes(32).toString('base64url');

/**
 * Jira Data Center's OAuth 2.0 provider (8.22+) as Atlassian documents it ("Jira OAuth 2.0
 * provider API"): `/rest/oauth2/latest/authorize` (authorization code, PKCE optional but
 * checked when sent; only what the incoming link registered as redirect URL is accepted)
 * and `/rest/oauth2/latest/token` (authorization_code and refresh_token grants, client id
 * and secret as parameters, redirect_uri checked on both). Codes are single-use and live
 * 10 minutes; refresh tokens rotate (the used one is refused afterwards); errors are
 * RFC 6749 §5.2 JSON (`invalid_grant`, `invalid_client`, `invalid_request`).
 */
export function oauth2Routes(init: OAuth2RoutesInit): JiraSimulatorRoute[] {
  return [
    { methods: ['GET'], path: /^\/rest\/oauth2\/latest\/authorize$/, auth: 'none', handle: (context) => authorizePage(context, init) },
    { methods: ['POST'], path: /^\/rest\/oauth2\/latest\/token$/, auth: 'none', handle: (context) => token(context, init) },
  ];
}

/**
 * Stands in for Jira's consent screen: approved as `?user=` (default the first user);
 * `&deny=1` clicks "Deny". Tests call `simulator.approveOAuth2(authorizeUrl, user)`.
 */
function authorizePage(context: SimulatorContext, init: OAuth2RoutesInit): void {
  const user = context.query.get('user') ?? context.state.users.keys().next().value ?? '';
  try {
    const location = answerAuthorize(context.state, context.query, user, context.query.get('deny') === '1', context.nowMs(), init);
    context.response.writeHead(302, { Location: location });
    context.response.end();
  } catch (error) {
    context.response.writeHead(400, { 'Content-Type': 'text/plain;charset=UTF-8' });
    context.response.end(error instanceof Error ? error.message : 'invalid request');
  }
}

/**
 * The consent answer for an authorize request: where the browser goes next. Refuses (throws)
 * what Jira shows an error page for: an unknown client, a redirect URL other than the
 * registered one. Other faults go back to the client as `error=` (RFC 6749 §4.1.2.1).
 */
export function answerAuthorize(
  state: JiraSimulatorState,
  query: URLSearchParams,
  userName: string,
  deny: boolean,
  nowMs: number,
  init: OAuth2RoutesInit,
): string {
  const client = state.oauth2Clients.get(query.get('client_id') ?? '');
  if (!client) throw new Error('unknown client_id');
  const redirectUri = query.get('redirect_uri') ?? client.redirectUri;
  if (redirectUri !== client.redirectUri) throw new Error('redirect_uri does not match the incoming link');
  const back = new URL(redirectUri);
  const clientState = query.get('state');
  if (clientState !== null) back.searchParams.set('state', clientState);
  const fail = (error: string) => {
    back.searchParams.set('error', error);
    return back.toString();
  };
  if (query.get('response_type') !== 'code') return fail('unsupported_response_type');
  const scope = query.get('scope') ?? 'READ';
  if (!(OAUTH2_SCOPES as readonly string[]).includes(scope)) return fail('invalid_scope');
  const challenge = query.get('code_challenge') ?? undefined;
  const method = query.get('code_challenge_method') ?? (challenge === undefined ? undefined : 'plain');
  if (challenge !== undefined && method !== 'S256' && method !== 'plain') return fail('invalid_request');
  if (deny) return fail('access_denied');
  state.requireUser(userName);
  const code = newToken();
  state.oauth2Codes.set(code, {
    code,
    clientId: client.clientId,
    redirectUri,
    user: userName,
    scope: scope as OAuth2Scope,
    ...(challenge === undefined ? {} : { challenge, challengeMethod: method as 'S256' | 'plain' }),
    expiresAt: nowMs + init.codeTtlMs,
    used: false,
  });
  back.searchParams.set('code', code);
  return back.toString();
}

async function token(context: SimulatorContext, init: OAuth2RoutesInit): Promise<void> {
  const { state, response } = context;
  // A servlet reads parameters from the query and a form body alike.
  const form = new URLSearchParams((await context.readForm()) ?? '');
  const parameter = (name: string) => form.get(name) ?? context.query.get(name) ?? undefined;
  const refuse = (status: number, error: string) => {
    context.record.auth = { kind: 'oauth2', problem: error };
    sendJson(response, status, { error, error_description: error });
  };
  const client = state.oauth2Clients.get(parameter('client_id') ?? '');
  if (!client || !sameSecret(parameter('client_secret') ?? '', client.clientSecret)) return refuse(401, 'invalid_client');
  const now = context.nowMs();
  const grantType = parameter('grant_type');
  let user: string;
  let scope: OAuth2Scope;
  if (grantType === 'authorization_code') {
    const code = state.oauth2Codes.get(parameter('code') ?? '');
    if (!code || code.clientId !== client.clientId || code.expiresAt <= now) return refuse(400, 'invalid_grant');
    if (code.used) {
      // RFC 6749 §4.1.2: a code used twice revokes what it granted.
      for (const issued of state.oauth2AccessTokens.values()) if (issued.code === code.code) issued.revoked = true;
      for (const issued of state.oauth2RefreshTokens.values()) if (issued.code === code.code) issued.revoked = true;
      return refuse(400, 'invalid_grant');
    }
    code.used = true;
    if (parameter('redirect_uri') !== code.redirectUri) return refuse(400, 'invalid_grant');
    if (code.challenge !== undefined) {
      const verifier = parameter('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return refuse(400, 'invalid_grant');
      const derived = code.challengeMethod === 'S256' ? createHash('sha256').update(verifier, 'ascii').digest('base64url') : verifier;
      if (!sameSecret(derived, code.challenge)) return refuse(400, 'invalid_grant');
    }
    user = code.user;
    scope = code.scope;
    issue(state, context, init, { clientId: client.clientId, user, scope, code: code.code, now });
    return;
  }
  if (grantType === 'refresh_token') {
    const refresh = state.oauth2RefreshTokens.get(parameter('refresh_token') ?? '');
    if (!refresh || refresh.clientId !== client.clientId || refresh.used || refresh.revoked || refresh.expiresAt <= now)
      return refuse(400, 'invalid_grant');
    if (parameter('redirect_uri') !== client.redirectUri) return refuse(400, 'invalid_grant');
    // Rotation: the used refresh token is refused from now on. The access token issued with
    // it lives on to its expiry (RFC 6749 §6 asks nothing else), so a process still holding
    // it from its cache is not refused meanwhile.
    refresh.used = true;
    state.oauth2Refreshes += 1;
    issue(state, context, init, { clientId: client.clientId, user: refresh.user, scope: refresh.scope, code: refresh.code, now });
    return;
  }
  return refuse(400, 'unsupported_grant_type');
}

function issue(
  state: JiraSimulatorState,
  context: SimulatorContext,
  init: OAuth2RoutesInit,
  grant: { clientId: string; user: string; scope: OAuth2Scope; code: string; now: number },
): void {
  const access: OAuth2AccessToken = {
    token: newToken(),
    clientId: grant.clientId,
    user: grant.user,
    scope: grant.scope,
    code: grant.code,
    expiresAt: grant.now + init.accessTokenTtlMs,
    revoked: false,
  };
  const refreshToken = newToken();
  state.oauth2AccessTokens.set(access.token, access);
  state.oauth2RefreshTokens.set(refreshToken, {
    token: refreshToken,
    accessToken: access.token,
    clientId: grant.clientId,
    user: grant.user,
    scope: grant.scope,
    code: grant.code,
    expiresAt: grant.now + init.refreshTokenTtlMs,
    used: false,
    revoked: false,
  });
  context.record.auth = { kind: 'oauth2', user: grant.user };
  sendJson(context.response, 200, {
    access_token: access.token,
    token_type: 'bearer',
    expires_in: Math.floor(init.accessTokenTtlMs / 1000),
    refresh_token: refreshToken,
    scope: grant.scope,
  });
}

/** May a token of this scope make this call? READ only reads; Jira's REST writes need WRITE. */
export function scopeAllows(scope: OAuth2Scope, method: string): boolean {
  return scope !== 'READ' || method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
