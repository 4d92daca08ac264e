import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { formatNumber } from './format';

/**
 * The published limits the model holds a deployment against. Sources:
 * - queue and account: learn.microsoft.com/azure/storage/queues/scalability-targets ("Target
 *   throughput for a single queue (1-KiB messages): up to 2,000 messages per second"; "Maximum
 *   request rate per storage account: 20,000 messages per second");
 * - table partition and account: learn.microsoft.com/azure/storage/tables/scalability-targets
 *   ("Target throughput for a single table partition (1 KiB-entities): up to 2,000 entities per
 *   second"; 20,000 transactions per second per account);
 * - Graph: learn.microsoft.com/graph/throttling-limits#outlook-service-limits (4 concurrent
 *   requests per app per mailbox; beyond that Graph answers 429 MailboxConcurrency).
 */
export const LIMITS = {
  queueMessagesPerSecond: 2000,
  partitionEntitiesPerSecond: 2000,
  accountRequestsPerSecond: 20_000,
  graphConcurrentPerMailbox: 4,
} as const;

/** What one partition of each table is keyed by (docs/architecture.md, "Tables"): what a burst can heat. */
export const TABLE_PARTITIONS: Readonly<Record<string, 'tenant' | 'mailbox' | 'conversation' | 'mail'>> = {
  instances: 'tenant',
  jiraTokens: 'tenant',
  mailboxes: 'tenant',
  licenses: 'tenant',
  reports: 'tenant',
  trails: 'tenant',
  subscriptions: 'mailbox',
  links: 'conversation',
  digests: 'conversation',
  deliveries: 'mail',
};

export interface Deployment {
  /** Function app instances (the host scales out on queue length). */
  instances: number;
  coresPerInstance: number;
  tenants: number;
  mailboxesPerTenant: number;
  /** The largest tenant's share of all mail (1 / tenants when all are alike). */
  largestTenantShare: number;
  /** Graph's answer time for one mail read, seconds. */
  graphLatencySeconds: number;
  /** Graph reads per mail: 1, or 0 with rich notifications (the mail's fields in the notification). */
  graphReadsPerMail: number;
  /** Each queue in N: `graph-notifications-{i}` by hash(subscriptionId), `jira-notify-{i}` by hash(mail); 1 today. */
  queueShards: number;
  /** Storage accounts, tenants spread over them (one tenant stays in one); 1 today. */
  storageAccounts: number;
  /** Tenant-keyed partitions split by + hash(mailbox) into this many; 1 today. */
  tenantPartitionShards: number;
}

/** What the bench measured for one mail: storage requests by `METHOD resource[/detail]`, and the app's CPU. */
export interface PerMail {
  requests: Readonly<Record<string, number>>;
  appCpuMs: number;
}

/** `.local/bench-fanout.json`, as the fan-out bench writes it. */
export const perMailSchema = z.object({ requests: z.record(z.string(), z.number().min(0)), appCpuMs: z.number().positive() });

export interface Wall {
  limit: string;
  /** Total mails per second (all tenants) at which this limit is reached. */
  mailsPerSecond: number;
  /** How the figure follows from the inputs. */
  why: string;
}

/** The resource (table or queue name) of a counter key such as `POST deliveries/$batch`. */
function resourceOf(key: string): string {
  return (key.split(' ')[1] ?? '').split('/')[0] ?? '';
}

function sumWhere(requests: PerMail['requests'], keep: (key: string) => boolean): number {
  return Object.entries(requests).reduce((sum, [key, count]) => (keep(key) ? sum + count : sum), 0);
}

/**
 * The mail rate at which each limit is reached, lowest (the first wall) first. Every
 * storage request counts as one entity or message (a batch of k entities counts 1 request
 * at the account but k at the partition: the model under-counts partitions there, which the
 * fan-out's per-mail partitions keep harmless). Queue throughput counts the messages put.
 */
export function scalingWalls(deployment: Deployment, perMail: PerMail): Wall[] {
  const { requests } = perMail;
  const walls: Wall[] = [];
  const cpuPerSecond = deployment.instances * deployment.coresPerInstance * 1000;
  walls.push({
    limit: 'app CPU',
    mailsPerSecond: cpuPerSecond / perMail.appCpuMs,
    why: `${deployment.instances} instance(s) × ${deployment.coresPerInstance} core(s) ÷ ${formatNumber(perMail.appCpuMs, 1)} ms per mail`,
  });

  // The busiest account holds the largest tenant, or an even share of the others.
  const accountShare = Math.max(deployment.largestTenantShare, 1 / deployment.storageAccounts);
  const inAccount = deployment.storageAccounts > 1 ? ` × ${formatNumber(accountShare, 2)} of the mail in the busiest account` : '';
  const queues = new Set(
    Object.keys(requests)
      .filter((key) => key.startsWith('POST ') && key.endsWith('/messages'))
      .map(resourceOf),
  );
  for (const queue of queues) {
    const puts = requests[`POST ${queue}/messages`] ?? 0;
    if (puts <= 0) continue;
    const shards = deployment.queueShards;
    walls.push({
      limit: `queue ${queue}`,
      mailsPerSecond: (LIMITS.queueMessagesPerSecond * shards) / (puts * accountShare),
      why: `${formatNumber(LIMITS.queueMessagesPerSecond)} messages/s × ${shards} shard(s) ÷ (${formatNumber(puts, 2)} puts per mail${inAccount})`,
    });
  }

  const total = sumWhere(requests, () => true);
  walls.push({
    limit: 'storage account',
    mailsPerSecond: LIMITS.accountRequestsPerSecond / (total * accountShare),
    why: `${formatNumber(LIMITS.accountRequestsPerSecond)} requests/s ÷ (${formatNumber(total, 1)} requests per mail${inAccount})`,
  });

  const perTenant = sumWhere(requests, (key) => TABLE_PARTITIONS[resourceOf(key)] === 'tenant');
  if (perTenant > 0) {
    const shards = deployment.tenantPartitionShards;
    walls.push({
      limit: "largest tenant's partition",
      mailsPerSecond: (LIMITS.partitionEntitiesPerSecond * shards) / (perTenant * deployment.largestTenantShare),
      why: `${formatNumber(LIMITS.partitionEntitiesPerSecond)} entities/s × ${shards} ÷ (${formatNumber(perTenant, 2)} per mail on tenant-keyed tables × ${formatNumber(deployment.largestTenantShare, 2)} of the mail)`,
    });
  }

  // The busiest mailbox: the largest tenant's mail spread over its mailboxes.
  const mailboxShare = deployment.largestTenantShare / deployment.mailboxesPerTenant;
  if (deployment.graphReadsPerMail > 0) {
    const perMailbox = LIMITS.graphConcurrentPerMailbox / (deployment.graphReadsPerMail * deployment.graphLatencySeconds);
    walls.push({
      limit: 'Graph, busiest mailbox',
      mailsPerSecond: perMailbox / mailboxShare,
      why: `${LIMITS.graphConcurrentPerMailbox} concurrent ÷ ${formatNumber(deployment.graphLatencySeconds, 2)} s = ${formatNumber(perMailbox)} mails/s per mailbox, which gets 1/${formatNumber(1 / mailboxShare)} of the mail`,
    });
  }
  const perMailboxRequests = sumWhere(requests, (key) => TABLE_PARTITIONS[resourceOf(key)] === 'mailbox');
  if (perMailboxRequests > 0) {
    walls.push({
      limit: "busiest mailbox's partition",
      mailsPerSecond: LIMITS.partitionEntitiesPerSecond / (perMailboxRequests * mailboxShare),
      why: `${formatNumber(LIMITS.partitionEntitiesPerSecond)} entities/s ÷ (${formatNumber(perMailboxRequests, 2)} per mail × 1/${formatNumber(1 / mailboxShare)} of the mail)`,
    });
  }
  return walls.sort((a, b) => a.mailsPerSecond - b.mailsPerSecond);
}

/**
 * The sharding plan of docs/performance.md ("Scale beyond one instance"): each queue in N
 * (`graph-notifications` by hash(subscriptionId), `jira-notify` by hash(mail)), tenant-keyed
 * partitions + hash(mailbox) in N, rich notifications so no mail is read back from Graph, and
 * the tenants spread over `accounts` storage accounts.
 */
export function withShardingPlan(deployment: Deployment, shards: number, accounts: number): Deployment {
  return { ...deployment, queueShards: shards, tenantPartitionShards: shards, graphReadsPerMail: 0, storageAccounts: accounts };
}

/** The per-kind counts and the app's CPU from the fan-out bench's log lines (stderr of `npm run bench -- fanout`). */
export function perMailFromBenchLog(log: string): PerMail {
  const line = /storage requests per mail \(counted by the app\): [\d.]+ \((.*)\)/.exec(log)?.[1];
  if (line === undefined) throw new Error('no "storage requests per mail" line in the bench log');
  const cpu = /CPU per mail \(burst\): app ([\d.]+) ms/.exec(log)?.[1];
  if (cpu === undefined) throw new Error('no "CPU per mail (burst): app … ms" line in the bench log');
  return { requests: parseRequests(line, ' '), appCpuMs: Number(cpu) };
}

/** `KEY COUNT, KEY COUNT` (the bench's line) or `KEY=COUNT,KEY=COUNT` (an argument). */
export function parseRequests(text: string, separator: ' ' | '='): Record<string, number> {
  const requests: Record<string, number> = {};
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const at = trimmed.lastIndexOf(separator);
    const count = Number(trimmed.slice(at + 1));
    if (at <= 0 || !Number.isFinite(count) || count < 0) throw new Error(`not a request count: ${trimmed}`);
    const key = trimmed.slice(0, at).trim();
    requests[key] = (requests[key] ?? 0) + count;
  }
  return requests;
}

/** The model's table: each limit, the mail rate at its wall today and with the plan. */
export function formatModel(deployment: Deployment, perMail: PerMail, shards: number, accounts: number): string {
  const today = scalingWalls(deployment, perMail);
  const planned = scalingWalls(withShardingPlan(deployment, shards, accounts), perMail);
  const plannedFor = (limit: string) => planned.find((wall) => wall.limit === limit);
  const lines = [
    '| limit | today: mails/s at the wall | with the sharding plan | how |',
    '| --- | --- | --- | --- |',
    ...today.map((wall) => {
      const after = plannedFor(wall.limit);
      return `| ${wall.limit} | ${formatNumber(wall.mailsPerSecond)} | ${after ? formatNumber(after.mailsPerSecond) : 'removed'} | ${wall.why} |`;
    }),
  ];
  // The app's CPU moves with the instances (the host scales out on queue length): the walls that matter are the others.
  const fixed = (walls: Wall[]) => walls.find((wall) => wall.limit !== 'app CPU')!;
  const first = fixed(today);
  const next = fixed(planned);
  const instancesFor = (mailsPerSecond: number) => Math.ceil((mailsPerSecond * perMail.appCpuMs) / 1000 / deployment.coresPerInstance);
  lines.push(
    '',
    `First limit more instances cannot move, today: ${first.limit} at ${formatNumber(first.mailsPerSecond)} mails/s (${formatNumber(instancesFor(first.mailsPerSecond))} instance(s) of ${deployment.coresPerInstance} core(s) reach it). With the plan (${shards} shards, ${accounts} storage accounts, rich notifications): ${next.limit} at ${formatNumber(next.mailsPerSecond)} mails/s (${formatNumber(next.mailsPerSecond / first.mailsPerSecond, 1)}×; ${formatNumber(instancesFor(next.mailsPerSecond))} instance(s)).`,
  );
  return lines.join('\n');
}

/** Where `npm run bench -- fanout` leaves what it measured per mail. */
export const MEASURED_PER_MAIL_FILE = resolve('.local', 'bench-fanout.json');

/** `npm run bench -- model [--from=<bench log or .local/bench-fanout.json>] [--requests=K=N,…] [--app-cpu-ms=N] [--instances=N] …` */
export function runScalingModel(argv: readonly string[]): string {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      from: { type: 'string' },
      requests: { type: 'string' },
      'app-cpu-ms': { type: 'string' },
      instances: { type: 'string', default: '10' },
      cores: { type: 'string', default: '1' },
      tenants: { type: 'string', default: '100' },
      mailboxes: { type: 'string', default: '1000' },
      'largest-tenant-share': { type: 'string' },
      'graph-latency-ms': { type: 'string', default: '150' },
      shards: { type: 'string', default: '16' },
      accounts: { type: 'string', default: '4' },
    },
  });
  const number = (name: string, text: string | undefined): number => {
    const value = Number(text);
    if (text === undefined || !Number.isFinite(value) || value <= 0) throw new Error(`--${name}: a positive number`);
    return value;
  };
  let perMail: PerMail;
  if (values.requests !== undefined) {
    perMail = { requests: parseRequests(values.requests, '='), appCpuMs: number('app-cpu-ms', values['app-cpu-ms']) };
  } else {
    const from = values.from ?? MEASURED_PER_MAIL_FILE;
    if (!existsSync(from))
      throw new Error(`${from} does not exist: run \`npm run bench -- fanout\` first, or pass --requests and --app-cpu-ms`);
    const text = readFileSync(from, 'utf8');
    perMail = from.endsWith('.json') ? perMailSchema.parse(JSON.parse(text)) : perMailFromBenchLog(text);
    if (values['app-cpu-ms'] !== undefined) perMail = { ...perMail, appCpuMs: number('app-cpu-ms', values['app-cpu-ms']) };
  }
  const tenants = number('tenants', values.tenants);
  const deployment: Deployment = {
    instances: number('instances', values.instances),
    coresPerInstance: number('cores', values.cores),
    tenants,
    mailboxesPerTenant: number('mailboxes', values.mailboxes),
    largestTenantShare: Math.min(
      1,
      values['largest-tenant-share'] === undefined ? 1 / tenants : number('largest-tenant-share', values['largest-tenant-share']),
    ),
    graphLatencySeconds: number('graph-latency-ms', values['graph-latency-ms']) / 1000,
    graphReadsPerMail: 1,
    queueShards: 1,
    tenantPartitionShards: 1,
    storageAccounts: 1,
  };
  const shards = Math.round(number('shards', values.shards));
  const accounts = Math.round(number('accounts', values.accounts));
  const head = `${deployment.instances} instance(s) × ${deployment.coresPerInstance} core(s), ${tenants} tenant(s) of ${deployment.mailboxesPerTenant} mailbox(es), the largest with ${formatNumber(deployment.largestTenantShare * 100, 1)} % of the mail; ${formatNumber(
    sumWhere(perMail.requests, () => true),
    1,
  )} storage requests and ${formatNumber(perMail.appCpuMs, 1)} ms of app CPU per mail (every mail linked, × 3 issues, as the bench's)`;
  return `${head}\n\n${formatModel(deployment, perMail, shards, accounts)}`;
}

if (require.main === module) {
  try {
    console.log(runScalingModel(process.argv.slice(2)));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
