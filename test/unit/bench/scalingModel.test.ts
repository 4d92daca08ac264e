import {
  parseRequests,
  perMailFromBenchLog,
  scalingWalls,
  withShardingPlan,
  type Deployment,
  type PerMail,
} from '../../../bench/scalingModel';

const deployment: Deployment = {
  instances: 10,
  coresPerInstance: 1,
  tenants: 100,
  mailboxesPerTenant: 1000,
  largestTenantShare: 0.01,
  graphLatencySeconds: 0.1,
  graphReadsPerMail: 1,
  queueShards: 1,
  tenantPartitionShards: 1,
  storageAccounts: 1,
};

const perMail: PerMail = {
  requests: {
    'POST graph-notifications/messages': 1,
    'DELETE graph-notifications/messages/{id}': 1,
    'POST jira-notify/messages': 2,
    'GET links': 1,
    'POST deliveries/$batch': 2,
    'PUT trails': 1,
    'PUT subscriptions': 0.5,
  },
  appCpuMs: 5,
};

const wallOf = (walls: ReturnType<typeof scalingWalls>, limit: string) =>
  walls.find((wall) => wall.limit.startsWith(limit))?.mailsPerSecond;

describe('scalingModel', () => {
  it('puts each limit at the mail rate the per-mail counts give, the first wall first', () => {
    const walls = scalingWalls(deployment, perMail);
    // 10 cores ÷ 5 ms per mail.
    expect(wallOf(walls, 'app CPU')).toBe(2000);
    // 2,000 messages/s ÷ 1 put; jira-notify ÷ 2 puts.
    expect(wallOf(walls, 'queue graph-notifications')).toBe(2000);
    expect(wallOf(walls, 'queue jira-notify')).toBe(1000);
    // 20,000 requests/s ÷ 8.5 requests per mail.
    expect(wallOf(walls, 'storage account')).toBeCloseTo(20_000 / 8.5, 6);
    // Tenant-keyed: trails only (1 per mail), the largest tenant has 1 % of the mail.
    expect(wallOf(walls, "largest tenant's partition")).toBeCloseTo(2000 / 0.01, 6);
    // 4 concurrent ÷ 0.1 s = 40 mails/s per mailbox, which gets 0.01 / 1000 of the mail.
    expect(wallOf(walls, 'Graph, busiest mailbox')).toBeCloseTo(40 / 0.00001, 3);
    expect(wallOf(walls, "busiest mailbox's partition")).toBeCloseTo(2000 / (0.5 * 0.00001), 3);
    expect(walls[0]?.limit).toBe('queue jira-notify');
    expect(walls.map((wall) => wall.mailsPerSecond)).toEqual([...walls.map((wall) => wall.mailsPerSecond)].sort((a, b) => a - b));
  });

  it('moves the walls the sharding plan names: queues and tenant partitions by the shards, the Graph read gone', () => {
    const hot: Deployment = { ...deployment, tenants: 1, largestTenantShare: 1, mailboxesPerTenant: 1 };
    const today = scalingWalls(hot, perMail);
    const planned = scalingWalls(withShardingPlan(hot, 16, 4), perMail);
    // One tenant, one mailbox: Graph's 4 concurrent reads (40 mails/s) are the first wall.
    expect(today[0]).toMatchObject({ limit: 'Graph, busiest mailbox', mailsPerSecond: 40 });
    expect(wallOf(planned, 'Graph')).toBeUndefined();
    expect(wallOf(planned, 'queue graph-notifications')).toBe(16 * wallOf(today, 'queue graph-notifications')!);
    expect(wallOf(planned, 'queue jira-notify')).toBe(16 * wallOf(today, 'queue jira-notify')!);
    expect(wallOf(planned, "largest tenant's partition")).toBe(16 * wallOf(today, "largest tenant's partition")!);
    // One tenant cannot be spread over accounts: its account's limit stays.
    expect(wallOf(planned, 'storage account')).toBe(wallOf(today, 'storage account'));
    // Then the instances' CPU (2,000 mails/s on 10 cores), which more instances move.
    expect(planned.slice(0, 2).map((wall) => wall.limit)).toEqual(['app CPU', 'storage account']);
  });

  it('spreads many tenants over the storage accounts: the busiest account gets the largest tenant or an even share', () => {
    const spread = scalingWalls(withShardingPlan(deployment, 1, 4), perMail);
    expect(wallOf(spread, 'storage account')).toBeCloseTo((4 * 20_000) / 8.5, 6);
    expect(wallOf(spread, 'queue jira-notify')).toBe(4 * 1000);
    const skewed = scalingWalls(withShardingPlan({ ...deployment, largestTenantShare: 0.5 }, 1, 4), perMail);
    expect(wallOf(skewed, 'storage account')).toBeCloseTo((2 * 20_000) / 8.5, 6);
  });

  it('reads the counts and the CPU off the fan-out bench log, and takes them as an argument', () => {
    const log = [
      'CPU per mail (burst): app 14.92 ms, Azurite 71.87 ms, simulators 3.43 ms',
      'storage requests per mail (counted by the app): 5.5 (POST jira-notify/messages 3.00, GET links 1.50, POST deliveries/$batch 1.00)',
    ].join('\n');
    expect(perMailFromBenchLog(log)).toEqual({
      requests: { 'POST jira-notify/messages': 3, 'GET links': 1.5, 'POST deliveries/$batch': 1 },
      appCpuMs: 14.92,
    });
    expect(parseRequests('POST graph-notifications/messages=1, GET links=0.5', '=')).toEqual({
      'POST graph-notifications/messages': 1,
      'GET links': 0.5,
    });
    expect(() => parseRequests('GET links=lots', '=')).toThrow('not a request count');
    expect(() => perMailFromBenchLog('nothing measured')).toThrow('storage requests per mail');
  });
});
