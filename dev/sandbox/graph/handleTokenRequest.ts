import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Clock } from '../../../shared/platform/clock';
import type { GraphSimulatorState } from './GraphSimulatorState';
import { readBody, sendJson } from './simulatorHttp';

export interface TokenEndpointInit {
  state: GraphSimulatorState;
  clock: Clock;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds: number;
  /** Where the on-behalf-of grant takes its assertions from: the user tokens the app is called with. */
  onBehalfOf?: OnBehalfOfTrust;
}

export interface OnBehalfOfTrust {
  /** The signing keys of the identity platform that issued the user's token. */
  keys: JWTVerifyGetKey;
  /** What the assertion's `aud` may be: the middle-tier app's client id or its application id URI. */
  audiences: readonly string[];
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** The JWKS of an issuer URL, fetched once per URL. */
const keySets = new Map<string, JWTVerifyGetKey>();
export function remoteKeys(jwksUrl: string): JWTVerifyGetKey {
  let keys = keySets.get(jwksUrl);
  if (!keys) {
    keys = createRemoteJWKSet(new URL(jwksUrl));
    keySets.set(jwksUrl, keys);
  }
  return keys;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /{tenantId}/oauth2/v2.0/token`, the client credentials grant as the Microsoft
 * identity platform answers it, errors in its `{ error, error_description }` form.
 */
export async function handleTokenRequest(
  init: TokenEndpointInit,
  tenantId: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  if (request.method !== 'POST')
    return sendJson(response, 405, {
      error: 'invalid_request',
      error_description: 'AADSTS900561: The endpoint only accepts POST requests.',
    });
  init.state.tokenRequests += 1;
  const fault = init.state.takeFault('token');
  if (fault) {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
    return sendJson(
      response,
      fault.status,
      { error: 'temporarily_unavailable', error_description: 'AADSTS50196: The server is busy.' },
      headers,
    );
  }
  const form = new URLSearchParams((await readBody(request)).toString('utf8'));
  if (!GUID.test(tenantId))
    return sendJson(response, 400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenantId}' not found.` });
  if (form.get('grant_type') === JWT_BEARER) return onBehalfOf(init, tenantId.toLowerCase(), form, response);
  if (form.get('grant_type') !== 'client_credentials')
    return sendJson(response, 400, {
      error: 'unsupported_grant_type',
      error_description: 'AADSTS70003: The app requested an unsupported grant type.',
    });
  const clientError = checkClient(init, form);
  if (clientError) return sendJson(response, clientError.status, clientError.body);
  const scope = form.get('scope') ?? '';
  if (!scope.split(' ').some((s) => s.endsWith('/.default')))
    return sendJson(response, 400, {
      error: 'invalid_scope',
      error_description: 'AADSTS1002012: The provided value for scope is not valid.',
    });
  const accessToken = randomBytes(32).toString('base64url');
  init.state.accessTokens.set(accessToken, {
    tenantId: tenantId.toLowerCase(),
    clientId: init.clientId,
    expiresAt: init.clock.now() + init.tokenLifetimeSeconds * 1000,
  });
  sendJson(response, 200, {
    token_type: 'Bearer',
    expires_in: init.tokenLifetimeSeconds,
    ext_expires_in: init.tokenLifetimeSeconds,
    access_token: accessToken,
  });
}

function checkClient(init: TokenEndpointInit, form: URLSearchParams): { status: number; body: Record<string, string> } | undefined {
  if (form.get('client_id') !== init.clientId)
    return {
      status: 400,
      body: { error: 'unauthorized_client', error_description: 'AADSTS700016: Application not found in the directory.' },
    };
  if (form.get('client_secret') !== init.clientSecret)
    return { status: 401, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' } };
  return undefined;
}

/**
 * The on-behalf-of flow (Microsoft identity platform, "OAuth 2.0 On-Behalf-Of flow"): the
 * middle-tier app presents the user's token as `assertion` with `requested_token_use=
 * on_behalf_of` and its own credentials; it gets a delegated token for the user with the
 * scopes asked for. The assertion must be signed by the identity platform, for this
 * tenant, unexpired, and addressed to the app presenting it (AADSTS50013 otherwise).
 */
async function onBehalfOf(init: TokenEndpointInit, tenantId: string, form: URLSearchParams, response: http.ServerResponse): Promise<void> {
  const clientError = checkClient(init, form);
  if (clientError) return sendJson(response, clientError.status, clientError.body);
  const invalidGrant = (description: string) => sendJson(response, 400, { error: 'invalid_grant', error_description: description });
  if (form.get('requested_token_use') !== 'on_behalf_of' || !form.get('assertion'))
    return sendJson(response, 400, {
      error: 'invalid_request',
      error_description: "AADSTS900144: The request body must contain the following parameter: 'requested_token_use'.",
    });
  if (!init.onBehalfOf) return invalidGrant('AADSTS50013: Assertion failed signature validation.');
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(form.get('assertion') ?? '', init.onBehalfOf.keys, {
      currentDate: new Date(init.clock.now()),
    }));
  } catch {
    return invalidGrant('AADSTS50013: Assertion failed signature validation.');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.some((audience) => typeof audience === 'string' && init.onBehalfOf?.audiences.includes(audience)))
    return invalidGrant('AADSTS50013: Assertion audience does not match the Client app presenting the assertion.');
  if (typeof claims.tid !== 'string' || claims.tid.toLowerCase() !== tenantId)
    return invalidGrant('AADSTS50013: Assertion contains an invalid tenant.');
  if (typeof claims.oid !== 'string') return invalidGrant('AADSTS50013: Assertion is not a user token.');
  // Delegated Graph scopes as `{resource}/Name` or `Name`; OpenID scopes MSAL adds are not Graph's.
  const scopes = (form.get('scope') ?? '')
    .split(' ')
    .map((scope) => scope.slice(scope.lastIndexOf('/') + 1))
    .filter((scope) => scope !== '' && !['openid', 'profile', 'offline_access', '.default'].includes(scope));
  if (scopes.length === 0)
    return sendJson(response, 400, {
      error: 'invalid_scope',
      error_description: 'AADSTS70011: The provided value for scope is not valid.',
    });
  const accessToken = randomBytes(32).toString('base64url');
  init.state.accessTokens.set(accessToken, {
    tenantId,
    clientId: init.clientId,
    expiresAt: init.clock.now() + init.tokenLifetimeSeconds * 1000,
    userId: claims.oid.toLowerCase(),
    scopes,
  });
  sendJson(response, 200, {
    token_type: 'Bearer',
    scope: scopes.join(' '),
    expires_in: init.tokenLifetimeSeconds,
    ext_expires_in: init.tokenLifetimeSeconds,
    access_token: accessToken,
  });
}
