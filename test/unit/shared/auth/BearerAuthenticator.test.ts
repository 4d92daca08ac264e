import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, UnsecuredJWT } from 'jose';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer, type TokenVersion } from '../../../../dev/sandbox/issuer/tokenIssuer';
import { BearerAuthenticator, type BearerAuthenticatorInit } from '../../../../shared/auth/BearerAuthenticator';
import { AppError } from '../../../../shared/platform/errors/AppError';
import { statusForCode } from '../../../../shared/platform/errors/statusForCode';
import { systemClock } from '../../../../shared/platform/clock';

const audience = 'api://jira-outlook-cloud-test';
const clientIdAudience = newGuid();

describe('BearerAuthenticator', () => {
  let issuer: TokenIssuer;
  let auth: BearerAuthenticator;
  const tenantId = newGuid();
  const userId = newGuid();

  function authenticator(overrides: Partial<BearerAuthenticatorInit> = {}): BearerAuthenticator {
    return new BearerAuthenticator({
      audiences: [audience, clientIdAudience],
      issuerTemplates: { '1.0': issuer.issuerTemplateV1, '2.0': issuer.issuerTemplate },
      jwksUrl: issuer.jwksUrl,
      allowedTenants: [],
      allowedClientIds: [issuer.clientId],
      clockSkewSeconds: 120,
      adminRole: 'Integration.Admin',
      clock: systemClock,
      ...overrides,
    });
  }

  function templatesOf(other: TokenIssuer): Pick<BearerAuthenticatorInit, 'issuerTemplates'> {
    return { issuerTemplates: { '1.0': other.issuerTemplateV1, '2.0': other.issuerTemplate } };
  }

  function ownInit(other: TokenIssuer): Partial<BearerAuthenticatorInit> {
    return { ...templatesOf(other), jwksUrl: other.jwksUrl, allowedClientIds: [other.clientId] };
  }

  async function rejection(promise: Promise<unknown>): Promise<AppError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  beforeAll(async () => {
    issuer = await startTokenIssuer();
    auth = authenticator();
  });

  afterAll(async () => {
    await issuer.stop();
  });

  it('turns a valid token into the caller: tid, oid, roles, name', async () => {
    const token = await issuer.mint({ tenantId, userId, audience, roles: ['Integration.Admin', 'Other'], name: 'Ada Lovelace' });
    await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({
      tenantId,
      userId,
      roles: ['Integration.Admin', 'Other'],
      name: 'Ada Lovelace',
    });
  });

  it('accepts any configured audience, a lower-case scheme and surrounding blanks; roles default to none', async () => {
    const token = await issuer.mint({ tenantId, userId, audience: clientIdAudience });
    // Strict: a token without a name or sign-in name makes a caller without those properties.
    await expect(auth.authenticate(`  bearer   ${token} `)).resolves.toStrictEqual({ tenantId, userId, roles: [] });
  });

  it('uses oid, never sub, and normalises GUIDs to lower case', async () => {
    const upperTenant = newGuid().toUpperCase();
    const upperUser = newGuid().toUpperCase();
    const token = await issuer.mint({ tenantId: upperTenant, userId: upperUser, audience, extra: { sub: 'pairwise-subject' } });
    const caller = await auth.authenticate(`Bearer ${token}`);
    expect(caller).toMatchObject({ tenantId: upperTenant.toLowerCase(), userId: upperUser.toLowerCase() });
  });

  it('refuses a token without oid even when it has sub', async () => {
    const token = await issuer.mint({ tenantId, userId, audience, extra: { oid: undefined } });
    const error = await rejection(auth.authenticate(`Bearer ${token}`));
    expect(error.code).toBe('invalid_token');
    expect(error.detail).toMatch(/claim/);
  });

  it.each([
    ['tid is not a GUID', { tid: 'contoso.onmicrosoft.com' }],
    ['oid is not a GUID', { oid: 'admin' }],
    ['roles is not a list', { roles: 'Integration.Admin' }],
    ['exp is missing', { exp: undefined }],
  ])('refuses a token whose %s', async (_, extra) => {
    const bad = { ...extra } as Record<string, unknown>;
    // Keep iss consistent with a replaced tid, so only the claim's shape is at fault.
    const iss = typeof bad.tid === 'string' ? issuer.issuerFor(bad.tid) : undefined;
    const token = await issuer.mint({ tenantId, userId, audience, issuer: iss, extra: bad });
    const error = await rejection(auth.authenticate(`Bearer ${token}`));
    expect(error.code).toBe('invalid_token');
    expect(error.headers['WWW-Authenticate']).toContain('error="invalid_token"');
  });

  it('allows the configured clock skew on both ends of the lifetime, and no more', async () => {
    const slightlyExpired = await issuer.mint({ tenantId, userId, audience, expiresInSeconds: -60 });
    const slightlyEarly = await issuer.mint({ tenantId, userId, audience, notBeforeSeconds: 60 });
    await expect(auth.authenticate(`Bearer ${slightlyExpired}`)).resolves.toMatchObject({ userId });
    await expect(auth.authenticate(`Bearer ${slightlyEarly}`)).resolves.toMatchObject({ userId });

    const strict = authenticator({ clockSkewSeconds: 0 });
    expect((await rejection(strict.authenticate(`Bearer ${slightlyExpired}`))).detail).toBe('The token has expired');
    expect((await rejection(strict.authenticate(`Bearer ${slightlyEarly}`))).detail).toBe('The token is not valid yet');
  });

  it('judges lifetime by the injected clock, not the machine clock', async () => {
    const lastYear = Date.now() - 365 * 24 * 3600 * 1000;
    const oldIssuer = await startTokenIssuer({ clock: { now: () => lastYear } });
    try {
      const token = await oldIssuer.mint({ tenantId, userId, audience });
      const init = { ...templatesOf(oldIssuer), jwksUrl: oldIssuer.jwksUrl, allowedClientIds: [oldIssuer.clientId] };
      await expect(
        authenticator({ ...init, clock: { now: () => lastYear + 60_000 } }).authenticate(`Bearer ${token}`),
      ).resolves.toMatchObject({ tenantId });
      expect((await rejection(authenticator(init).authenticate(`Bearer ${token}`))).detail).toBe('The token has expired');
    } finally {
      await oldIssuer.stop();
    }
  });

  it('answers a token it verified before from its cache, until the token expires by the injected clock', async () => {
    let now = Date.now();
    const clock = { now: () => now };
    const own = await startTokenIssuer({ clock });
    const cached = authenticator({ ...ownInit(own), clock, clockSkewSeconds: 120 });
    const uncached = authenticator({
      ...ownInit(own),
      clock,
      clockSkewSeconds: 120,
      verifiedTokenCache: false,
    });
    try {
      const token = await own.mint({ tenantId, userId, audience, expiresInSeconds: 60, notBeforeSeconds: 0 });
      await expect(cached.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ userId });
      await expect(uncached.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ userId });
      // Before nbf minus the skew a fresh verification refuses the token; the cached answer shows it was not verified again.
      now -= 10 * 60_000;
      await expect(cached.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ userId });
      expect((await rejection(uncached.authenticate(`Bearer ${token}`))).detail).toBe('The token is not valid yet');
      // Past exp plus the skew, the cache no longer answers and verification refuses it.
      now += 10 * 60_000 + 60_000 + 120_000;
      expect((await rejection(cached.authenticate(`Bearer ${token}`))).detail).toBe('The token has expired');
    } finally {
      await own.stop();
    }
  });

  it('refuses a tenant outside a non-empty allow list with 403, after checking the token', async () => {
    const otherTenant = newGuid();
    const restricted = authenticator({ allowedTenants: [tenantId.toUpperCase()] });
    const ours = await issuer.mint({ tenantId, userId, audience });
    const theirs = await issuer.mint({ tenantId: otherTenant, userId, audience });
    await expect(restricted.authenticate(`Bearer ${ours}`)).resolves.toMatchObject({ tenantId });
    const refused = await rejection(restricted.authenticate(`Bearer ${theirs}`));
    expect(refused.code).toBe('tenant_not_allowed');
    expect(refused.detail).toBe('Users of this tenant may not use this service');

    const theirsExpired = await issuer.mint({ tenantId: otherTenant, userId, audience, expiresInSeconds: -3600 });
    expect((await rejection(restricted.authenticate(`Bearer ${theirsExpired}`))).code).toBe('invalid_token');
  });

  it('requireAdmin passes a caller with the admin role and refuses one without, with an insufficient_scope challenge', () => {
    expect(() => auth.requireAdmin({ tenantId, userId, roles: ['Integration.Admin'] })).not.toThrow();
    let error: unknown;
    try {
      auth.requireAdmin({ tenantId, userId, roles: ['integration.admin', 'Reader'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('admin_role_required');
    expect((error as AppError).headers['WWW-Authenticate']).toBe(
      'Bearer realm="jira-outlook-cloud", error="insufficient_scope", error_description="The app role Integration.Admin is required"',
    );
  });

  it('fetches the key set once and keeps using it when the issuer goes away', async () => {
    const own = await startTokenIssuer();
    const cached = authenticator(ownInit(own));
    const first = await own.mint({ tenantId, userId, audience });
    const second = await own.mint({ tenantId, userId: newGuid(), audience });
    await expect(cached.authenticate(`Bearer ${first}`)).resolves.toMatchObject({ userId });
    await own.stop();
    await expect(cached.authenticate(`Bearer ${second}`)).resolves.toMatchObject({ tenantId });

    const cold = authenticator(ownInit(own));
    const error = await rejection(cold.authenticate(`Bearer ${second}`));
    expect(error.code).toBe('service_unavailable');
    expect(error.headers['Retry-After']).toBe('30');
  });

  it('answers 503, not 401, when the key set endpoint answers an error or garbage', async () => {
    const responses = [
      { status: 500, body: 'oops' },
      { status: 200, body: 'not json' },
      { status: 200, body: JSON.stringify({ keys: 'none' }) },
    ];
    let next = 0;
    const broken = http.createServer((_request, response) => {
      const { status, body } = responses[next++ % responses.length]!;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    try {
      const jwksUrl = `http://127.0.0.1:${(broken.address() as AddressInfo).port}/keys`;
      const token = await issuer.mint({ tenantId, userId, audience });
      for (let i = 0; i < responses.length; i++) {
        // A fresh authenticator per answer: a failed fetch is not cached, but be explicit.
        const error = await rejection(authenticator({ jwksUrl }).authenticate(`Bearer ${token}`));
        expect(error.code).toBe('service_unavailable');
        expect(error.detail).toBe('The signing keys of the identity provider could not be loaded');
      }
      expect(next).toBe(responses.length);
    } finally {
      await new Promise<void>((resolve) => {
        broken.close(() => resolve());
        broken.closeAllConnections();
      });
    }
  });

  it('refuses alg none and RS512 by the allow-list itself: 401 naming the algorithm, and no key is fetched for them', async () => {
    // A key set endpoint that fails: a token that got as far as a key lookup would be a 503.
    let keyRequests = 0;
    const keys = http.createServer((_request, response) => {
      keyRequests += 1;
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    try {
      const guarded = authenticator({ jwksUrl: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys` });
      const unsigned = new UnsecuredJWT(decodeJwt(await issuer.mint({ tenantId, userId, audience }))).encode();
      const rs512 = await issuer.mint({ tenantId, userId, audience, algorithm: 'RS512' });
      for (const [token, alg] of [
        [unsigned, 'none'],
        [rs512, 'RS512'],
      ] as const) {
        const error = await rejection(guarded.authenticate(`Bearer ${token}`));
        expect(error.code).toBe('invalid_token');
        expect(error.detail).toBe(
          `The token signing algorithm ${alg} is not allowed: only RS256, which the Microsoft identity platform signs with, is`,
        );
      }
      expect(keyRequests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => {
        keys.close(() => resolve());
        keys.closeAllConnections();
      });
    }
  });

  describe.each<[TokenVersion, TokenVersion, string]>([
    ['1.0', '2.0', 'appid'],
    ['2.0', '1.0', 'azp'],
  ])('a v%s access token', (version, otherVersion, clientClaim) => {
    // What Entra puts in `aud`: v2.0 always the API's client id; v1.0 what the client asked for.
    const aud = version === '2.0' ? clientIdAudience : audience;
    const mint = (claims: Partial<Parameters<TokenIssuer['mint']>[0]> = {}) =>
      issuer.mint({ tenantId, userId, audience: aud, version, ...claims });

    it('is accepted for our audience, its own issuer and an allowed client: oid, tid, roles, name and sign-in name', async () => {
      const token = await mint({ roles: ['Integration.Admin'], name: 'Ada Lovelace', username: 'ada@contoso.example' });
      expect(decodeJwt(token)).toMatchObject({ ver: version, iss: issuer.issuerFor(tenantId, version), [clientClaim]: issuer.clientId });
      await expect(auth.authenticate(`Bearer ${token}`)).resolves.toEqual({
        tenantId,
        userId,
        roles: ['Integration.Admin'],
        name: 'Ada Lovelace',
        username: 'ada@contoso.example',
      });
    });

    it('makes the same caller as the other version does for the same user', async () => {
      const claims = { name: 'Ada', username: 'ada@contoso.example', roles: ['Integration.Admin'] };
      const theOther = await issuer.mint({
        tenantId,
        userId,
        audience: otherVersion === '2.0' ? clientIdAudience : audience,
        version: otherVersion,
        ...claims,
      });
      expect(await auth.authenticate(`Bearer ${await mint(claims)}`)).toEqual(await auth.authenticate(`Bearer ${theOther}`));
    });

    it(`is refused with the v${otherVersion} issuer, the detail naming both and the setting`, async () => {
      const token = await mint({ issuer: issuer.issuerFor(tenantId, otherVersion) });
      const error = await rejection(auth.authenticate(`Bearer ${token}`));
      expect(error.code).toBe('invalid_token');
      expect(statusForCode(error.code)).toBe(401);
      expect(error.headers['WWW-Authenticate']).toBe(
        'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The token issuer is not trusted"',
      );
      expect(error.detail).toContain(`${issuer.issuerFor(tenantId, otherVersion)} is the v${otherVersion} issuer`);
      expect(error.detail).toContain(`v${version} token must name ${issuer.issuerFor(tenantId, version)}`);
      expect(error.detail).toContain(version === '1.0' ? 'AUTH_ISSUER_TEMPLATE_V1' : 'AUTH_ISSUER_TEMPLATE)');
      expect(error.detail).not.toContain(token.split('.')[1]!);
    });

    it("is refused with Microsoft's issuer when another is configured, the detail saying which setting to change", async () => {
      const microsoft = version === '1.0' ? `https://sts.windows.net/${tenantId}/` : `https://login.microsoftonline.com/${tenantId}/v2.0`;
      const error = await rejection(auth.authenticate(`Bearer ${await mint({ issuer: microsoft })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe(
        `The token issuer ${microsoft} is not the v${version} issuer of tenant ${tenantId}, ${issuer.issuerFor(tenantId, version)}; ` +
          `if your identity platform issues v${version} tokens under another issuer, set ${version === '1.0' ? 'AUTH_ISSUER_TEMPLATE_V1' : 'AUTH_ISSUER_TEMPLATE'} to it, with {tenantId} for the tenant`,
      );
    });

    it("is refused with another tenant's issuer", async () => {
      const otherTenant = newGuid();
      const error = await rejection(auth.authenticate(`Bearer ${await mint({ issuer: issuer.issuerFor(otherTenant, version) })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe(
        `The token issuer ${issuer.issuerFor(otherTenant, version)} names the tenant ${otherTenant}, not the token's own tenant ${tenantId} (tid)`,
      );
    });

    it('is refused for another audience, the detail naming it and API_AUDIENCE', async () => {
      const error = await rejection(auth.authenticate(`Bearer ${await mint({ audience: 'api://someone-else' })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.headers['WWW-Authenticate']).toContain('error_description="The token is not issued for this API"');
      expect(error.detail).toBe(
        'The token is issued for api://someone-else, which is not in API_AUDIENCE' +
          ' (v2.0 tokens carry the API client id, v1.0 tokens the App ID URI or client id the add-in asked for)',
      );
    });

    it(`is refused with 401 client_not_allowed when its ${clientClaim} is not an allowed client`, async () => {
      const stranger = newGuid();
      const error = await rejection(auth.authenticate(`Bearer ${await mint({ clientId: stranger })}`));
      expect(error.code).toBe('client_not_allowed');
      expect(statusForCode(error.code)).toBe(401);
      expect(error.headers['WWW-Authenticate']).toBe(
        'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The client application may not call this API"',
      );
      expect(error.detail).toBe(
        `The token was issued to the client application ${stranger} (${clientClaim}), which is not in AUTH_ALLOWED_CLIENT_IDS`,
      );
    });

    it('is refused when no client is allowed at all, the detail naming the empty setting', async () => {
      const error = await rejection(authenticator({ allowedClientIds: [] }).authenticate(`Bearer ${await mint()}`));
      expect(error.code).toBe('client_not_allowed');
      expect(error.detail).toMatch(/AUTH_ALLOWED_CLIENT_IDS is empty/);
    });

    it('matches allowed client ids whatever their case', async () => {
      const upper = authenticator({ allowedClientIds: [issuer.clientId.toUpperCase()] });
      await expect(upper.authenticate(`Bearer ${await mint()}`)).resolves.toMatchObject({ userId });
    });

    it(`is refused when it names its client in the other version's claim instead of ${clientClaim}`, async () => {
      const swapped = version === '1.0' ? { appid: undefined, azp: issuer.clientId } : { azp: undefined, appid: issuer.clientId };
      const error = await rejection(auth.authenticate(`Bearer ${await mint({ extra: swapped })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe(`The token lacks a required claim or has a malformed one (v${version} token): ${clientClaim}`);
    });

    it.each(['RS384', 'RS512', 'PS256'] as const)(
      'is refused when the genuine key signed it with %s, the detail naming it',
      async (algorithm) => {
        const token = await mint({ algorithm });
        const error = await rejection(auth.authenticate(`Bearer ${token}`));
        expect(error.code).toBe('invalid_token');
        expect(error.headers['WWW-Authenticate']).toContain('error_description="The token signing algorithm is not allowed"');
        expect(error.detail).toBe(
          `The token signing algorithm ${algorithm} is not allowed: only RS256, which the Microsoft identity platform signs with, is`,
        );
      },
    );

    it('is refused unsigned (alg none)', async () => {
      const unsigned = new UnsecuredJWT(decodeJwt(await mint())).encode();
      const error = await rejection(auth.authenticate(`Bearer ${unsigned}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe(
        'The token signing algorithm none is not allowed: only RS256, which the Microsoft identity platform signs with, is',
      );
    });
  });

  it.each([
    ['no ver', { ver: undefined }],
    ['ver 3.0', { ver: '3.0' }],
  ])('refuses a token with %s as no Microsoft identity platform access token', async (_, extra) => {
    const token = await issuer.mint({ tenantId, userId, audience, extra });
    const error = await rejection(auth.authenticate(`Bearer ${token}`));
    expect(error.code).toBe('invalid_token');
    expect(error.detail).toBe(
      'The token lacks a required claim or has a malformed one: ver must be 1.0 or 2.0 (a Microsoft identity platform access token)',
    );
  });

  it('refuses to be built with an issuer template that cannot name a tenant, one template for both versions, or no audience', () => {
    const v2 = 'https://login.microsoftonline.com/{tenantId}/v2.0';
    expect(() =>
      authenticator({
        issuerTemplates: { '1.0': 'https://sts.windows.net/{tenantId}/', '2.0': 'https://login.microsoftonline.com/common/v2.0' },
      }),
    ).toThrow(/v2\.0 issuer template must contain \{tenantId\}/);
    expect(() => authenticator({ issuerTemplates: { '1.0': 'https://sts.windows.net/', '2.0': v2 } })).toThrow(/v1\.0 issuer template/);
    expect(() => authenticator({ issuerTemplates: { '1.0': v2, '2.0': v2 } })).toThrow(/must differ/);
    expect(() => authenticator({ audiences: [] })).toThrow(/audiences/);
  });

  describe('the Authorization header', () => {
    const missing = 'An Authorization header with a Bearer token is required';

    it.each([
      ['no header', null],
      ['another scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
      ['blanks only', '   '],
    ])('without Bearer credentials (%s) gets 401 unauthenticated with a challenge naming no error', async (_, header) => {
      const error = await rejection(auth.authenticate(header));
      expect(error.code).toBe('unauthenticated');
      expect(error.detail).toBe(missing);
      // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
      expect(error.headers['WWW-Authenticate']).toBe('Bearer realm="jira-outlook-cloud"');
    });

    it('carrying a Basic scheme with a genuine token is not taken for Bearer', async () => {
      const token = await issuer.mint({ tenantId, userId, audience });
      expect((await rejection(auth.authenticate(`Basic ${token}`))).code).toBe('unauthenticated');
    });

    it('reads every spelling of a Bearer header alike, once its token is verified and cached too', async () => {
      const token = await issuer.mint({ tenantId, userId, audience });
      const caller = { tenantId, userId, roles: [] };
      await expect(auth.authenticate(`Bearer ${token}`)).resolves.toStrictEqual(caller);
      for (const header of [`BEARER ${token}`, `Bearer  ${token}`, `\tBearer ${token}\n`, `bearer\t${token}`])
        await expect(auth.authenticate(header)).resolves.toStrictEqual(caller);
      for (const header of [`Bearer ${token}\nx`, `Bearer ${token},${token}`, `Bearer ${token}=x`])
        expect((await rejection(auth.authenticate(header))).code).toBe('invalid_token');
      // Not the Bearer scheme at all, though the token is genuine: challenged, never read.
      for (const header of [`Bearer=${token}`, `XBearer ${token}`, `x Bearer ${token}`])
        expect((await rejection(auth.authenticate(header))).code).toBe('unauthenticated');
    });

    it.each<[string, (token: string) => string]>([
      ['the scheme alone', () => 'Bearer'],
      ['a word that is no JWT', () => 'Bearer abc'],
      ['a genuine token followed by another word', (token) => `Bearer ${token} extra`],
      // Node's base64url decoder skips a character outside the alphabet, so jose alone would
      // take these for the genuine token (the first) or fail its signature (the second).
      ['a genuine token with a character outside b64token appended', (token) => `Bearer ${token}!`],
      ['a genuine token with a character outside b64token prefixed', (token) => `Bearer !${token}`],
    ])('with %s is refused as malformed', async (_, header) => {
      const token = await issuer.mint({ tenantId, userId, audience });
      const error = await rejection(auth.authenticate(header(token)));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe('The token is malformed');
      expect(error.headers['WWW-Authenticate']).toBe(
        'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The token is malformed"',
      );
    });
  });

  describe('the signature', () => {
    const signatureChallenge =
      'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The token signature is not valid"';

    it('refuses a genuine token whose signature was altered', async () => {
      const [header, payload, signature] = (await issuer.mint({ tenantId, userId, audience })).split('.') as [string, string, string];
      const altered = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
      const error = await rejection(auth.authenticate(`Bearer ${header}.${payload}.${altered}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe('The token signature is not valid');
      expect(error.headers['WWW-Authenticate']).toBe(signatureChallenge);
    });

    it('refuses a token signed by a key the key set does not hold with 401, not the 503 of an unreachable key set', async () => {
      const stranger = await startTokenIssuer();
      try {
        const token = await stranger.mint({ tenantId, userId, audience, clientId: issuer.clientId, issuer: issuer.issuerFor(tenantId) });
        const error = await rejection(auth.authenticate(`Bearer ${token}`));
        expect(error.code).toBe('invalid_token');
        expect(error.detail).toBe('The token signature is not valid');
        expect(error.headers['WWW-Authenticate']).toBe(signatureChallenge);
      } finally {
        await stranger.stop();
      }
    });

    it('trusts a fetched key set for an hour, then fetches it again and refuses a key the provider withdrew', async () => {
      const keySet = JSON.stringify(await (await fetch(issuer.jwksUrl)).json());
      let served = keySet;
      let keyRequests = 0;
      const keys = http.createServer((_request, response) => {
        keyRequests += 1;
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(served);
      });
      await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
      // jose ages its key set by Date.now; the tokens' lifetimes go by the injected clock.
      // Three tokens of distinct callers, so none is answered from the verified-token cache.
      const [first, second, third] = await Promise.all([0, 1, 2].map(() => issuer.mint({ tenantId, userId: newGuid(), audience })));
      // jose ages its key set by Date.now; the tokens' lifetimes go by the injected clock.
      const realNow = Date.now();
      const clock = { now: () => realNow };
      const later = jest.spyOn(Date, 'now');
      try {
        const keyed = authenticator({ jwksUrl: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys`, clock });
        await expect(keyed.authenticate(`Bearer ${first}`)).resolves.toMatchObject({ tenantId });
        served = JSON.stringify({ keys: [] });
        later.mockReturnValue(realNow + 59 * 60_000);
        await expect(keyed.authenticate(`Bearer ${second}`)).resolves.toMatchObject({ tenantId });
        expect(keyRequests).toBe(1);
        later.mockReturnValue(realNow + 61 * 60_000);
        const error = await rejection(keyed.authenticate(`Bearer ${third}`));
        expect(error.code).toBe('invalid_token');
        expect(error.detail).toBe('The token signature is not valid');
        expect(keyRequests).toBe(2);
      } finally {
        later.mockRestore();
        await new Promise<void>((resolve) => {
          keys.close(() => resolve());
          keys.closeAllConnections();
        });
      }
    });
  });

  describe('a claim jose refuses', () => {
    const claimsChallenge =
      'Bearer realm="jira-outlook-cloud", error="invalid_token", error_description="The token lacks a required claim or has a malformed one"';

    it.each([
      ['no exp', { exp: undefined }],
      ['an nbf that is no number', { nbf: 'soon' }],
    ])('refuses a token with %s as lacking a claim, not as expired, early or for another audience', async (_, extra) => {
      const error = await rejection(auth.authenticate(`Bearer ${await issuer.mint({ tenantId, userId, audience, extra })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe('The token lacks a required claim or has a malformed one');
      expect(error.headers['WWW-Authenticate']).toBe(claimsChallenge);
    });

    it('refuses a token without iss as naming no issuer', async () => {
      const error = await rejection(
        auth.authenticate(`Bearer ${await issuer.mint({ tenantId, userId, audience, extra: { iss: undefined } })}`),
      );
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe('The token names no issuer');
      expect(error.headers['WWW-Authenticate']).toContain('error_description="The token issuer is not trusted"');
    });

    it.each([
      ['no aud', undefined, 'no audience'],
      ['an aud that is no text', 42, 'no audience'],
      ['a list of audiences, one of them no text', ['api://a', 7, 'api://b'], 'api://a, api://b'],
    ])('refuses a token with %s, naming only the textual audiences', async (_, aud, named) => {
      const error = await rejection(auth.authenticate(`Bearer ${await issuer.mint({ tenantId, userId, audience, extra: { aud } })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe(
        `The token is issued for ${named}, which is not in API_AUDIENCE` +
          ' (v2.0 tokens carry the API client id, v1.0 tokens the App ID URI or client id the add-in asked for)',
      );
    });

    it('names every malformed claim once, in alphabetical order, with the claims challenge', async () => {
      const token = await issuer.mint({ tenantId, userId, audience, extra: { oid: 'admin', roles: [1, 2], azp: 'the-add-in' } });
      const error = await rejection(auth.authenticate(`Bearer ${token}`));
      expect(error.detail).toBe('The token lacks a required claim or has a malformed one (v2.0 token): azp, oid, roles');
      expect(error.headers['WWW-Authenticate']).toBe(claimsChallenge);
    });
  });

  describe('a header jose refuses before any key is looked up', () => {
    const unsignedWith = (header: Record<string, unknown>) =>
      [header, { tid: tenantId, oid: userId, aud: audience }]
        .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
        .join('.') + '.c2lnbmF0dXJl';

    it.each(['RS256 <img src=x>', 'A'.repeat(17), 'RS256\u0000'])(
      'names no algorithm that is not a plain algorithm name (%j)',
      async (alg) => {
        const error = await rejection(auth.authenticate(`Bearer ${unsignedWith({ alg, typ: 'JWT' })}`));
        expect(error.code).toBe('invalid_token');
        expect(error.detail).toBe(
          'The token signing algorithm is not allowed: only RS256, which the Microsoft identity platform signs with, is',
        );
      },
    );

    it('names an algorithm of the longest plain length', async () => {
      const alg = 'A'.repeat(16);
      const error = await rejection(auth.authenticate(`Bearer ${unsignedWith({ alg, typ: 'JWT' })}`));
      expect(error.detail).toBe(
        `The token signing algorithm ${alg} is not allowed: only RS256, which the Microsoft identity platform signs with, is`,
      );
    });

    it('refuses an RS256 token with an unknown critical extension as malformed, not as a wrong algorithm (RFC 7515 §4.1.11)', async () => {
      const error = await rejection(auth.authenticate(`Bearer ${unsignedWith({ alg: 'RS256', typ: 'JWT', crit: ['urn:x'], 'urn:x': 1 })}`));
      expect(error.code).toBe('invalid_token');
      expect(error.detail).toBe('The token is malformed');
    });
  });

  describe("the detail of an issuer that is not the token's", () => {
    const otherTenant = newGuid();
    const generic = (iss: string) =>
      `The token issuer ${iss} is not the v2.0 issuer of tenant ${tenantId}, ${issuer.issuerFor(tenantId)}; ` +
      'if your identity platform issues v2.0 tokens under another issuer, set AUTH_ISSUER_TEMPLATE to it, with {tenantId} for the tenant';
    const refusal = async (iss: string) =>
      (await rejection(auth.authenticate(`Bearer ${await issuer.mint({ tenantId, userId, audience, issuer: iss })}`))).detail;

    it.each([
      ['the start of an issuer template but another end', () => `${issuer.url}/${otherTenant}/v2.1`],
      [
        'the end of an issuer template but another start',
        () => `${issuer.url}/other/${otherTenant}/v2.0`.replace(`${issuer.url}/`, 'https://elsewhere.example/'),
      ],
      ['an issuer template with an empty tenant', () => `${issuer.url}//v2.0`],
      ['an issuer template with a path for the tenant', () => `${issuer.url}/${otherTenant}/x/v2.0`],
    ])('does not claim that %s names a tenant', async (_, iss) => {
      expect(await refusal(iss())).toBe(generic(iss()));
    });

    it('quotes the issuer with control characters replaced', async () => {
      expect(await refusal('https://evil.example/\u0007\u009f/')).toBe(generic('https://evil.example/??/'));
    });

    it('quotes an issuer of up to 200 characters whole and cuts a longer one there', async () => {
      const of200 = `https://evil.example/${'a'.repeat(200 - 'https://evil.example/'.length)}`;
      expect(await refusal(of200)).toBe(generic(of200));
      expect(await refusal(`${of200}b`)).toBe(generic(`${of200}…`));
    });
  });
});
