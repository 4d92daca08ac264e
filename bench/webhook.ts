import type { Benchmark } from './Benchmark';
import type { BenchRow } from './BenchRow';
import { checkLoad } from './checkLoad';
import { CpuMeter, describeCpu } from './CpuMeter';
import { formatMs, formatNumber, formatRatio } from './format';
import { registerInstance } from './jiraSetup';
import { LINK_FUNCTIONS, linkConversation } from './linkSetup';
import type { HttpLoadResult } from './loadJob';
import { runHttpLoad } from './runLoad';
import { startStack } from './stack';
import { storageRequestsPer } from './storageRequestsPer';

const BATCHES = [1, 10, 100] as const;
const CONNECTIONS = 8;
const TARGET_P99_MS = 50;
const TARGET_STORAGE_PER_BATCH = 2;
const TARGET_APP_CPU_MS_PER_BATCH = 5;

/**
 * `webhook`: Graph's change notifications posted to `POST /api/graph/notifications` in
 * batches of 1, 10 and 100 (real notifications of a real subscription, made by the Graph
 * simulator), each validated and queued to Azurite before the 202; against the same bodies
 * posted to an empty handler on the same host. Throughput at 8 connections; the batch-100
 * p99 also with one connection at a time, the service time of one batch without queueing.
 * Only the webhook runs in the app: the queue functions would compete for the same core.
 */
export const webhook: Benchmark = {
  name: 'webhook',
  measures: 'notification batches of 1, 10, 100 → 202 (queued in Azurite): notifications/s, p99; anchor: empty handler, same bodies',
  async run(options) {
    const stack = await startStack({
      graph: true,
      functions: ['graphNotifications', 'graphLifecycle', 'manageInstances', ...LINK_FUNCTIONS],
      profileDir: options.profileDir,
      log: options.log,
    });
    try {
      const graph = stack.graph!;
      await registerInstance(stack, 'bench');
      const conversationId = 'AAQkADbench-conversation/+=';
      const subscriptionId = await linkConversation(stack, {
        userId: stack.userId,
        token: stack.userToken,
        conversationId,
        instanceId: 'bench',
        issueKeys: ['DEMO-1'],
      });

      const bodies = new Map<number, string>();
      for (const size of BATCHES) {
        const value: Record<string, unknown>[] = [];
        for (let i = 0; i < size; i += 1) {
          const mail = graph.putMail({
            userId: stack.userId,
            tenantId: stack.tenantId,
            conversationId,
            subject: `Bench ${size}/${i}`,
            from: 'Ann <ann@example.com>',
            notify: false,
          });
          value.push(...(await graph.notificationFor(subscriptionId, mail.id)).value);
        }
        bodies.set(size, JSON.stringify({ value }));
      }

      const post = async (what: string, path: string, body: string, connections: number): Promise<HttpLoadResult> =>
        checkLoad(
          what,
          await runHttpLoad({
            url: `${stack.appUrl}${path}`,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            connections,
            durationSeconds: options.durationSeconds,
            expectStatus: 202,
          }),
          options.log,
        );

      const rows: BenchRow[] = [];
      for (const size of BATCHES) {
        const body = bodies.get(size)!;
        const meter = new CpuMeter({ appPid: stack.appPid });
        meter.begin();
        const empty = await post(`empty handler, batch ${size}`, '/api/bench/empty', body, CONNECTIONS);
        const emptyCpu = meter.end();
        const requestsBefore = await stack.storageRequests();
        meter.begin();
        const real = await post(`webhook, batch ${size}`, '/api/graph/notifications', body, CONNECTIONS);
        const cpu = meter.end();
        // Only the webhook's functions run in the app (no queue triggers): every request counted here was made on its request path.
        const requests = storageRequestsPer(requestsBefore, await stack.storageRequests(), real.answersIncludingWarmup, `batch of ${size}`);
        options.log(describeCpu(cpu, real.answersIncludingWarmup * size, 'notification posted'));
        options.log(requests.text);
        rows.push({
          name: `webhook batch ${size} (c=${CONNECTIONS})`,
          figure: `${formatNumber(real.requestsPerSecond * size)} notif/s (p99 ${formatMs(real.latencyMs.p99)})`,
          anchor: `empty handler ${formatNumber(empty.requestsPerSecond * size)} notif/s (p99 ${formatMs(empty.latencyMs.p99)})`,
          ratio: formatRatio(real.requestsPerSecond, empty.requestsPerSecond),
          target: '— (info)',
          met: 'info',
        });
        if (size !== 100) continue;
        const perBatch = (split: typeof cpu, answers: number) => (split.app === undefined ? undefined : split.app / answers);
        const appCpu = perBatch(cpu, real.answersIncludingWarmup);
        const emptyAppCpu = perBatch(emptyCpu, empty.answersIncludingWarmup);
        rows.push(
          {
            name: 'webhook batch 100 storage requests',
            figure: `${formatNumber(requests.total, 1)} per batch (counted by the app)`,
            anchor: '—',
            ratio: '—',
            target: `≤ ${TARGET_STORAGE_PER_BATCH} per batch`,
            met: requests.total <= TARGET_STORAGE_PER_BATCH,
          },
          {
            name: 'webhook batch 100 app CPU',
            figure: appCpu === undefined ? 'not measured: no /proc' : `${formatMs(appCpu)} per batch`,
            anchor: emptyAppCpu === undefined ? '—' : `empty handler ${formatMs(emptyAppCpu)} per batch`,
            ratio: formatRatio(appCpu, emptyAppCpu),
            target: `≤ ${TARGET_APP_CPU_MS_PER_BATCH} ms per batch`,
            met: appCpu === undefined ? undefined : appCpu <= TARGET_APP_CPU_MS_PER_BATCH,
          },
        );
      }
      const body = bodies.get(100)!;
      const emptyOne = await post('empty handler, batch 100, c=1', '/api/bench/empty', body, 1);
      const realOne = await post('webhook, batch 100, c=1', '/api/graph/notifications', body, 1);
      rows.push({
        name: 'webhook batch 100 p99 (c=1)',
        figure: `p99 ${formatMs(realOne.latencyMs.p99)} (p50 ${formatMs(realOne.latencyMs.p50)})`,
        anchor: `empty handler p99 ${formatMs(emptyOne.latencyMs.p99)}`,
        ratio: formatRatio(realOne.latencyMs.p99, emptyOne.latencyMs.p99),
        target: `p99 ≤ ${TARGET_P99_MS} ms`,
        met: realOne.latencyMs.p99 <= TARGET_P99_MS,
      });
      return rows;
    } finally {
      await stack.stop();
    }
  },
};
