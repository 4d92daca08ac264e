import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { decodeJwt, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { newGuid } from '../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer, type TokenVersion } from '../../dev/sandbox/issuer/tokenIssuer';
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
      ...issuer.appSettings,
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
  let validToken: string;

  beforeAll(async () => {
    issuer = await startTokenIssuer();
    services = servicesFor(issuer);
    validToken = await issuer.mint({ tenantId, userId, audience, name: 'Ada' });
  });

  afterAll(async () => {
    await services.http.close();
    await issuer.stop();
  });

  it('answers the same caller for a valid v2.0 and v1.0 token of the same user', async () => {
    const v1 = await issuer.mint({ tenantId, userId, audience, name: 'Ada', version: '1.0' });
    for (const token of [validToken, v1]) {
      const { response, body } = await call(whoAmI, services, `Bearer ${token}`);
      expect(response.status).toBe(200);
      expect(JSON.parse(body)).toEqual({ tenantId, userId, roles: [], name: 'Ada' });
    }
  });

  const other: Record<TokenVersion, TokenVersion> = { '1.0': '2.0', '2.0': '1.0' };
  const mintBad = {
    expired: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience, version, expiresInSeconds: -600 }),
    notYetValid: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience, version, notBeforeSeconds: 600 }),
    wrongAudience: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience: 'api://someone-else', version }),
    // Microsoft's real issuer: a genuine-looking token, but not from the issuer configured here.
    microsoftIssuer: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience, version, issuer: microsoftIssuerOf(version) }),
    otherVersionIssuer: (version: TokenVersion) =>
      issuer.mint({ tenantId, userId, audience, version, issuer: issuer.issuerFor(tenantId, other[version]) }),
    tenantMismatch: (version: TokenVersion) =>
      issuer.mint({ tenantId, userId, audience, version, issuer: issuer.issuerFor(otherTenantId, version) }),
    clientNotAllowed: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience, version, clientId: strangerClient }),
    algNone: async (version: TokenVersion) =>
      new UnsecuredJWT(decodeJwt(await issuer.mint({ tenantId, userId, audience, version }))).encode(),
    rs512ByOurKey: (version: TokenVersion) => issuer.mint({ tenantId, userId, audience, version, algorithm: 'RS512' }),
    hs256WithPublicKey: async (version: TokenVersion) =>
      new SignJWT(decodeJwt(await issuer.mint({ tenantId, userId, audience, version })))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: issuer.keyId })
        .sign(new TextEncoder().encode(issuer.publicKeyPem)),
    unknownKey: async (version: TokenVersion) => {
      const { privateKey } = await generateKeyPair('RS256');
      const payload = decodeJwt(await issuer.mint({ tenantId, userId, audience, version }));
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'not-in-the-key-set' }).sign(privateKey);
    },
    otherKeyUnderOurKid: async (version: TokenVersion) => {
      const { privateKey } = await generateKeyPair('RS256');
      const payload = decodeJwt(await issuer.mint({ tenantId, userId, audience, version }));
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: issuer.keyId }).sign(privateKey);
    },
    // A role pasted into a genuine token: the signature no longer covers the payload.
    tamperedPayload: async (version: TokenVersion) => {
      const genuine = await issuer.mint({ tenantId, userId, audience, version });
      const [header, , signature] = genuine.split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(genuine), roles: [adminRole] })).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
    notAJwt: async () => 'abc.def.ghi',
  };
  const otherTenantId = newGuid();
  const strangerClient = newGuid();
  const microsoftIssuerOf = (version: TokenVersion) =>
    version === '1.0' ? `https://sts.windows.net/${tenantId}/` : `https://login.microsoftonline.com/${tenantId}/v2.0`;
  const settingOf = (version: TokenVersion) => (version === '1.0' ? 'AUTH_ISSUER_TEMPLATE_V1' : 'AUTH_ISSUER_TEMPLATE');

  /** The challenge's fixed description, and what the problem's detail must say (the description when omitted). */
  const tokenCases: [string, keyof typeof mintBad, string, ((version: TokenVersion) => RegExp)?][] = [
    ['expired', 'expired', 'The token has expired'],
    ['not yet valid', 'notYetValid', 'The token is not valid yet'],
    [
      'for another audience',
      'wrongAudience',
      'The token is not issued for this API',
      () => /api:\/\/someone-else, which is not in API_AUDIENCE/,
    ],
    [
      "from Microsoft's issuer while the sandbox's is configured",
      'microsoftIssuer',
      'The token issuer is not trusted',
      (version) =>
        new RegExp(`${microsoftIssuerOf(version).replace(/[.]/g, '\\.')} is not the v${version} issuer .*set ${settingOf(version)} `),
    ],
    [
      "naming the other version's issuer",
      'otherVersionIssuer',
      'The token issuer is not trusted',
      (version) => new RegExp(`is the v${other[version]} issuer, but the token is a v${version} token`),
    ],
    [
      'whose iss names another tenant than its tid',
      'tenantMismatch',
      'The token issuer is not trusted',
      () => new RegExp(`names the tenant ${otherTenantId}`),
    ],
    ['unsigned (alg none)', 'algNone', 'The token signing algorithm is not allowed', () => /algorithm none is not allowed/],
    ['signed by our key with RS512', 'rs512ByOurKey', 'The token signing algorithm is not allowed', () => /algorithm RS512 is not allowed/],
    [
      'HS256-signed with the public key as secret',
      'hs256WithPublicKey',
      'The token signing algorithm is not allowed',
      () => /algorithm HS256 is not allowed/,
    ],
    ['signed by a key not in the key set', 'unknownKey', 'The token signature is not valid'],
    ['signed by another key under our kid', 'otherKeyUnderOurKid', 'The token signature is not valid'],
    ['with a tampered payload', 'tamperedPayload', 'The token signature is not valid'],
    ['not a JWT', 'notAJwt', 'The token is malformed'],
  ];
  const versionedCases = (['1.0', '2.0'] as const).flatMap((version) =>
    tokenCases.map(([name, kind, description, detail]) => [`v${version}`, name, version, kind, description, detail] as const),
  );

  it.each(versionedCases)('refuses a %s token %s with 401 invalid_token', async (_v, _name, version, kind, description, detail) => {
    const token = await mintBad[kind](version);
    const { response, body, logs } = await call(whoAmI, services, `Bearer ${token}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe(invalid(description));
    expect(JSON.parse(body)).toMatchObject({ status: 401, code: 'invalid_token' });
    const problemDetail = String((JSON.parse(body) as { detail?: unknown }).detail);
    if (detail) expect(problemDetail).toMatch(detail(version));
    else expect(problemDetail).toBe(description);
    for (const part of [token, ...token.split('.').filter((p) => p.length > 8)]) {
      expect(body).not.toContain(part);
      expect(response.headers.get('www-authenticate')).not.toContain(part);
      expect(logs.join('\n')).not.toContain(part);
    }
  });

  it.each(['1.0', '2.0'] as const)(
    'refuses a v%s token issued to a client outside AUTH_ALLOWED_CLIENT_IDS with 401 client_not_allowed',
    async (version) => {
      const { response, body } = await call(whoAmI, services, `Bearer ${await mintBad.clientNotAllowed(version)}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe(invalid('The client application may not call this API'));
      expect(JSON.parse(body)).toMatchObject({
        status: 401,
        code: 'client_not_allowed',
        detail: `The token was issued to the client application ${strangerClient} (${version === '1.0' ? 'appid' : 'azp'}), which is not in AUTH_ALLOWED_CLIENT_IDS`,
      });
    },
  );

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
