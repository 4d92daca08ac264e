import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../../../dev/sandbox/issuer/tokenIssuer';

const audience = 'api://jira-outlook-cloud-test';

describe('startTokenIssuer', () => {
  let issuer: TokenIssuer;

  beforeAll(async () => {
    issuer = await startTokenIssuer();
  });

  afterAll(async () => {
    await issuer.stop();
  });

  async function fetchKeySet(url: string): Promise<JSONWebKeySet> {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    return (await response.json()) as JSONWebKeySet;
  }

  it('listens on a free loopback port and derives its URLs from it', () => {
    expect(issuer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(issuer.url).not.toMatch(/:0$/);
    expect(issuer.jwksUrl).toBe(`${issuer.url}/discovery/v2.0/keys`);
    expect(issuer.issuerTemplate).toBe(`${issuer.url}/{tenantId}/v2.0`);
    expect(issuer.issuerTemplateV1).toBe(`${issuer.url}/sts/{tenantId}/`);
    const tenantId = newGuid();
    expect(issuer.issuerFor(tenantId)).toBe(`${issuer.url}/${tenantId}/v2.0`);
    expect(issuer.issuerFor(tenantId, '2.0')).toBe(`${issuer.url}/${tenantId}/v2.0`);
    expect(issuer.issuerFor(tenantId, '1.0')).toBe(`${issuer.url}/sts/${tenantId}/`);
    expect(issuer.appSettings).toEqual({
      AUTH_ISSUER_TEMPLATE: issuer.issuerTemplate,
      AUTH_ISSUER_TEMPLATE_V1: issuer.issuerTemplateV1,
      AUTH_JWKS_URL: issuer.jwksUrl,
      AUTH_ALLOWED_CLIENT_IDS: issuer.clientId,
    });
  });

  it('publishes one RSA signing key under its kid, without private parts', async () => {
    const { keys } = await fetchKeySet(issuer.jwksUrl);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', kid: issuer.keyId, x5t: issuer.keyId, use: 'sig', alg: 'RS256', e: 'AQAB' });
    expect(Buffer.from(keys[0]!.n!, 'base64url')).toHaveLength(256);
    expect(keys[0]).not.toHaveProperty('d');
    // The v2.0 set names each key's issuer, as a template over the tenant.
    expect(keys[0]).toHaveProperty('issuer', `${issuer.url}/{tenantid}/v2.0`);
    // Microsoft serves the same set under the tenant-specific path too.
    expect(await fetchKeySet(`${issuer.url}/common/discovery/v2.0/keys`)).toEqual({ keys });
    // The v1.0 set holds the same keys, without an issuer per key.
    const withoutIssuer: Record<string, unknown> = { ...keys[0] };
    delete withoutIssuer.issuer;
    expect(await fetchKeySet(`${issuer.url}/discovery/keys`)).toEqual({ keys: [withoutIssuer] });
    expect(await fetchKeySet(`${issuer.url}/common/discovery/keys`)).toEqual({ keys: [withoutIssuer] });
  });

  it('serves OpenID discovery that names the tenant issuer and the key set', async () => {
    const tenantId = newGuid();
    const response = await fetch(`${issuer.url}/${tenantId}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as Record<string, unknown>;
    expect(document.issuer).toBe(issuer.issuerFor(tenantId));
    expect(await fetchKeySet(String(document.jwks_uri))).toEqual(await fetchKeySet(issuer.jwksUrl));
    expect((await fetch(`${issuer.url}/not-a-tenant!/v2.0/.well-known/openid-configuration`)).status).toBe(400);

    const v1 = (await (await fetch(`${issuer.url}/${tenantId}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(v1.issuer).toBe(issuer.issuerFor(tenantId, '1.0'));
    expect((await fetchKeySet(String(v1.jwks_uri))).keys.map((key) => key.kid)).toEqual([issuer.keyId]);
    const common = (await (await fetch(`${issuer.url}/common/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(common.issuer).toBe(`${issuer.url}/sts/{tenantid}/`);
    expect((await fetch(`${issuer.url}/nothing-here`)).status).toBe(404);
  });

  it('mints RS256 tokens shaped like v2.0 access tokens by default, that verify against its key set', async () => {
    const tenantId = newGuid();
    const userId = newGuid();
    const token = await issuer.mint({
      tenantId,
      userId,
      audience,
      roles: ['Integration.Admin'],
      name: 'Ada',
      username: 'ada@contoso.example',
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: issuer.keyId });
    const keys = createLocalJWKSet(await fetchKeySet(issuer.jwksUrl));
    const { payload } = await jwtVerify(token, keys, { issuer: issuer.issuerFor(tenantId), audience, algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      tid: tenantId,
      oid: userId,
      roles: ['Integration.Admin'],
      name: 'Ada',
      preferred_username: 'ada@contoso.example',
      scp: 'access_as_user',
      ver: '2.0',
      azp: issuer.clientId,
      azpacr: '0',
    });
    for (const v1Only of ['appid', 'appidacr', 'upn', 'unique_name', 'acr', 'amr']) expect(payload).not.toHaveProperty(v1Only);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.sub).not.toBe(userId);
  });

  it('mints v1.0 access tokens as Entra does: sts issuer, appid, upn and unique_name, x5t beside kid; both key sets verify them', async () => {
    const tenantId = newGuid();
    const userId = newGuid();
    const client = newGuid();
    const token = await issuer.mint({ tenantId, userId, audience, version: '1.0', clientId: client, username: 'ada@contoso.example' });
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'RS256', x5t: issuer.keyId, kid: issuer.keyId });
    for (const url of [issuer.jwksUrl, `${issuer.url}/discovery/keys`]) {
      const keys = createLocalJWKSet(await fetchKeySet(url));
      const { payload } = await jwtVerify(token, keys, { issuer: issuer.issuerFor(tenantId, '1.0'), audience, algorithms: ['RS256'] });
      expect(payload).toMatchObject({
        tid: tenantId,
        oid: userId,
        ver: '1.0',
        appid: client,
        appidacr: '0',
        upn: 'ada@contoso.example',
        unique_name: 'ada@contoso.example',
        acr: '1',
        amr: ['pwd'],
        scp: 'access_as_user',
      });
      for (const v2Only of ['azp', 'azpacr', 'preferred_username']) expect(payload).not.toHaveProperty(v2Only);
    }
  });

  it('signs with another algorithm when asked, for tests of a verifier that must refuse it', async () => {
    const token = await issuer.mint({ tenantId: newGuid(), userId: newGuid(), audience, algorithm: 'PS256' });
    expect(decodeProtectedHeader(token).alg).toBe('PS256');
    const keys = createLocalJWKSet(await fetchKeySet(issuer.jwksUrl));
    await expect(jwtVerify(token, keys, { algorithms: ['RS256'] })).rejects.toThrow();
  });

  it('honours lifetime, issuer override and extra claims, and drops claims set to undefined', async () => {
    const tenantId = newGuid();
    const token = await issuer.mint({
      tenantId,
      userId: newGuid(),
      audience,
      expiresInSeconds: -600,
      notBeforeSeconds: -900,
      issuer: 'https://elsewhere.example/x',
      extra: { oid: undefined, custom: 1 },
    });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, number | string>;
    expect(payload.iss).toBe('https://elsewhere.example/x');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(-600);
    expect(Number(payload.nbf) - Number(payload.iat)).toBe(-900);
    expect(payload).not.toHaveProperty('oid');
    expect(payload).not.toHaveProperty('roles');
    expect(payload.custom).toBe(1);
  });

  it('uses the injected clock for iat, nbf and exp', async () => {
    const past = Date.UTC(2020, 0, 1);
    const clocked = await startTokenIssuer({ clock: { now: () => past } });
    try {
      const token = await clocked.mint({ tenantId: newGuid(), userId: newGuid(), audience });
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, number>;
      expect(payload.iat).toBe(past / 1000);
    } finally {
      await clocked.stop();
    }
  });

  it('mints over HTTP for a person driving the sandbox, and refuses a malformed request', async () => {
    const tenantId = newGuid();
    const response = await fetch(`${issuer.url}/_sandbox/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenantId, userId: newGuid(), audience, version: '1.0' }),
    });
    expect(response.status).toBe(200);
    const { access_token: token } = (await response.json()) as { access_token: string };
    const keys = createLocalJWKSet(await fetchKeySet(issuer.jwksUrl));
    await expect(jwtVerify(token, keys, { issuer: issuer.issuerFor(tenantId, '1.0'), audience })).resolves.toMatchObject({
      payload: { ver: '1.0', appid: issuer.clientId },
    });

    const bad = await fetch(`${issuer.url}/_sandbox/token`, { method: 'POST', body: JSON.stringify({ tenantId }) });
    expect(bad.status).toBe(400);
    expect((await fetch(`${issuer.url}/_sandbox/token`)).status).toBe(405);
  });

  it('generates a new key per start and leaves nothing listening after stop', async () => {
    const other = await startTokenIssuer();
    expect(other.keyId).not.toBe(issuer.keyId);
    await other.stop();
    await other.stop();
    await expect(fetch(other.jwksUrl)).rejects.toThrow();
  });
});
