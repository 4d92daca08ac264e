import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { decodeJwt, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../dev/sandbox/issuer/tokenIssuer';
import { authenticate, authenticateAdmin } from '../../functions/http/authenticate';
import { jsonResponse } from '../../functions/http/jsonResponse';
import { withHttpEdge } from '../../functions/http/withHttpEdge';
import { loadConfig } from '../../shared/platform/config/loadConfig';
import { createServices } from '../../functions/compose';
import type { Services } from '../../functions/Services';

const audience = 'api://jira-outlook-cloud-test';
const adminRole = 'Integration.Admin';
const realm = 'Bearer realm="jira-outlook-cloud"';
const invalid = (description: string) => `${realm}, error="invalid_token", error_description="${description}"`;

const whoAmI = withHttpEdge(async (request, _context, services) => jsonResponse(200, await authenticate(request, services)));
const adminOnly = withHttpEdge(async (request, _context, services) => jsonResponse(200, await authenticateAdmin(request, services)));

interface Call {
  response: HttpResponse;
  body: string;
  logs: string[];
}

async function call(handler: typeof whoAmI, services: Services, authorization: string | undefined): Promise<Call> {
  const logs: string[] = [];
  const request = new HttpRequest({
    method: 'GET',
    url: 'http://127.0.0.1:7071/api/whoami',
    headers: authorization === undefined ? {} : { authorization },
  });
  const context = new InvocationContext({
    functionName: 'whoami',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const response = new HttpResponse(await handler(request, context, services));
  return { response, body: await response.text(), logs };
}

function servicesFor(issuer: TokenIssuer, env: Record<string, string> = {}): Services {
  return createServices({
    config: loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
      PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
      API_AUDIENCE: audience,
      AUTH_ISSUER_TEMPLATE: issuer.issuerTemplate,
      AUTH_JWKS_URL: issuer.jwksUrl,
      ADMIN_ROLE: adminRole,
      GRAPH_CLIENT_ID: newGuid(),
      GRAPH_CLIENT_SECRET: 'not-a-real-secret',
      ...env,
    }),
  });
}

describe('bearer authentication at the HTTP edge', () => {
  let issuer: TokenIssuer;
  let services: Services;
  const tenantId = newGuid();
  const userId = newGuid();
  let validPayload: JWTPayload;
  let validToken: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer();
    services = servicesFor(issuer);
    validToken = await issuer.mint({ tenantId, userId, audience, name: 'Ada' });
    validPayload = decodeJwt(validToken);
  });

  afterAll(async () => {
    await services.http.close();
    await issuer.stop();
  });

  it('answers the caller for a valid token', async () => {
    const { response, body } = await call(whoAmI, services, `Bearer ${validToken}`);
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ tenantId, userId, roles: [], name: 'Ada' });
  });

  const mintBad = {
    expired: () => issuer.mint({ tenantId, userId, audience, expiresInSeconds: -600 }),
    notYetValid: () => issuer.mint({ tenantId, userId, audience, notBeforeSeconds: 600 }),
    wrongAudience: () => issuer.mint({ tenantId, userId, audience: 'api://someone-else' }),
    // Microsoft's real issuer: a genuine-looking token, but not from the issuer configured here.
    wrongIssuer: () => issuer.mint({ tenantId, userId, audience, issuer: `https://login.microsoftonline.com/${tenantId}/v2.0` }),
    tenantMismatch: () => issuer.mint({ tenantId, userId, audience, issuer: issuer.issuerFor(newGuid()) }),
    algNone: async () => new UnsecuredJWT(validPayload).encode(),
    hs256WithPublicKey: () =>
      new SignJWT(validPayload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: issuer.keyId })
        .sign(new TextEncoder().encode(issuer.publicKeyPem)),
    unknownKey: async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT(validPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'not-in-the-key-set' }).sign(privateKey);
    },
    otherKeyUnderOurKid: async () => {
      const { privateKey } = await generateKeyPair('RS256');
      return new SignJWT(validPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: issuer.keyId }).sign(privateKey);
    },
    // A role pasted into a genuine token: the signature no longer covers the payload.
    tamperedPayload: async () => {
      const [header, , signature] = validToken.split('.');
      const payload = Buffer.from(JSON.stringify({ ...validPayload, roles: [adminRole] })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    notAJwt: async () => 'abc.def.ghi',
  };

  const tokenCases: [string, keyof typeof mintBad, string][] = [
    ['expired', 'expired', 'The token has expired'],
    ['not yet valid', 'notYetValid', 'The token is not valid yet'],
    ['for another audience', 'wrongAudience', 'The token is not issued for this API'],
    ['from another issuer', 'wrongIssuer', 'The token issuer is not trusted'],
    ['whose iss names another tenant than its tid', 'tenantMismatch', 'The token issuer is not trusted'],
    ['unsigned (alg none)', 'algNone', 'The token signing algorithm is not allowed'],
    ['HS256-signed with the public key as secret', 'hs256WithPublicKey', 'The token signing algorithm is not allowed'],
    ['signed by a key not in the key set', 'unknownKey', 'The token signature is not valid'],
    ['signed by another key under our kid', 'otherKeyUnderOurKid', 'The token signature is not valid'],
    ['with a tampered payload', 'tamperedPayload', 'The token signature is not valid'],
    ['not a JWT', 'notAJwt', 'The token is malformed'],
  ];

  it.each(tokenCases)('refuses a token %s with 401 invalid_token', async (_, kind, description) => {
    const token = await mintBad[kind]();
    const { response, body, logs } = await call(whoAmI, services, `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe(invalid(description));
    expect(JSON.parse(body)).toMatchObject({ status: 401, code: 'invalid_token', detail: description });
    for (const part of [token, ...token.split('.').filter((p) => p.length > 8)]) {
      expect(body).not.toContain(part);
      expect(response.headers.get('www-authenticate')).not.toContain(part);
      expect(logs.join('\n')).not.toContain(part);
    }
  });

  const headerCases: [string, string | undefined, string, string][] = [
    ['no Authorization header', undefined, 'unauthenticated', realm],
    ['a blank Authorization header', '   ', 'unauthenticated', realm],
    ['another scheme (Basic x)', 'Basic x', 'unauthenticated', realm],
    ['garbage without a scheme', 'garbage', 'unauthenticated', realm],
    ['the raw token without a scheme', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'unauthenticated', realm],
    ['Bearer without a token', 'Bearer', 'invalid_token', invalid('The token is malformed')],
    ['Bearer with two words', 'Bearer abc def', 'invalid_token', invalid('The token is malformed')],
    ['Bearer with characters outside b64token', 'Bearer abc"def', 'invalid_token', invalid('The token is malformed')],
  ];

  it.each(headerCases)('refuses %s with 401', async (_, authorization, code, challenge) => {
    const { response, body } = await call(whoAmI, services, authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe(challenge);
    expect(JSON.parse(body)).toMatchObject({ status: 401, code });
    const credentials = authorization?.trim().split(/\s+/).pop() ?? '';
    if (credentials.length > 8) expect(body).not.toContain(credentials);
  });

  it('lets an admin through the admin check and refuses a plain user with 403 insufficient_scope', async () => {
    const adminToken = await issuer.mint({ tenantId, userId, audience, roles: [adminRole] });
    const admin = await call(adminOnly, services, `Bearer ${adminToken}`);
    expect(admin.response.status).toBe(200);
    expect(JSON.parse(admin.body)).toMatchObject({ userId, roles: [adminRole] });

    const user = await call(adminOnly, services, `Bearer ${validToken}`);
    expect(user.response.status).toBe(403);
    expect(user.response.headers.get('content-type')).toBe('application/problem+json');
    expect(user.response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(JSON.parse(user.body)).toMatchObject({ status: 403, code: 'admin_role_required' });

    const anonymous = await call(adminOnly, services, undefined);
    expect(anonymous.response.status).toBe(401);
  });

  it('refuses a tenant outside AUTH_ALLOWED_TENANTS with 403 and admits a listed one', async () => {
    const restricted = servicesFor(issuer, { AUTH_ALLOWED_TENANTS: `${newGuid()}, ${tenantId}` });
    try {
      expect((await call(whoAmI, restricted, `Bearer ${validToken}`)).response.status).toBe(200);
      const otherToken = await issuer.mint({ tenantId: newGuid(), userId, audience });
      const other = await call(whoAmI, restricted, `Bearer ${otherToken}`);
      expect(other.response.status).toBe(403);
      expect(JSON.parse(other.body)).toMatchObject({ code: 'tenant_not_allowed' });
    } finally {
      await restricted.http.close();
    }
  });

  it('answers 503 service_unavailable, not 401, while the issuer key set cannot be reached', async () => {
    const gone = await startTokenIssuer();
    const token = await gone.mint({ tenantId, userId, audience });
    await gone.stop();
    const orphaned = servicesFor(gone);
    try {
      const { response, body, logs } = await call(whoAmI, orphaned, `Bearer ${token}`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('30');
      expect(JSON.parse(body)).toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(body).not.toContain(token);
      expect(logs.join('\n')).toContain('service_unavailable');
    } finally {
      await orphaned.http.close();
    }
  });
});
