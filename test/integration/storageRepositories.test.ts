import { TableClient } from '@azure/data-tables';
import { startAzurite, type RunningAzurite } from '../../dev/azurite';
import type { AppError } from '../../shared/platform/errors/AppError';
import { createRepositories } from '../../shared/platform/storage/createRepositories';
import type { DeliveryEntity } from '../../shared/platform/storage/deliveries/deliveryEntity';
import { ensureStorage } from '../../shared/platform/storage/ensureStorage';
import { InstanceRepository } from '../../shared/platform/storage/instances/InstanceRepository';
import type { InstanceEntity } from '../../shared/platform/storage/instances/instanceEntity';
import type { JiraRequestTokenEntity } from '../../shared/platform/storage/jiraTokens/jiraRequestTokenEntity';
import type { LinkEntity } from '../../shared/platform/storage/links/linkEntity';
import { QueueClientFactory } from '../../shared/platform/storage/QueueClientFactory';
import type { Repositories } from '../../shared/platform/storage/Repositories';
import type { SubscriptionEntity } from '../../shared/platform/storage/subscriptions/subscriptionEntity';
import { TableClientFactory } from '../../shared/platform/storage/TableClientFactory';
import { hashKey } from '../../shared/platform/storage/tableKey';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as AppError | undefined;
  expect(error?.code).toBe(code);
};

describe('storage repositories against Azurite', () => {
  let azurite: RunningAzurite;
  let tables: TableClientFactory;
  let repositories: Repositories;
  // Every test works in its own tenant, so tests never see each other's rows.
  let tenantCounter = 0;
  const newTenant = () => `tenant-${++tenantCounter}-${Date.now()}`;

  beforeAll(async () => {
    azurite = await startAzurite();
    const target = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    tables = new TableClientFactory({ target });
    await ensureStorage({ tableClients: tables, queueClients: new QueueClientFactory({ target }) });
    repositories = createRepositories(tables);
  });
  afterAll(() => azurite.stop());

  const instance = (tenantId: string, instanceId: string): InstanceEntity => ({
    tenantId,
    instanceId,
    baseUrl: `https://${instanceId}.example.com`,
    displayName: instanceId,
    consumerKey: 'jira-outlook',
    publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n',
    encryptedPrivateKey: 'v1.k1.cHJpdmF0ZQ',
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T10:00:00.000Z',
  });

  describe('instances (and the operations every repository shares)', () => {
    it('gets undefined for a missing row, inserts once, and refuses a second insert with false', async () => {
      const tenantId = newTenant();
      const repo = repositories.instances;
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toBeUndefined();
      expect(await repo.insert(instance(tenantId, 'demo'))).toBe(true);
      expect(await repo.insert({ ...instance(tenantId, 'demo'), displayName: 'second' })).toBe(false);
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toEqual(instance(tenantId, 'demo'));
    });

    it('updates only while the ETag matches', async () => {
      const tenantId = newTenant();
      const repo = repositories.instances;
      await repo.upsert(instance(tenantId, 'demo'));
      const read = (await repo.getVersioned({ tenantId, instanceId: 'demo' }))!;
      expect(await repo.update({ ...read.entity, displayName: 'first writer', serviceUser: 'svc' }, read.etag)).toBe(true);
      expect(await repo.update({ ...read.entity, displayName: 'second writer' }, read.etag)).toBe(false);
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toMatchObject({ displayName: 'first writer', serviceUser: 'svc' });
    });

    it('upsert replaces every property, so an optional field can be removed', async () => {
      const tenantId = newTenant();
      const repo = repositories.instances;
      await repo.upsert({ ...instance(tenantId, 'demo'), encryptedServiceToken: 'v1.k1.cGF0' });
      await repo.upsert(instance(tenantId, 'demo'));
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toEqual(instance(tenantId, 'demo'));
    });

    it('deletes idempotently, and an update of a deleted row is false', async () => {
      const tenantId = newTenant();
      const repo = repositories.instances;
      await repo.upsert(instance(tenantId, 'demo'));
      const read = (await repo.getVersioned({ tenantId, instanceId: 'demo' }))!;
      await repo.delete({ tenantId, instanceId: 'demo' });
      await repo.delete({ tenantId, instanceId: 'demo' });
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toBeUndefined();
      expect(await repo.update(read.entity, read.etag)).toBe(false);
    });

    it('deletes only while the ETag matches when asked to', async () => {
      const tenantId = newTenant();
      const repo = repositories.instances;
      await repo.upsert(instance(tenantId, 'demo'));
      const first = (await repo.getVersioned({ tenantId, instanceId: 'demo' }))!;
      await repo.upsert({ ...instance(tenantId, 'demo'), displayName: 'changed' });
      expect(await repo.deleteIfMatch({ tenantId, instanceId: 'demo' }, first.etag)).toBe(false);
      const second = (await repo.getVersioned({ tenantId, instanceId: 'demo' }))!;
      expect(await repo.deleteIfMatch({ tenantId, instanceId: 'demo' }, second.etag)).toBe(true);
      expect(await repo.get({ tenantId, instanceId: 'demo' })).toBeUndefined();
    });

    it('lists one partition, all at once or page by page', async () => {
      const tenantId = newTenant();
      const other = newTenant();
      const repo = repositories.instances;
      await Promise.all(['a', 'b', 'c'].map((id) => repo.upsert(instance(tenantId, id))));
      await repo.upsert(instance(other, 'z'));
      expect((await collect(repo.listByTenant(tenantId))).map((i) => i.instanceId)).toEqual(['a', 'b', 'c']);

      const seen: string[] = [];
      let page = await repo.listPartitionPage({ tenantId }, { pageSize: 2 });
      seen.push(...page.items.map((i) => i.instanceId));
      expect(page.items).toHaveLength(2);
      expect(page.continuationToken).toBeDefined();
      page = await repo.listPartitionPage({ tenantId }, { pageSize: 2, continuationToken: page.continuationToken! });
      seen.push(...page.items.map((i) => i.instanceId));
      expect(seen).toEqual(['a', 'b', 'c']);
      expect(page.continuationToken).toBeUndefined();
    });

    it('fails loudly on a corrupt row or one whose keys do not match its fields', async () => {
      const tenantId = newTenant();
      const raw = tables.get('instances');
      await raw.upsertEntity({ partitionKey: tenantId, rowKey: 'broken', tenantId, instanceId: 'broken', baseUrl: 'https://x' });
      await expectCode(repositories.instances.get({ tenantId, instanceId: 'broken' }), 'storage_row_invalid');
      await expectCode(collect(repositories.instances.listByTenant(tenantId)), 'storage_row_invalid');

      const { partitionKey: _pk, rowKey: _rk, ...fields } = { partitionKey: '', rowKey: '', ...instance(tenantId, 'real') };
      await raw.upsertEntity({
        ...fields,
        createdAt: new Date(fields.createdAt),
        updatedAt: new Date(fields.updatedAt),
        partitionKey: tenantId,
        rowKey: 'elsewhere',
      });
      await expectCode(repositories.instances.get({ tenantId, instanceId: 'elsewhere' }), 'storage_row_invalid');
    });

    it('reports a missing table as an error, not as a missing row', async () => {
      const repo = new InstanceRepository({ client: tables.get('tableThatDoesNotExist') });
      await expectCode(repo.get({ tenantId: 't', instanceId: 'i' }), 'storage_request_failed');
    });

    it('refuses an id too long for a key before calling storage', async () => {
      await expectCode(repositories.instances.get({ tenantId: 't', instanceId: '/'.repeat(400) }), 'storage_key_invalid');
    });
  });

  describe('jiraTokens', () => {
    const pending = (tenantId: string, requestToken: string, expiresAt: string): JiraRequestTokenEntity => ({
      tenantId,
      requestTokenHash: hashKey(requestToken),
      userId: 'user-1',
      instanceId: 'demo',
      encryptedTokenSecret: 'v1.k1.c2VjcmV0',
      expiresAt,
      used: false,
      createdAt: '2024-05-01T10:00:00.000Z',
    });

    it('keeps access tokens and pending request tokens apart in one partition', async () => {
      const tenantId = newTenant();
      const { access, pending: requests } = repositories.jiraTokens;
      const token = {
        tenantId,
        userId: 'user/1',
        instanceId: 'demo',
        encryptedAccessToken: 'v1.k1.YQ',
        encryptedTokenSecret: 'v1.k1.cw',
        createdAt: '2024-05-01T10:00:00.000Z',
        updatedAt: '2024-05-01T10:00:00.000Z',
      };
      await access.upsert(token);
      await access.upsert({ ...token, instanceId: 'other' });
      expect(await requests.insert(pending(tenantId, 'rt-1', '2024-05-01T10:10:00.000Z'))).toBe(true);

      expect(await access.get({ tenantId, userId: 'user/1', instanceId: 'demo' })).toEqual(token);
      expect((await collect(access.listPartition({ tenantId }))).map((t) => t.instanceId)).toEqual(['demo', 'other']);
      expect((await collect(requests.listPartition({ tenantId }))).map((t) => t.requestTokenHash)).toEqual([hashKey('rt-1')]);
      expect((await collect(access.listByInstance(tenantId, 'other'))).map((t) => t.userId)).toEqual(['user/1']);
    });

    it('lets exactly one callback claim a request token', async () => {
      const tenantId = newTenant();
      const requests = repositories.jiraTokens.pending;
      await requests.insert(pending(tenantId, 'rt-claim', '2024-05-01T10:10:00.000Z'));
      const key = { tenantId, requestTokenHash: hashKey('rt-claim') };
      const [first, second] = [(await requests.getVersioned(key))!, (await requests.getVersioned(key))!];
      expect(await requests.update({ ...first.entity, used: true }, first.etag)).toBe(true);
      expect(await requests.update({ ...second.entity, used: true }, second.etag)).toBe(false);
      expect((await requests.get(key))!.used).toBe(true);
    });

    it('lists expired request tokens with a server-side time filter', async () => {
      const tenantId = newTenant();
      const requests = repositories.jiraTokens.pending;
      await requests.insert(pending(tenantId, 'old', '2024-05-01T10:00:00.000Z'));
      await requests.insert(pending(tenantId, 'new', '2024-05-01T12:00:00.000Z'));
      const expired = await collect(requests.listExpiredBefore(tenantId, '2024-05-01T11:00:00.000Z'));
      expect(expired.map((t) => t.requestTokenHash)).toEqual([hashKey('old')]);
    });

    it('keeps used panel tokens as a third kind: one insert wins, the other kinds never see them, expired ones are listed', async () => {
      const tenantId = newTenant();
      const { access, pending: requests, panelTokens } = repositories.jiraTokens;
      const used = (tokenHash: string, expiresAt: string) => ({
        tenantId,
        tokenHash,
        instanceId: 'demo',
        expiresAt,
        usedAt: '2024-05-01T10:00:00.000Z',
      });
      expect(await requests.insert(pending(tenantId, 'rt-1', '2024-05-01T10:10:00.000Z'))).toBe(true);
      const results = await Promise.all([1, 2, 3].map(() => panelTokens.insert(used('a'.repeat(64), '2024-05-01T10:03:00.000Z'))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await panelTokens.insert(used('b'.repeat(64), '2024-05-01T12:00:00.000Z'))).toBe(true);

      expect(await collect(access.listPartition({ tenantId }))).toEqual([]);
      expect((await collect(requests.listPartition({ tenantId }))).map((t) => t.requestTokenHash)).toEqual([hashKey('rt-1')]);
      expect((await collect(panelTokens.listPartition({ tenantId }))).map((t) => t.tokenHash)).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
      const expired = await panelTokens.listExpiredBefore(tenantId, '2024-05-01T11:00:00.000Z', 10);
      expect(expired).toEqual([used('a'.repeat(64), '2024-05-01T10:03:00.000Z')]);
    });
  });

  describe('subscriptions', () => {
    const subscription = (subscriptionId: string, tenantId: string, expiresAt: string): SubscriptionEntity => ({
      subscriptionId,
      tenantId,
      userId: 'user-1',
      resource: "users('user-1')/messages",
      clientStateHash: hashKey('client-state'),
      expiresAt,
      createdAt: '2024-05-01T00:00:00.000Z',
    });

    it('stores by subscription id with an empty RowKey and lists those expiring before a time', async () => {
      const tenantId = newTenant();
      const repo = repositories.subscriptions;
      const soon = subscription(`${tenantId}/soon+1=`, tenantId, '2030-01-01T00:00:00.000Z');
      const later = subscription(`${tenantId}/later`, tenantId, '2030-01-03T00:00:00.000Z');
      await repo.insert(soon);
      await repo.insert(later);
      expect(await repo.insert(soon)).toBe(false);
      expect(await repo.get({ subscriptionId: soon.subscriptionId })).toEqual(soon);

      const expiring = await collect(repo.listExpiringBefore('2030-01-02T00:00:00.000Z'));
      expect(expiring.map((s) => s.subscriptionId)).toContain(soon.subscriptionId);
      expect(expiring.map((s) => s.subscriptionId)).not.toContain(later.subscriptionId);
      expect((await collect(repo.listByTenant(tenantId))).map((s) => s.subscriptionId).sort()).toEqual(
        [later.subscriptionId, soon.subscriptionId].sort(),
      );
      expect((await collect(repo.listAll())).map((s) => s.subscriptionId)).toEqual(
        expect.arrayContaining([soon.subscriptionId, later.subscriptionId]),
      );

      const read = (await repo.getVersioned({ subscriptionId: soon.subscriptionId }))!;
      const renewed = {
        ...read.entity,
        expiresAt: '2030-01-05T00:00:00.000Z',
        renewedAt: '2030-01-01T00:00:00.000Z',
        watermark: '2029-12-31T23:59:59.999Z',
      };
      expect(await repo.update(renewed, read.etag)).toBe(true);
      expect(await repo.get({ subscriptionId: soon.subscriptionId })).toEqual(renewed);
      expect((await collect(repo.listExpiringBefore('2030-01-02T00:00:00.000Z'))).map((s) => s.subscriptionId)).not.toContain(
        soon.subscriptionId,
      );
    });
  });

  describe('mailboxes and licenses', () => {
    it('store, read, list and delete by tenant', async () => {
      const tenantId = newTenant();
      const mailbox = { tenantId, userId: 'user@contoso.com', subscriptionId: 'sub/1', updatedAt: '2024-05-01T10:00:00.000Z' };
      await repositories.mailboxes.upsert(mailbox);
      expect(await repositories.mailboxes.get({ tenantId, userId: 'user@contoso.com' })).toEqual(mailbox);
      expect(await collect(repositories.mailboxes.listByTenant(tenantId))).toEqual([mailbox]);
      await repositories.mailboxes.delete(mailbox);
      expect(await repositories.mailboxes.get(mailbox)).toBeUndefined();

      const license = {
        tenantId,
        instanceId: 'demo',
        decisionJson: '{"licensed":true}',
        checkedAt: '2024-05-01T10:00:00.000Z',
        lastGoodAt: '2024-05-01T10:00:00.000Z',
      };
      await repositories.licenses.upsert(license);
      expect(await repositories.licenses.get({ tenantId, instanceId: 'demo' })).toEqual(license);
      expect(await collect(repositories.licenses.listByTenant(tenantId))).toEqual([license]);
    });
  });

  describe('links', () => {
    const link = (tenantId: string, conversationId: string, issueKey: string): LinkEntity => ({
      tenantId,
      conversationId,
      instanceId: 'demo',
      issueKey,
      userId: 'user-1',
      linkedAt: '2024-05-01T10:00:00.000Z',
    });

    it('lists the issues of one conversation, and every link of a tenant but not of a tenant sharing its prefix', async () => {
      const tenantId = newTenant();
      const conversation = 'AAQkAGI2/conv+1=';
      expect(await repositories.links.insert(link(tenantId, conversation, 'DEMO-1'))).toBe(true);
      expect(await repositories.links.insert(link(tenantId, conversation, 'DEMO-1'))).toBe(false);
      await repositories.links.insert(link(tenantId, conversation, 'DEMO-2'));
      await repositories.links.insert(link(tenantId, 'AAQkAGI2/conv+2=', 'DEMO-3'));
      for (const neighbour of [`${tenantId}-eu`, `${tenantId}.x`, `${tenantId}0`])
        await repositories.links.insert(link(neighbour, conversation, 'DEMO-9'));

      expect((await collect(repositories.links.listByConversation(tenantId, conversation))).map((l) => l.issueKey)).toEqual([
        'DEMO-1',
        'DEMO-2',
      ]);
      expect((await collect(repositories.links.listByTenant(tenantId))).map((l) => l.issueKey).sort()).toEqual([
        'DEMO-1',
        'DEMO-2',
        'DEMO-3',
      ]);
      const page = await repositories.links.listByTenantPage(tenantId, { pageSize: 10 });
      expect(page.items).toHaveLength(3);

      await repositories.links.upsert({ ...link(tenantId, conversation, 'DEMO-2'), stale: true });
      expect((await repositories.links.get(link(tenantId, conversation, 'DEMO-2')))!.stale).toBe(true);
      await repositories.links.delete(link(tenantId, conversation, 'DEMO-1'));
      expect((await collect(repositories.links.listByConversation(tenantId, conversation))).map((l) => l.issueKey)).toEqual(['DEMO-2']);
    });
  });

  describe('deliveries', () => {
    const delivery = (tenantId: string, internetMessageId: string, issueKey: string, updatedAt: string): DeliveryEntity => ({
      tenantId,
      internetMessageId,
      instanceId: 'demo',
      issueKey,
      status: 'pending',
      attempts: 1,
      createdAt: updatedAt,
      updatedAt,
      leaseUntil: '2024-05-01T10:05:00.000Z',
    });

    it('de-duplicates with a conditional insert, then moves on with ETag updates', async () => {
      const tenantId = newTenant();
      const messageId = '<CAF=abc/def@mail.example.com>';
      const claim = delivery(tenantId, messageId, 'DEMO-1', '2024-05-01T10:00:00.000Z');
      expect(await repositories.deliveries.insert(claim)).toBe(true);
      expect(await repositories.deliveries.insert(claim)).toBe(false);

      const read = (await repositories.deliveries.getVersioned(claim))!;
      const sent: DeliveryEntity = { ...read.entity, status: 'sent', lastStatus: 204, updatedAt: '2024-05-01T10:00:02.000Z' };
      delete sent.leaseUntil;
      expect(await repositories.deliveries.update(sent, read.etag)).toBe(true);
      expect(await repositories.deliveries.update({ ...read.entity, status: 'failed' }, read.etag)).toBe(false);
      expect(await repositories.deliveries.get(claim)).toEqual(sent);

      await repositories.deliveries.insert(delivery(tenantId, messageId, 'DEMO-2', '2024-05-01T10:00:00.000Z'));
      expect((await collect(repositories.deliveries.listByMessage(tenantId, messageId))).map((d) => d.issueKey)).toEqual([
        'DEMO-1',
        'DEMO-2',
      ]);
      expect((await repositories.deliveries.listByTenantPage(tenantId)).items).toHaveLength(2);
    });

    it('lists rows last changed before a time, for the prune', async () => {
      const tenantId = newTenant();
      await repositories.deliveries.insert(delivery(tenantId, '<old@x>', 'DEMO-1', '2001-01-01T00:00:00.000Z'));
      await repositories.deliveries.insert(delivery(tenantId, '<new@x>', 'DEMO-1', '2099-01-01T00:00:00.000Z'));
      const old = (await collect(repositories.deliveries.listUpdatedBefore('2002-01-01T00:00:00.000Z'))).filter(
        (d) => d.tenantId === tenantId,
      );
      expect(old.map((d) => d.internetMessageId)).toEqual(['<old@x>']);
    });
  });

  it('writes through the TableClient of the named table', () => {
    expect(tables.get('links')).toBeInstanceOf(TableClient);
    expect(tables.get('links').tableName).toBe('links');
  });
});
