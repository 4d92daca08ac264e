import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { startTokenIssuer, type TokenIssuer } from '../../../../dev/sandbox/issuer/tokenIssuer';
import { BearerAuthenticator, type BearerAuthenticatorInit } from '../../../../shared/auth/BearerAuthenticator';
import { AppError } from '../../../../shared/platform/errors/AppError';
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
      issuerTemplate: issuer.issuerTemplate,
      jwksUrl: issuer.jwksUrl,
      allowedTenants: [],
      clockSkewSeconds: 120,
      adminRole: 'Integration.Admin',
      clock: systemClock,
      ...overrides,
    });
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
    await expect(auth.authenticate(`  bearer   ${token} `)).resolves.toEqual({ tenantId, userId, roles: [] });
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
      const init = { issuerTemplate: oldIssuer.issuerTemplate, jwksUrl: oldIssuer.jwksUrl };
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
    const cached = authenticator({ issuerTemplate: own.issuerTemplate, jwksUrl: own.jwksUrl, clock, clockSkewSeconds: 120 });
    const uncached = authenticator({
      issuerTemplate: own.issuerTemplate,
      jwksUrl: own.jwksUrl,
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
    expect((await rejection(restricted.authenticate(`Bearer ${theirs}`))).code).toBe('tenant_not_allowed');

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
    const cached = authenticator({ issuerTemplate: own.issuerTemplate, jwksUrl: own.jwksUrl });
    const first = await own.mint({ tenantId, userId, audience });
    const second = await own.mint({ tenantId, userId: newGuid(), audience });
    await expect(cached.authenticate(`Bearer ${first}`)).resolves.toMatchObject({ userId });
    await own.stop();
    await expect(cached.authenticate(`Bearer ${second}`)).resolves.toMatchObject({ tenantId });

    const cold = authenticator({ issuerTemplate: own.issuerTemplate, jwksUrl: own.jwksUrl });
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
      }
      expect(next).toBe(responses.length);
    } finally {
      await new Promise<void>((resolve) => {
        broken.close(() => resolve());
        broken.closeAllConnections();
      });
    }
  });

  it('refuses to be built with an issuer template that cannot name a tenant, or with no audience', () => {
    expect(() => authenticator({ issuerTemplate: 'https://login.microsoftonline.com/common/v2.0' })).toThrow(/tenantId/);
    expect(() => authenticator({ audiences: [] })).toThrow(/audiences/);
  });
});
