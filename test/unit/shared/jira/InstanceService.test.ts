import { createPublicKey } from 'node:crypto';
import { startAzurite, type RunningAzurite } from '../../../../dev/azurite';
import { newGuid } from '../../../../dev/sandbox/newGuid';
import { parseEncryptionKeyring } from '../../../../shared/platform/config/encryptionKeyring';
import { SecretBox } from '../../../../shared/platform/crypto/SecretBox';
import { generateRsaKeyPair } from '../../../../shared/jira/generateRsaKeyPair';
import { InstanceService, privateKeyContext } from '../../../../shared/jira/InstanceService';
import { createStorageServices } from '../../../../shared/platform/storage/createStorageServices';
import { ensureStorage } from '../../../../shared/platform/storage/ensureStorage';
import type { Repositories } from '../../../../shared/platform/storage/Repositories';

describe('InstanceService against Azurite', () => {
  let azurite: RunningAzurite;
  let repositories: Repositories;
  let now = Date.now();
  const clock = { now: () => now };
  const keyring = parseEncryptionKeyring(`k1:${Buffer.alloc(32, 5).toString('base64')}`);
  if (typeof keyring === 'string') throw new Error(keyring);
  const secrets = new SecretBox({ keyring });
  const moved: string[] = [];
  let service: InstanceService;

  beforeAll(async () => {
    azurite = await startAzurite();
    const storage = createStorageServices({ kind: 'connectionString', connectionString: azurite.connectionString });
    await ensureStorage(storage);
    repositories = storage.repositories;
    service = new InstanceService({
      repository: repositories.instances,
      secrets,
      clock,
      publicBaseUrl: 'https://app.example/',
      baseUrlPolicy: { allowInsecure: true, allowPrivateTargets: true },
      cacheTtlMs: 30_000,
      onInstanceMoved: async (tenantId, instanceId) => {
        moved.push(`${tenantId}/${instanceId}`);
      },
    });
  });
  afterAll(() => azurite?.stop());

  it('generates a 2048-bit key pair on first registration and keeps only the sealed private key', async () => {
    const tenantId = newGuid();
    const { created, view } = await service.register(tenantId, 'one', {
      baseUrl: 'https://jira.example.com/',
      displayName: 'One',
      serviceUser: 'svc',
      serviceToken: 'pat-secret',
    });
    expect(created).toBe(true);
    expect(view).toMatchObject({
      instanceId: 'one',
      baseUrl: 'https://jira.example.com',
      callbackUrl: 'https://app.example/api/jira/oauth/callback',
      hasServiceToken: true,
      serviceUser: 'svc',
    });
    expect(createPublicKey(view.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    const row = await repositories.instances.get({ tenantId, instanceId: 'one' });
    expect(row?.encryptedPrivateKey).toMatch(/^v1\./);
    expect(row?.encryptedPrivateKey).not.toContain('PRIVATE KEY');
    expect(row?.encryptedServiceToken).not.toContain('pat-secret');
    expect(secrets.open(row!.encryptedPrivateKey, privateKeyContext(tenantId, 'one'))).toContain('BEGIN PRIVATE KEY');
    expect(() => secrets.open(row!.encryptedPrivateKey, privateKeyContext(tenantId, 'two'))).toThrow();
    expect((await service.require(tenantId, 'one')).serviceToken()).toBe('pat-secret');
  });

  it('keeps the consumer key and key pair on re-registration, and reports a move of host', async () => {
    const tenantId = newGuid();
    const first = await service.register(tenantId, 'two', { baseUrl: 'https://jira.example.com', displayName: 'Two', serviceToken: 'pat' });
    const second = await service.register(tenantId, 'two', {
      baseUrl: 'https://jira.example.com/',
      displayName: 'Two again',
      appKey: 'com.example.app',
    });
    expect(second.created).toBe(false);
    expect(second.view).toMatchObject({
      consumerKey: first.view.consumerKey,
      publicKeyPem: first.view.publicKeyPem,
      displayName: 'Two again',
      hasServiceToken: true,
      appKey: 'com.example.app',
    });
    expect(moved).not.toContain(`${tenantId}/two`);
    const third = await service.register(tenantId, 'two', { baseUrl: 'https://other.example.com', displayName: 'Two', serviceToken: null });
    expect(third.view.hasServiceToken).toBe(false);
    expect(moved).toContain(`${tenantId}/two`);
  });

  it('drops the service token when the base URL moves to another origin, unless the move brings one', async () => {
    const tenantId = newGuid();
    await service.register(tenantId, 'four', { baseUrl: 'https://jira.example.com', displayName: 'Four', serviceToken: 'pat-a' });
    const samePort = await service.register(tenantId, 'four', { baseUrl: 'https://jira.example.com:443/jira', displayName: 'Four' });
    expect(samePort.view.hasServiceToken).toBe(true);
    const otherPort = await service.register(tenantId, 'four', { baseUrl: 'https://jira.example.com:8443/jira', displayName: 'Four' });
    expect(otherPort.view.hasServiceToken).toBe(false);
    expect((await service.require(tenantId, 'four')).serviceToken()).toBeUndefined();
    await service.register(tenantId, 'four', { baseUrl: 'https://jira.example.com', displayName: 'Four', serviceToken: 'pat-b' });
    const withNew = await service.register(tenantId, 'four', {
      baseUrl: 'https://other.example.com',
      displayName: 'Four',
      serviceToken: 'pat-c',
    });
    expect(withNew.view.hasServiceToken).toBe(true);
    expect((await service.require(tenantId, 'four')).serviceToken()).toBe('pat-c');
  });

  it('caches lookups per process, parses the key once, and sees its own changes at once', async () => {
    const tenantId = newGuid();
    await service.register(tenantId, 'three', { baseUrl: 'https://jira.example.com', displayName: 'Three' });
    const a = await service.require(tenantId, 'three');
    // Gone from the table behind the cache's back: the cache still answers until it expires.
    await repositories.instances.delete({ tenantId, instanceId: 'three' });
    const b = await service.require(tenantId, 'three');
    expect(b).toBe(a);
    now += 30_001;
    await expect(service.require(tenantId, 'three')).rejects.toMatchObject({ code: 'instance_not_found' });

    await service.register(tenantId, 'three', { baseUrl: 'https://jira.example.com', displayName: 'Three' });
    const c = await service.require(tenantId, 'three');
    now += 30_001;
    const d = await service.require(tenantId, 'three');
    expect(d).not.toBe(c);
    expect(d.signer).toBe(c.signer);

    expect(await service.remove(tenantId, 'three')).toBe(true);
    await expect(service.require(tenantId, 'three')).rejects.toMatchObject({ code: 'instance_not_found' });
    expect(await service.remove(tenantId, 'three')).toBe(false);
  });

  it('keeps tenants apart and refuses malformed ids', async () => {
    const tenantId = newGuid();
    await service.register(tenantId, 'four', { baseUrl: 'https://jira.example.com', displayName: 'Four' });
    expect(await service.find(newGuid(), 'four')).toBeUndefined();
    expect(await service.find(tenantId, 'Four')).toBeUndefined();
    expect((await service.list(tenantId)).map((view) => view.instanceId)).toEqual(['four']);
    await expect(service.register(tenantId, 'bad/id', { baseUrl: 'https://jira.example.com', displayName: 'x' })).rejects.toMatchObject({
      code: 'instance_invalid',
    });
    await expect(service.register(tenantId, 'five', { baseUrl: 'ftp://jira.example.com', displayName: 'x' })).rejects.toMatchObject({
      code: 'instance_invalid',
    });
  });

  it('generates distinct key pairs', async () => {
    const [a, b] = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair()]);
    expect(a.publicKeyPem).not.toBe(b.publicKeyPem);
    expect(a.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  });
});
