import { startAzurite, type RunningAzurite } from '../../../../dev/azurite';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { parseEncryptionKeyring } from '../../../../shared/platform/config/encryptionKeyring';
import { SecretBox } from '../../../../shared/platform/crypto/SecretBox';
import { JiraTokenStore } from '../../../../shared/jira/JiraTokenStore';
import { createStorageServices } from '../../../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../../../shared/platform/storage/ensureStorage';
import type { Repositories } from '../../../../shared/platform/storage/Repositories';
import { hashKey } from '../../../../shared/platform/storage/tableKey';

describe('JiraTokenStore against Azurite', () => {
  let azurite: RunningAzurite;
  let repositories: Repositories;
  let now = Date.now();
  const clock = { now: () => now };
  const keyring = parseEncryptionKeyring(`k1:${Buffer.alloc(32, 4).toString('base64')}`);
  if (typeof keyring === 'string') throw new Error(keyring);
  const secrets = new SecretBox({ keyring });
  const alice = { name: 'alice', displayName: 'Alice Example' };
  const WINDOW = 120_000;
  const store = () => new JiraTokenStore({ repository: repositories.jiraTokens, secrets, clock, cacheTtlMs: 60_000 });

  beforeAll(async () => {
    azurite = await startAzurite();
    const storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
    repositories = storage.repositories;
  });
  afterAll(() => azurite?.stop());

  it('stores access tokens encrypted and serves them from its cache', async () => {
    const tenantId = newGuid();
    const tokens = store();
    await tokens.putAccess(tenantId, 'u1', 'demo', { key: 'access-key-1', secret: 'access-secret-1' }, alice);
    const row = await repositories.jiraTokens.access.get({ tenantId, userId: 'u1', instanceId: 'demo' });
    expect(JSON.stringify(row)).not.toMatch(/access-key-1|access-secret-1/);
    expect(row).toMatchObject({ jiraUserName: 'alice', jiraDisplayName: 'Alice Example' });
    expect(await store().getAccess(tenantId, 'u1', 'demo')).toEqual({ key: 'access-key-1', secret: 'access-secret-1' });
    await repositories.jiraTokens.access.delete({ tenantId, userId: 'u1', instanceId: 'demo' });
    expect(await tokens.getAccess(tenantId, 'u1', 'demo')).toEqual({ key: 'access-key-1', secret: 'access-secret-1' });
    now += 60_001;
    expect(await tokens.getAccess(tenantId, 'u1', 'demo')).toBeUndefined();
  });

  it('stores an OAuth 2.0 grant sealed; an OAuth 1.0a reader sees none, and a grant reader sees no OAuth 1.0a token', async () => {
    const tenantId = newGuid();
    const tokens = store();
    const grant = { accessToken: 'bearer-1', refreshToken: 'refresh-1', expiresAt: now + 7200_000, scope: 'WRITE' };
    await tokens.putGrant(tenantId, 'g1', 'demo', grant, alice);
    const row = await repositories.jiraTokens.access.get({ tenantId, userId: 'g1', instanceId: 'demo' });
    expect(JSON.stringify(row)).not.toMatch(/bearer-1|refresh-1/);
    expect(row).toMatchObject({ tokenKind: 'oauth2', scope: 'WRITE', jiraUserName: 'alice' });
    expect(await store().getGrant(tenantId, 'g1', 'demo')).toEqual({ ...grant, expiresAt: new Date(grant.expiresAt).getTime() });
    expect(await store().getAccess(tenantId, 'g1', 'demo')).toBeUndefined();
    await tokens.putAccess(tenantId, 'g2', 'demo', { key: 'k', secret: 's' }, alice);
    expect(await store().getGrant(tenantId, 'g2', 'demo')).toBeUndefined();
  });

  it('replaces a refreshed grant only over the row it read (ETag), and drops a refused grant only while it is stored', async () => {
    const tenantId = newGuid();
    const tokens = store();
    await tokens.putGrant(tenantId, 'g3', 'demo', { accessToken: 'a1', refreshToken: 'r1', expiresAt: now + 1000 }, alice);
    const read = (await tokens.readGrant(tenantId, 'g3', 'demo'))!;
    const other = store();
    expect(
      await other.replaceGrant(tenantId, 'g3', 'demo', { accessToken: 'a2', refreshToken: 'r2', expiresAt: now + 7200_000 }, read.etag),
    ).toBe(true);
    // The loser's write over the row it read is refused; it re-reads the winner's grant.
    expect(
      await tokens.replaceGrant(tenantId, 'g3', 'demo', { accessToken: 'a3', refreshToken: 'r3', expiresAt: now + 7200_000 }, read.etag),
    ).toBe(false);
    expect((await tokens.readGrant(tenantId, 'g3', 'demo'))?.grant.refreshToken).toBe('r2');
    const row = await repositories.jiraTokens.access.get({ tenantId, userId: 'g3', instanceId: 'demo' });
    expect(row).toMatchObject({ jiraUserName: 'alice' });
    await tokens.dropRejectedGrant(tenantId, 'g3', 'demo', read.grant);
    expect(await tokens.readGrant(tenantId, 'g3', 'demo')).toBeDefined();
    await tokens.dropRejectedGrant(tenantId, 'g3', 'demo', { accessToken: 'a2', refreshToken: 'r2', expiresAt: 0 });
    expect(await tokens.readGrant(tenantId, 'g3', 'demo')).toBeUndefined();
  });

  it('drops a rejected token only while it is still the stored one', async () => {
    const tenantId = newGuid();
    const stale = store();
    await stale.putAccess(tenantId, 'u2', 'demo', { key: 'old', secret: 's' }, alice);
    const fresh = store();
    await fresh.putAccess(tenantId, 'u2', 'demo', { key: 'new', secret: 's' }, alice);
    await stale.dropRejected(tenantId, 'u2', 'demo', { key: 'old', secret: 's' });
    expect(await fresh.getAccess(tenantId, 'u2', 'demo')).toEqual({ key: 'new', secret: 's' });
    expect(await stale.getAccess(tenantId, 'u2', 'demo')).toEqual({ key: 'new', secret: 's' });
    await stale.dropRejected(tenantId, 'u2', 'demo', { key: 'new', secret: 's' });
    expect(await repositories.jiraTokens.access.get({ tenantId, userId: 'u2', instanceId: 'demo' })).toBeUndefined();
  });

  it('lets a pending authorization be begun once, by one browser, and consumed once by that browser, before it expires, in its tenant only', async () => {
    const tenantId = newGuid();
    const tokens = store();
    const pending = {
      tenantId,
      userId: 'u3',
      instanceId: 'demo',
      tokenSecret: 'rt-secret',
      beginKey: 'begin-key-1',
      expiresAt: now + 600_000,
    };
    const hash = await tokens.putPending({ ...pending, requestToken: 'rt-1' });
    expect(hash).toBe(hashKey('rt-1'));
    const row = await repositories.jiraTokens.pending.get({ tenantId, requestTokenHash: hash });
    expect(row).toMatchObject({ userId: 'u3', instanceId: 'demo', used: false });
    expect(row?.browserBindingHash).toBeUndefined();
    expect(JSON.stringify(row)).not.toMatch(/rt-secret|rt-1|begin-key-1/);

    await expect(tokens.beginPending(tenantId, hash, 'begin-key-2', WINDOW)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
    const begins = await Promise.allSettled([
      tokens.beginPending(tenantId, hash, 'begin-key-1', WINDOW),
      store().beginPending(tenantId, hash, 'begin-key-1', WINDOW),
    ]);
    const begun = begins.find((r) => r.status === 'fulfilled');
    expect(begins.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(begins.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'oauth_request_token_invalid' } });
    if (begun?.status !== 'fulfilled') throw new Error('nobody began');
    expect(begun.value).toMatchObject({ instanceId: 'demo', requestToken: 'rt-1', expiresAt: now + 600_000 });
    const binding = begun.value.browserBinding;
    expect(JSON.stringify(await repositories.jiraTokens.pending.get({ tenantId, requestTokenHash: hash }))).not.toContain(binding);

    const results = await Promise.allSettled([
      tokens.consumePending(tenantId, 'rt-1', binding),
      store().consumePending(tenantId, 'rt-1', binding),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'fulfilled')).toMatchObject({
      value: { userId: 'u3', instanceId: 'demo', tokenSecret: 'rt-secret' },
    });
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'oauth_request_token_invalid' } });

    const hash2 = await tokens.putPending({ ...pending, requestToken: 'rt-2' });
    const { browserBinding } = await tokens.beginPending(tenantId, hash2, 'begin-key-1', WINDOW);
    await expect(tokens.consumePending(newGuid(), 'rt-2', browserBinding)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
    now += 600_001;
    await expect(tokens.consumePending(tenantId, 'rt-2', browserBinding)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
    await expect(tokens.consumePending(tenantId, 'never', browserBinding)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
    const hash3 = await tokens.putPending({ ...pending, requestToken: 'rt-3', expiresAt: now + 600_000 });
    now += 600_001;
    await expect(tokens.beginPending(tenantId, hash3, 'begin-key-1', WINDOW)).rejects.toMatchObject({
      code: 'oauth_request_token_invalid',
    });
  });

  it.each([
    ['no cookie', undefined],
    ['another value', 'x'.repeat(43)],
    ['an empty value', ''],
  ])('refuses a callback from a browser that did not begin (%s), and the request token is spent', async (_name, given) => {
    const tenantId = newGuid();
    const tokens = store();
    const hash = await tokens.putPending({
      tenantId,
      userId: 'u4',
      instanceId: 'demo',
      requestToken: 'rt-4',
      tokenSecret: 's',
      beginKey: 'k',
      expiresAt: now + 600_000,
    });
    const { browserBinding } = await tokens.beginPending(tenantId, hash, 'k', WINDOW);
    await expect(tokens.consumePending(tenantId, 'rt-4', given)).rejects.toMatchObject({ code: 'oauth_browser_mismatch' });
    await expect(tokens.consumePending(tenantId, 'rt-4', browserBinding)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
  });

  it('refuses a begin later than its window after the start, though the request token is still valid', async () => {
    const tenantId = newGuid();
    const tokens = store();
    const pending = { tenantId, userId: 'u6', instanceId: 'demo', tokenSecret: 's', beginKey: 'k', expiresAt: now + 600_000 };
    const early = await tokens.putPending({ ...pending, requestToken: 'rt-6' });
    const late = await tokens.putPending({ ...pending, requestToken: 'rt-7' });
    now += WINDOW - 1;
    await expect(tokens.beginPending(tenantId, early, 'k', WINDOW)).resolves.toMatchObject({ requestToken: 'rt-6' });
    now += 1;
    await expect(tokens.beginPending(tenantId, late, 'k', WINDOW)).rejects.toMatchObject({ code: 'oauth_request_token_invalid' });
  });

  it('refuses a callback for an authorization no browser began', async () => {
    const tenantId = newGuid();
    const tokens = store();
    await tokens.putPending({
      tenantId,
      userId: 'u5',
      instanceId: 'demo',
      requestToken: 'rt-5',
      tokenSecret: 's',
      beginKey: 'k',
      expiresAt: now + 600_000,
    });
    await expect(tokens.consumePending(tenantId, 'rt-5', 'anything')).rejects.toMatchObject({ code: 'oauth_browser_mismatch' });
  });
});
