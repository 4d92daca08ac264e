import { randomBytes } from 'node:crypto';
import type { JiraSimulatorRoute, SimulatorContext } from './JiraSimulatorRoute';
import type { JiraSimulatorState } from './JiraSimulatorState';
import { percentEncode } from './rfc5849';
import { sendForm, sendOAuthProblem } from './simulatorResponses';

export interface OAuthRoutesInit {
  requestTokenTtlMs: number;
  accessTokenTtlMs: number;
}

const newToken = () => randomBytes(24).toString('base64url');

/** The three endpoints of Jira's OAuth 1.0a dance under `/plugins/servlet/oauth/`. */
export function oauthRoutes(init: OAuthRoutesInit): JiraSimulatorRoute[] {
  return [
    {
      methods: ['POST', 'GET'],
      path: /^\/plugins\/servlet\/oauth\/request-token$/,
      auth: 'none',
      handle: (context) => requestToken(context),
    },
    { methods: ['GET'], path: /^\/plugins\/servlet\/oauth\/authorize$/, auth: 'none', handle: (context) => authorizePage(context) },
    {
      methods: ['POST', 'GET'],
      path: /^\/plugins\/servlet\/oauth\/access-token$/,
      auth: 'none',
      handle: (context) => accessToken(context, init),
    },
  ];
}

async function requestToken(context: SimulatorContext): Promise<void> {
  const verified = await context.verifyOAuth();
  if (!verified.ok) return refuse(context, verified.status, verified.problem);
  const callback = verified.oauth.get('oauth_callback');
  if (!callback) return refuse(context, 400, 'parameter_absent');
  const token = {
    token: newToken(),
    secret: newToken(),
    consumerKey: verified.consumer.consumerKey,
    callback,
    createdAt: context.nowMs(),
    used: false,
  };
  context.state.requestTokens.set(token.token, token);
  context.record.auth = { kind: 'oauth', consumerKey: verified.consumer.consumerKey };
  sendForm(context.response, 200, { oauth_token: token.token, oauth_token_secret: token.secret, oauth_callback_confirmed: 'true' });
}

/**
 * Stands in for Jira's "Allow access" page. A person in the sandbox opens it and is
 * approved as `?user=` (default the first user); `&deny=1` clicks "Deny". Tests call
 * `simulator.approve()` instead and follow the returned callback URL.
 */
function authorizePage(context: SimulatorContext): void {
  const token = context.query.get('oauth_token') ?? '';
  const deny = context.query.get('deny') === '1';
  const userName = context.query.get('user') ?? context.state.users.keys().next().value ?? '';
  let callbackUrl: string;
  try {
    callbackUrl = deny ? denyRequestToken(context.state, token) : approveRequestToken(context.state, token, userName).callbackUrl;
  } catch {
    context.response.writeHead(400, { 'Content-Type': 'text/plain;charset=UTF-8' });
    context.response.end('The request token is unknown or was already used.');
    return;
  }
  context.response.writeHead(302, { Location: callbackUrl });
  context.response.end();
}

async function accessToken(context: SimulatorContext, init: OAuthRoutesInit): Promise<void> {
  const verified = await context.verifyOAuth();
  if (!verified.ok) return refuse(context, verified.status, verified.problem);
  const pending = context.state.requestTokens.get(verified.oauth.get('oauth_token') ?? '');
  if (!pending || pending.consumerKey !== verified.consumer.consumerKey || pending.used) return refuse(context, 401, 'token_rejected');
  if (context.nowMs() - pending.createdAt > init.requestTokenTtlMs) return refuse(context, 401, 'token_expired');
  if (pending.verifier === 'denied') return refuse(context, 401, 'permission_denied');
  if (!pending.authorizedBy) return refuse(context, 401, 'permission_unknown');
  if (verified.oauth.get('oauth_verifier') !== pending.verifier) return refuse(context, 401, 'token_rejected');
  pending.used = true;
  const token = {
    token: newToken(),
    secret: newToken(),
    consumerKey: pending.consumerKey,
    user: pending.authorizedBy,
    expiresAt: context.nowMs() + init.accessTokenTtlMs,
    revoked: false,
  };
  context.state.accessTokens.set(token.token, token);
  context.record.auth = { kind: 'oauth', consumerKey: verified.consumer.consumerKey, user: token.user };
  sendForm(context.response, 200, {
    oauth_token: token.token,
    oauth_token_secret: token.secret,
    oauth_expires_in: String(Math.floor(init.accessTokenTtlMs / 1000)),
  });
}

function refuse(context: SimulatorContext, status: number, problem: string): void {
  context.record.auth = { kind: 'oauth', problem };
  sendOAuthProblem(context.response, status, problem, context.baseUrl);
}

/** The user approves a pending request token; returns where Jira sends the browser next. */
export function approveRequestToken(state: JiraSimulatorState, token: string, userName: string): { verifier: string; callbackUrl: string } {
  const pending = state.requestTokens.get(token);
  if (!pending || pending.used || pending.authorizedBy) throw new Error('unknown, used or already authorized request token');
  state.requireUser(userName);
  pending.authorizedBy = userName;
  pending.verifier = randomBytes(9).toString('base64url');
  return { verifier: pending.verifier, callbackUrl: withTokenAndVerifier(pending.callback, token, pending.verifier) };
}

/** The user clicks "Deny": Jira returns to the consumer with the verifier `denied`. */
export function denyRequestToken(state: JiraSimulatorState, token: string): string {
  const pending = state.requestTokens.get(token);
  if (!pending || pending.used || pending.authorizedBy) throw new Error('unknown, used or already authorized request token');
  pending.verifier = 'denied';
  return withTokenAndVerifier(pending.callback, token, 'denied');
}

function withTokenAndVerifier(callback: string, token: string, verifier: string): string {
  const separator = callback.includes('?') ? '&' : '?';
  return `${callback}${separator}oauth_token=${percentEncode(token)}&oauth_verifier=${percentEncode(verifier)}`;
}
