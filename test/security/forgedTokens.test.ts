import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import type { Dispatcher } from 'undici';
import type { MintClaims, TokenVersion } from '../../dev/sandbox/issuer/tokenIssuer';
import { newGuid } from '../../dev/sandbox/newGuid';
import { agent as stackAgent, ADMIN_ROLE, AUDIENCE, sendRaw } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';
import { parseRawResponse } from '../support/parseRawResponse';

/**
 * Every JWT pitfall, through the real routes, made from a v1.0 and from a v2.0 token (Entra
 * issues either, depending on the API's manifest): the forged token goes to each route that
 * needs a bearer token (the admin ones with the admin role claimed), over HTTP to the
 * local host. Each is refused with 401 problem+json and a challenge, echoes nothing of the
 * token, changes nothing, and never makes the app fetch a key from where the token says.
 * (test/integration/auth.test.ts checks the same verdicts at the authenticator's edge.)
 */

let stack: AppStack;
let attacker: { privateKey: KeyLike; publicJwk: JWK; url: string; requests: string[]; stop(): Promise<void> };

type Version = TokenVersion;
const VERSIONS: readonly Version[] = ['1.0', '2.0'];
const OTHER: Record<Version, Version> = { '1.0': '2.0', '2.0': '1.0' };

/** Genuine tokens of one version, as Entra would issue them to the add-in: what the attacker starts from. */
interface Genuine {
  version: Version;
  admin: string;
  adminPayload: JWTPayload;
  user: string;
  otherTenantAdmin: string;
}
const genuine = {} as Record<Version, Genuine>;

async function startAttackerKeyServer(): Promise<typeof attacker> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'attacker-key', alg: 'RS256', use: 'sig' };
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '/');
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    privateKey,
    publicJwk,
    url,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  attacker = await startAttackerKeyServer();
  await stack.registerInstance('demo');
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
  const adminId = String(decodeJwt(stack.tokens.admin).oid);
  for (const version of VERSIONS) {
    const mint = (tenantId: string, userId: string, roles?: string[]) =>
      stack.issuer.mint({ tenantId, userId, audience: AUDIENCE, version, ...(roles ? { roles } : {}) });
    const admin = version === '2.0' ? stack.tokens.admin : await mint(stack.users.tenantId, adminId, [ADMIN_ROLE]);
    genuine[version] = {
      version,
      admin,
      adminPayload: decodeJwt(admin),
      user: version === '2.0' ? stack.tokens.user : await mint(stack.users.tenantId, stack.users.userId),
      otherTenantAdmin: version === '2.0' ? stack.tokens.otherTenantAdmin : await mint(stack.users.otherTenantId, newGuid(), [ADMIN_ROLE]),
    };
  }
  // The v1.0 admin token is genuine: the app accepts it, so every refusal below is the forgery's doing.
  expect((await stack.send('GET', '/api/manage/instances', { token: genuine['1.0'].admin })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  await attacker?.stop();
  await stack?.stop();
  await stackAgent.close();
});

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token the trusted issuer really signed, of the version under test, as an admin of the victim tenant. */
const signedByIssuer = (g: Genuine, claims: Partial<MintClaims> = {}) =>
  stack.issuer.mint({
    tenantId: stack.users.tenantId,
    userId: newGuid(),
    audience: AUDIENCE,
    roles: [ADMIN_ROLE],
    version: g.version,
    ...claims,
  });

/** The victim admin's genuine claims, re-signed or re-wrapped by the attacker; or genuinely signed but wrong in one claim. */
const forge = {
  algNone: async (g: Genuine) => new UnsecuredJWT(g.adminPayload).encode(),
  algNoneUpperCase: async (g: Genuine) => `${b64url({ alg: 'NONE', typ: 'JWT' })}.${b64url(g.adminPayload)}.`,
  hs256WithPublicKeyAsSecret: async (g: Genuine) =>
    new SignJWT(g.adminPayload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: stack.issuer.keyId })
      .sign(new TextEncoder().encode(stack.issuer.publicKeyPem)),
  signatureStripped: async (g: Genuine) => g.admin.split('.').slice(0, 2).join('.') + '.',
  signatureOfAnotherToken: async (g: Genuine) => {
    const [header, payload] = g.admin.split('.');
    return `${header}.${payload}.${g.user.split('.')[2]}`;
  },
  tamperedPayloadRoleAdded: async (g: Genuine) => {
    const [header, , signature] = g.user.split('.');
    return `${header}.${b64url({ ...decodeJwt(g.user), roles: [ADMIN_ROLE] })}.${signature}`;
  },
  tamperedPayloadOtherTenant: async (g: Genuine) => {
    const [header, , signature] = g.otherTenantAdmin.split('.');
    return `${header}.${b64url({ ...decodeJwt(g.otherTenantAdmin), tid: stack.users.tenantId })}.${signature}`;
  },
  tamperedPayloadVersionSwapped: async (g: Genuine) => {
    const [header, , signature] = g.admin.split('.');
    return `${header}.${b64url({ ...g.adminPayload, ver: OTHER[g.version] })}.${signature}`;
  },
  attackerKeyUnderOurKid: async (g: Genuine) =>
    new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: stack.issuer.keyId }).sign(attacker.privateKey),
  attackerKeyUnknownKid: async (g: Genuine) =>
    new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'attacker-key' }).sign(attacker.privateKey),
  // CVE-2018-0114: the key that verifies the token, carried in the token.
  embeddedJwk: async (g: Genuine) =>
    new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', jwk: attacker.publicJwk }).sign(attacker.privateKey),
  jkuToAttacker: async (g: Genuine) =>
    new SignJWT(g.adminPayload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'attacker-key', jku: `${attacker.url}/jwks.json` })
      .sign(attacker.privateKey),
  x5uToAttacker: async (g: Genuine) =>
    new SignJWT(g.adminPayload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'attacker-key', x5u: `${attacker.url}/cert.pem` })
      .sign(attacker.privateKey),
  kidPathTraversal: async (g: Genuine) =>
    new SignJWT(g.adminPayload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: '../../../../../../dev/null' })
      .sign(attacker.privateKey),
  kidInjection: async (g: Genuine) =>
    new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: "x' UNION SELECT 'key" }).sign(attacker.privateKey),
  ps256UnderOurKid: async (g: Genuine) => {
    const { privateKey } = await generateKeyPair('PS256');
    return new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: stack.issuer.keyId }).sign(privateKey);
  },
  es256UnderOurKid: async (g: Genuine) => {
    const { privateKey } = await generateKeyPair('ES256');
    return new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: stack.issuer.keyId }).sign(privateKey);
  },
  rs512UnderOurKid: async (g: Genuine) =>
    new SignJWT(g.adminPayload).setProtectedHeader({ alg: 'RS512', typ: 'JWT', kid: stack.issuer.keyId }).sign(attacker.privateKey),
  // The trusted key itself, with an algorithm Entra never uses.
  rs512ByTrustedKey: (g: Genuine) => signedByIssuer(g, { algorithm: 'RS512' }),
  ps256ByTrustedKey: (g: Genuine) => signedByIssuer(g, { algorithm: 'PS256' }),
  // Genuinely signed by the trusted issuer, but wrong in a claim.
  expired: (g: Genuine) => signedByIssuer(g, { expiresInSeconds: -3600 }),
  notYetValid: (g: Genuine) => signedByIssuer(g, { notBeforeSeconds: 3600 }),
  noExpiry: (g: Genuine) => signedByIssuer(g, { extra: { exp: undefined } }),
  noIssuer: (g: Genuine) => signedByIssuer(g, { extra: { iss: undefined } }),
  noVersion: (g: Genuine) => signedByIssuer(g, { extra: { ver: undefined } }),
  otherAudience: (g: Genuine) => signedByIssuer(g, { audience: 'api://another-app' }),
  graphAudience: (g: Genuine) => signedByIssuer(g, { audience: 'https://graph.microsoft.com' }),
  issuerOfAnotherTenant: (g: Genuine) => signedByIssuer(g, { issuer: stack.issuer.issuerFor(stack.users.otherTenantId, g.version) }),
  // A v1.0 token with the v2.0 issuer, or the reverse: no token Entra issues.
  issuerOfTheOtherVersion: (g: Genuine) => signedByIssuer(g, { issuer: stack.issuer.issuerFor(stack.users.tenantId, OTHER[g.version]) }),
  microsoftIssuer: (g: Genuine) =>
    signedByIssuer(g, {
      issuer:
        g.version === '1.0'
          ? `https://sts.windows.net/${stack.users.tenantId}/`
          : `https://login.microsoftonline.com/${stack.users.tenantId}/v2.0`,
    }),
  clientClaimOfTheOtherVersion: (g: Genuine) =>
    signedByIssuer(g, {
      extra: g.version === '1.0' ? { appid: undefined, azp: stack.issuer.clientId } : { azp: undefined, appid: stack.issuer.clientId },
    }),
  clientNotAllowed: (g: Genuine) => signedByIssuer(g, { clientId: newGuid() }),
  clientNotAGuid: (g: Genuine) => signedByIssuer(g, { clientId: stack.issuer.clientId.toUpperCase().replace(/-/g, '') }),
  tenantNotAGuid: (g: Genuine) => signedByIssuer(g, { tenantId: 'common' }),
  tenantPathTraversal: (g: Genuine) => signedByIssuer(g, { tenantId: '../../instances' }),
  noObjectId: (g: Genuine) => signedByIssuer(g, { extra: { oid: undefined } }),
  rolesAsString: (g: Genuine) => signedByIssuer(g, { roles: [], extra: { roles: ADMIN_ROLE } }),
  graphValidationToken: () => stack.graph.mintValidationToken({ tenantId: stack.users.tenantId, audience: AUDIENCE }),
  notAJwt: async () => 'abc.def.ghi',
  twoParts: async (g: Genuine) => g.admin.split('.').slice(0, 2).join('.'),
  payloadNotJson: async (g: Genuine) =>
    `${g.admin.split('.')[0]}.${Buffer.from('not json').toString('base64url')}.${g.admin.split('.')[2]}`,
};
type Forgery = keyof typeof forge;
/** Every forgery is refused as an invalid token, but for a genuine token of a client the app does not admit. */
const expectedCode: Partial<Record<Forgery, string>> = { clientNotAllowed: 'client_not_allowed' };

interface RouteCase {
  name: string;
  method: Dispatcher.HttpMethod;
  path: string;
  body?: string;
}

/** Every route that takes a bearer token, with the id of a real instance where it takes one. */
const routes: RouteCase[] = [
  { name: 'license check', method: 'GET', path: '/api/licenses/demo' },
  { name: 'proxy', method: 'GET', path: '/api/jira/demo/proxy/rest/api/2/myself' },
  { name: 'proxy upload', method: 'POST', path: '/api/jira/demo/proxy/rest/api/2/issue', body: '{"fields":{}}' },
  { name: 'oauth start', method: 'POST', path: '/api/jira/demo/oauth/start' },
  { name: 'links list', method: 'GET', path: '/api/links?conversationId=conv-1' },
  {
    name: 'links add',
    method: 'POST',
    path: '/api/links',
    body: JSON.stringify({ conversationId: 'conv-1', instanceId: 'demo', issueKey: 'DEMO-1' }),
  },
  { name: 'links remove', method: 'DELETE', path: '/api/links?conversationId=conv-1&instanceId=demo&issueKey=DEMO-1' },
  { name: 'admin list', method: 'GET', path: '/api/manage/instances' },
  { name: 'admin show', method: 'GET', path: '/api/manage/instances/demo' },
  {
    name: 'admin register',
    method: 'PUT',
    path: '/api/manage/instances/demo',
    body: JSON.stringify({ baseUrl: 'http://127.0.0.1:9', displayName: 'hijacked' }),
  },
  { name: 'admin remove', method: 'DELETE', path: '/api/manage/instances/demo' },
  { name: 'panel session', method: 'POST', path: '/api/manage/panel/session?instanceId=demo' },
  { name: 'panel overview', method: 'GET', path: '/api/manage/panel/overview?instanceId=demo' },
  { name: 'panel secret', method: 'POST', path: '/api/manage/panel/secret?instanceId=demo' },
  { name: 'panel replay', method: 'POST', path: '/api/manage/panel/replay-poison?instanceId=demo', body: '{"queue":"jira-notify"}' },
];
const forgeries = VERSIONS.flatMap((version) => (Object.keys(forge) as Forgery[]).map((kind) => [`v${version}`, kind, version] as const));

describe('forged bearer tokens on every authenticated route', () => {
  it.each(forgeries)('%s %s: 401 on every route, nothing echoed, nothing changed', async (_v, kind, version) => {
    const token = await forge[kind](genuine[version]);
    const code = expectedCode[kind] ?? 'invalid_token';
    const before = {
      jira: stack.jira.requests.length,
      instance: await stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId: 'demo' }),
    };
    const secretParts = [token, ...token.split('.').filter((part) => part.length > 8)];
    for (const route of routes) {
      const reply = await stack.send(route.method, route.path, {
        token,
        headers: route.body === undefined ? {} : { 'content-type': 'application/json' },
        ...(route.body === undefined ? {} : { body: route.body }),
      });
      const where = `v${version} ${kind} → ${route.name}`;
      expect({ where, status: reply.status }).toEqual({ where, status: 401 });
      expect({ where, type: reply.headers['content-type'] }).toEqual({ where, type: 'application/problem+json' });
      expect({ where, code: reply.json().code }).toEqual({ where, code });
      expect(String(reply.headers['www-authenticate'])).toMatch(/^Bearer realm="jira-outlook-cloud", error="invalid_token"/);
      for (const part of secretParts) {
        expect(reply.text.includes(part)).toBe(false);
        expect(String(reply.headers['www-authenticate']).includes(part)).toBe(false);
      }
    }
    // Refused before anything happened: Jira saw nothing, the instance is as it was.
    expect(stack.jira.requests.length).toBe(before.jira);
    expect(await stack.services.repositories.instances.get({ tenantId: stack.users.tenantId, instanceId: 'demo' })).toEqual(
      before.instance,
    );
  });

  it('never fetches a key from where a token points (jku, x5u, embedded jwk)', () => {
    expect(attacker.requests).toEqual([]);
  });

  it('logs no forged token either', () => {
    const text = stack.log.lines.join('\n');
    expect(text).not.toContain('attacker-key');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
  });

  const headerCases: [string, string[], number, string][] = [
    [
      'two Authorization headers, a foreign tenant first',
      ['Authorization: Bearer {otherTenantAdmin}', 'Authorization: Bearer {admin}'],
      401,
      'invalid_token',
    ],
    ['the token in the query, no header', [], 401, 'unauthenticated'],
    ['Basic credentials', ['Authorization: Basic YWRtaW46YWRtaW4='], 401, 'unauthenticated'],
    ['Bearer with the token split by a tab', ['Authorization: Bearer\t{halfA}\t{halfB}'], 401, 'invalid_token'],
    ['a bearer token 12 KB long', ['Authorization: Bearer {long}'], 401, 'invalid_token'],
  ];

  it.each(headerCases)('%s', async (_name, headers, status, code) => {
    const [halfA, halfB] = [stack.tokens.admin.slice(0, 40), stack.tokens.admin.slice(40)];
    const fill = (line: string) =>
      line
        .replace('{otherTenantAdmin}', stack.tokens.otherTenantAdmin)
        .replace('{admin}', stack.tokens.admin)
        .replace('{halfA}', halfA)
        .replace('{halfB}', halfB)
        .replace('{long}', 'a'.repeat(12 * 1024));
    const query = headers.length === 0 ? `?access_token=${stack.tokens.admin}` : '';
    const reply = await sendRaw(stack.host!, [
      `GET /api/manage/instances${query} HTTP/1.1`,
      `Host: 127.0.0.1:${stack.port}`,
      ...headers.map(fill),
      'Connection: close',
    ]);
    const parsed = parseRawResponse(reply.text);
    expect(parsed.status).toBe(status);
    expect(parsed.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(parsed.body)).toMatchObject({ code });
    expect(reply.text).not.toContain(stack.tokens.admin);
  });
});
