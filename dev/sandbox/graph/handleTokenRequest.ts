import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Clock } from '../../../shared/platform/clock';
import type { GraphSimulatorState } from './GraphSimulatorState';
import { readBody, sendJson } from './simulatorHttp';

export interface TokenEndpointInit {
  state: GraphSimulatorState;
  clock: Clock;
  clientId: string;
  clientSecret: string;
  tokenLifetimeSeconds: number;
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
  if (form.get('grant_type') !== 'client_credentials')
    return sendJson(response, 400, {
      error: 'unsupported_grant_type',
      error_description: 'AADSTS70003: The app requested an unsupported grant type.',
    });
  if (form.get('client_id') !== init.clientId)
    return sendJson(response, 400, {
      error: 'unauthorized_client',
      error_description: 'AADSTS700016: Application not found in the directory.',
    });
  if (form.get('client_secret') !== init.clientSecret)
    return sendJson(response, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
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
