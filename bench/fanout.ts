import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import type { DeliveryRecord } from '../dev/sandbox/graph/GraphSimulatorState';
import { JiraNotifications } from '../dev/sandbox/jira/notifyRoutes';
import type { Benchmark, BenchOptions } from './Benchmark';
import type { BenchRow } from './BenchRow';
import { EMPTY_QUEUE, EMPTY_QUEUE_FUNCTION } from './anchorFunctions';
import { CpuMeter, describeCpu } from './CpuMeter';
import { formatMs, formatNumber, formatRatio } from './format';
import { FANOUT_BASELINE_COMMIT, measureBaselineFanout } from './fanoutBaseline';
import { registerInstance } from './jiraSetup';
import { LINK_FUNCTIONS, linkConversation } from './linkSetup';
import { MEASURED_PER_MAIL_FILE } from './scalingModel';
import { measureSignatureMicros } from './signatureCost';
import { measureQueueTriggerCost } from './queueTriggerCost';
import { quantile } from './stats';
import { storageRequestsPer } from './storageRequestsPer';
import { startStack, type Stack } from './stack';
import { ceilingShareTargetProof, cpuCeiling } from './targetProof';

const MAILS = 1000;
const ISSUES = ['BENCH-1', 'BENCH-2', 'BENCH-3'];
/** Deliveries (webhook POSTs) the simulated Graph has in flight at once during the burst. */
const DELIVERY_WINDOW = 8;
/** How long the steady run waits for Graph's redeliveries of the burst to end. */
const IDLE_WAIT_MS = 60_000;
/** Issue 18: end-to-end mails/s at least this many times the baseline's, measured in the same run (`fanoutBaseline.ts`). */
const TARGET_BASELINE_MULTIPLE = 5;
/** The paced run's highest rate (five times the 11.7 mails/s of 2026-11-23): what the p99 row is about, not a capacity test. */
const PACED_MAX_MAILS_PER_SECOND = 58;
const TARGET_STORAGE_PER_MAIL = 8;
const TARGET_APP_CPU_MS_PER_MAIL = 8;
const TARGET_P99_MS = 2000;
/** The paced run: at most the target rate and at most half the measured capacity, for about this long. */
const PACED_SECONDS = 10;
const MIN_PACED_MAILS = 30;
const SETTLE_TIMEOUT_MS = 240_000;
const TAG = /\bbench-(burst|paced)-(\d+)\b/;

interface Phase {
  /** When each mail was put into the mailbox, i.e. just before Graph posts its notification. */
  putAt: Map<number, number>;
  /** Arrival of each notify call at Jira, in ms after the mail was put. */
  latencies: number[];
  firstPut: number;
  lastNotify: number;
  complete: boolean;
}

/** A delivery's promise that never rejects: only its settling matters here. */
function accepted(delivery: Promise<unknown>): Promise<void> {
  return delivery.then(
    () => undefined,
    () => undefined,
  );
}

/** Notifications the webhook did not take at the first attempt (Graph then retries, as it would). */
function retriedCount(deliveries: readonly DeliveryRecord[]): number {
  return deliveries.filter((delivery) => delivery.kind === 'notification' && delivery.attempts.length > 1).length;
}

function describeRetries(deliveries: readonly DeliveryRecord[], before: number): string {
  return `${retriedCount(deliveries) - before} notification(s) refused by the webhook at the first attempt and redelivered by Graph`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until Jira got every notify call of the phase (or the timeout), then reads the latencies off the outbox. */
async function settle(
  notifications: JiraNotifications,
  phase: 'burst' | 'paced',
  putAt: Map<number, number>,
  firstPut: number,
): Promise<Phase> {
  const expected = putAt.size * ISSUES.length;
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const ofPhase = () => notifications.outbox.filter((entry) => TAG.exec(entry.subject)?.[1] === phase);
  while (ofPhase().length < expected && Date.now() < deadline) await sleep(100);
  const latencies: number[] = [];
  let lastNotify = firstPut;
  for (const entry of ofPhase()) {
    const put = putAt.get(Number(TAG.exec(entry.subject)?.[2]));
    if (put === undefined) continue;
    latencies.push(entry.at - put);
    lastNotify = Math.max(lastNotify, entry.at);
  }
  return { putAt, latencies, firstPut, lastNotify, complete: latencies.length >= expected };
}

/** The app's storage requests but the empty queue function's idle polls, which are the bench's, not a mail's. */
function withoutAnchorQueue(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([kind]) => kind.split(' ')[1]?.split('/')[0] !== EMPTY_QUEUE));
}

/** Requests the simulated Jira has taken signed with OAuth 1.0a, so far. */
function signedJiraCalls(stack: Pick<Stack, 'jira'>): number {
  return stack.jira.state.requests.filter((request) => request.auth?.kind === 'oauth' || request.auth?.kind === 'oauth-2lo').length;
}

/** Until the app has taken the mailbox's first catch-up message off `graph-lifecycle` (at most 60 s). */
async function waitForFirstCatchUp(stack: Pick<Stack, 'storageRequests'>): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (((await stack.storageRequests())['DELETE graph-lifecycle/messages/{id}'] ?? 0) >= 1) return;
    await sleep(250);
  }
  throw new Error("the mailbox's first catch-up did not run within 60 s");
}

async function burst(put: (phase: 'burst', index: number) => Promise<unknown>, notifications: JiraNotifications): Promise<Phase> {
  const putAt = new Map<number, number>();
  const inFlight = new Set<Promise<unknown>>();
  const firstPut = Date.now();
  for (let index = 0; index < MAILS; index += 1) {
    while (inFlight.size >= DELIVERY_WINDOW) await Promise.race(inFlight);
    putAt.set(index, Date.now());
    // Settles when Graph's delivery is answered 2xx or out of retries; the window only paces the posts.
    const delivery = accepted(put('burst', index)).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }
  await Promise.all(inFlight);
  return settle(notifications, 'burst', putAt, firstPut);
}

async function paced(
  rate: number,
  count: number,
  put: (phase: 'paced', index: number) => Promise<unknown>,
  notifications: JiraNotifications,
): Promise<Phase> {
  const putAt = new Map<number, number>();
  const deliveries: Promise<unknown>[] = [];
  const firstPut = Date.now();
  for (let index = 0; index < count; index += 1) {
    const due = firstPut + (index * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    putAt.set(index, Date.now());
    deliveries.push(accepted(put('paced', index)));
  }
  await Promise.all(deliveries);
  return settle(notifications, 'paced', putAt, firstPut);
}

/**
 * `fanout`: mails arriving in a mailbox whose conversation is linked to three issues, end to
 * end: the simulated Graph posts each notification to the webhook (202 once queued), the
 * local host's pollers run `processMailNotification` (reads the mail from Graph, finds the
 * links) and `notifyIssueWatchers` (watchers, then Jira's notify, each as the service user
 * with 2-legged OAuth), until the simulated Jira has every notify call. First 1,000 mails as
 * fast as the webhook takes them (8 deliveries in flight): mails/s from the first mail to
 * the last notify. Then mails at a steady rate (200/s, or half the measured capacity when
 * that is less) for 10 s: p99 from the mail (Graph's POST) to each notify call, without the
 * backlog of the burst in it. Queue polling as host.json sets it, as `npm start` runs.
 */
export const fanout: Benchmark = {
  name: 'fanout',
  measures: '1,000 mails × 3 linked issues, webhook → queues → Jira notify: mails/s, p99 from the webhook POST to each notify',
  async run(options) {
    const ours = await measureFanout(options);
    const [throughput] = ours.rows;
    if (!throughput || !ours.complete) return ours.rows;
    // After this stack stopped: the baseline gets the machine to itself, as this code had it.
    const baseline = await measureBaselineFanout(options.log);
    if ('failed' in baseline) {
      Object.assign(throughput, { anchor: `baseline not measured: ${baseline.failed}`, met: undefined });
      return ours.rows;
    }
    const baselineCpu =
      baseline.machineCpuMsPerMail === undefined ? '' : ` (${formatMs(baseline.machineCpuMsPerMail)} CPU per mail, all processes)`;
    const anchor = `baseline ${FANOUT_BASELINE_COMMIT.slice(0, 7)} (before issue 18): ${formatNumber(baseline.mailsPerSecond, 1)} mails/s`;
    const ceiling = machineCeilingRow(ours.machine, baseline.mailsPerSecond, `${anchor}${baselineCpu}`);
    Object.assign(throughput, {
      anchor,
      ratio: formatRatio(ours.mailsPerSecond, baseline.mailsPerSecond),
      met: ours.mailsPerSecond >= TARGET_BASELINE_MULTIPLE * baseline.mailsPerSecond,
      unreachable: ceilingShareTargetProof({
        ceiling: ceiling.mailsPerSecond,
        anchorRate: baseline.mailsPerSecond,
        anchor: 'the baseline',
        unit: 'mails/s',
        share: TARGET_BASELINE_MULTIPLE,
      }),
    });
    return [throughput, ceiling.row, ...ours.rows.slice(1)];
  },
};

/** What one mail of the burst cost, per mail, the processes on this machine other than the app. */
interface MachineCostPerMail {
  azurite: number | undefined;
  /** The bench's own process: the Graph and Jira simulators, the token issuer and the driver posting the mails. */
  simulators: number;
  /** Requests the simulated Jira got signed with OAuth 1.0a (each its own RSA-SHA1 signature, which no app can skip). */
  signedJiraCalls: number;
}

/**
 * The fan-out here is CPU-bound (the app, Azurite and the simulators share the cores), so no app
 * can go faster than the cores divided by what a mail costs the rest of the machine plus the
 * least the app must spend on it: its signatures, measured now.
 */
function machineCeilingRow(
  machine: MachineCostPerMail,
  baselineMailsPerSecond: number,
  anchor: string,
): { mailsPerSecond: number; row: BenchRow } {
  const cores = availableParallelism();
  const signaturesMs = (machine.signedJiraCalls * measureSignatureMicros()) / 1000;
  const mailsPerSecond = cpuCeiling(cores, [machine.azurite, machine.simulators, signaturesMs]);
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : formatNumber(value, 1));
  return {
    mailsPerSecond,
    row: {
      name: 'fanout machine CPU ceiling',
      figure: `${formatNumber(mailsPerSecond, 1)} mails/s = ${cores} cores ÷ (Azurite ${ms(machine.azurite)} + simulators ${ms(machine.simulators)} + ${formatNumber(machine.signedJiraCalls, 1)} signatures ${ms(signaturesMs)} ms per mail)`,
      anchor,
      ratio: formatRatio(mailsPerSecond, baselineMailsPerSecond),
      target: '— (proof: an app costing only its signatures)',
      met: 'info',
    },
  };
}

/** This code's fan-out: the burst, the paced run and their rows (the throughput row's anchor is the caller's). */
async function measureFanout(
  options: BenchOptions,
): Promise<{ rows: BenchRow[]; mailsPerSecond: number; complete: boolean; machine: MachineCostPerMail }> {
  const notifications = new JiraNotifications();
  const stack = await startStack({
    graph: true,
    functions: [
      'manageInstances',
      ...LINK_FUNCTIONS,
      'graphNotifications',
      'graphLifecycle',
      'processMailNotification',
      'notifyIssueWatchers',
      'processLifecycleEvent',
      EMPTY_QUEUE_FUNCTION,
    ],
    jiraRoutes: notifications.routes(),
    // Every mail here is in the one linked conversation: with storm control on (5 minutes by
    // default) the first mail would go out and the other 999 wait for one digest, so Jira would
    // never see the 3,000 notify calls counted. Off, each mail takes the path the target is about
    // (one linked mail × 3 issues), as the figure of 2026-11-23 (before storm control) did.
    settings: { NOTIFY_DIGEST_WINDOW: '0' },
    profileDir: options.profileDir,
    log: options.log,
  });
  try {
    const graph = stack.graph!;
    for (const [index, key] of ISSUES.entries())
      stack.jira.state.issues.set(key, { key, summary: `Bench issue ${index + 1}`, watchers: ['bob', 'carol'], reporter: 'alice' });
    await registerInstance(stack, 'bench');
    const conversationId = 'AAQkADbench-fanout-conversation/+=';
    await linkConversation(stack, {
      userId: stack.userId,
      token: stack.userToken,
      conversationId,
      instanceId: 'bench',
      issueKeys: ISSUES,
    });

    // A new mailbox's first catch-up (a `missed` message due a few seconds after its
    // subscription) lists every mail since the subscription was made. Run it before the burst:
    // otherwise it reads the burst's mails a second time, which production meets once per
    // mailbox, in its first seconds, not with every mail.
    await waitForFirstCatchUp(stack);

    const put = (phase: 'burst' | 'paced', index: number) =>
      graph.putMail({
        userId: stack.userId,
        tenantId: stack.tenantId,
        conversationId,
        subject: `Status bench-${phase}-${index}`,
        from: 'Ann Sender <ann@example.com>',
      }).delivered;

    options.log(`fanout: ${MAILS} mails, burst`);
    const meter = new CpuMeter({ appPid: stack.appPid });
    const requestsBefore = await stack.storageRequests();
    const signedBefore = signedJiraCalls(stack);
    meter.begin();
    const first = await burst(put, notifications);
    const cpu = meter.end();
    const machine: MachineCostPerMail = {
      azurite: cpu.azurite === undefined ? undefined : cpu.azurite / MAILS,
      simulators: cpu.simulators / MAILS,
      signedJiraCalls: (signedJiraCalls(stack) - signedBefore) / MAILS,
    };
    options.log(describeCpu(cpu, MAILS, 'mail (burst)'));
    const requests = storageRequestsPer(
      withoutAnchorQueue(requestsBefore),
      withoutAnchorQueue(await stack.storageRequests()),
      MAILS,
      'mail',
    );
    options.log(requests.text);
    const appCpuPerMail = cpu.app === undefined ? undefined : cpu.app / MAILS;
    // For the scaling model (`npm run bench -- model`): what one mail cost, as counted here.
    if (appCpuPerMail !== undefined) {
      mkdirSync(dirname(MEASURED_PER_MAIL_FILE), { recursive: true });
      writeFileSync(MEASURED_PER_MAIL_FILE, JSON.stringify({ requests: requests.perKind, appCpuMs: appCpuPerMail }, null, 2));
    }
    options.log(`fanout burst: ${describeRetries(graph.state.deliveries, 0)}`);
    // Graph's redeliveries of what the webhook refused in the burst would land in the steady run: let them finish first.
    await Promise.race([graph.idle(), sleep(IDLE_WAIT_MS)]);
    const retriedBefore = retriedCount(graph.state.deliveries);
    const seconds = (first.lastNotify - first.firstPut) / 1000;
    const mailsPerSecond = first.complete
      ? MAILS / seconds
      : first.latencies.length / ISSUES.length / ((Date.now() - first.firstPut) / 1000);
    options.log(
      `fanout burst: ${first.latencies.length}/${MAILS * ISSUES.length} notify calls in ${seconds.toFixed(1)} s${first.complete ? '' : ' (timed out)'}; burst p99 ${formatMs(quantile(first.latencies, 0.99))}`,
    );

    const rate = Math.max(1, Math.min(PACED_MAX_MAILS_PER_SECOND, Math.floor(mailsPerSecond / 2)));
    const count = Math.max(MIN_PACED_MAILS, rate * PACED_SECONDS);
    options.log(`fanout: ${count} mails at ${rate} mails/s`);
    const second = await paced(rate, count, put, notifications);
    const p99 = quantile(second.latencies, 0.99);
    options.log(
      `fanout paced: ${second.latencies.length}/${count * ISSUES.length} notify calls; p50 ${formatMs(quantile(second.latencies, 0.5))}, p99 ${formatMs(p99)}; ${describeRetries(graph.state.deliveries, retriedBefore)}`,
    );

    // The local host's receives, dispatches and deletes of the mail's queue messages, which the
    // Functions host does in its own process in Azure: counted per mail, priced on the empty queue function.
    const triggerCost = await measureQueueTriggerCost(stack);
    const triggerMessagesPerMail = Object.entries(requests.perKind)
      .filter(([kind]) => /^DELETE [^ ]+\/messages\/\{id\}$/.test(kind))
      .reduce((sum, [, count]) => sum + count, 0);
    const hostCpuPerMail = triggerMessagesPerMail * triggerCost.cpuMsPerMessage;
    const workerCpuPerMail = appCpuPerMail === undefined ? undefined : appCpuPerMail - hostCpuPerMail;
    options.log(
      `fanout: the host's queue work ${formatMs(triggerCost.cpuMsPerMessage)} CPU per message (empty queue function, ${formatNumber(triggerCost.receivesPerMessage, 2)} receives per message) × ${formatNumber(triggerMessagesPerMail, 2)} messages per mail`,
    );

    const rows: BenchRow[] = [
      {
        name: `fanout ${formatNumber(MAILS)} mails × ${ISSUES.length} issues`,
        figure: first.complete
          ? `${formatNumber(mailsPerSecond, 1)} mails/s (${seconds.toFixed(1)} s)`
          : `${formatNumber(mailsPerSecond, 1)} mails/s (incomplete: ${first.latencies.length}/${MAILS * ISSUES.length} in ${SETTLE_TIMEOUT_MS / 1000} s)`,
        // Filled in below, once this stack is stopped and the baseline has run on the same machine.
        anchor: '—',
        ratio: '—',
        target: `≥ ${TARGET_BASELINE_MULTIPLE}× the baseline (same run)`,
        met: first.complete ? undefined : false,
      },
      {
        name: 'fanout storage requests per mail',
        figure: `${formatNumber(requests.total, 1)} requests (counted by the app)`,
        anchor: '—',
        ratio: '—',
        target: `≤ ${TARGET_STORAGE_PER_MAIL} per mail`,
        met: requests.total <= TARGET_STORAGE_PER_MAIL,
      },
      {
        name: 'fanout app CPU per mail',
        figure:
          workerCpuPerMail === undefined || appCpuPerMail === undefined
            ? 'not measured: no /proc'
            : `${formatMs(workerCpuPerMail)} net of the host's queue work (${formatMs(appCpuPerMail)} with it)`,
        anchor: `host's queue work ${formatMs(hostCpuPerMail)} per mail = ${formatNumber(triggerMessagesPerMail, 2)} messages × ${formatMs(triggerCost.cpuMsPerMessage)} (empty queue function)`,
        ratio: '—',
        target: `≤ ${TARGET_APP_CPU_MS_PER_MAIL} ms per mail`,
        met: workerCpuPerMail === undefined ? undefined : workerCpuPerMail <= TARGET_APP_CPU_MS_PER_MAIL,
      },
      {
        name: `fanout p99 webhook → notify (@${rate} mails/s)`,
        figure: second.complete
          ? `p99 ${formatMs(p99)} (p50 ${formatMs(quantile(second.latencies, 0.5))})`
          : `incomplete: ${second.latencies.length}/${count * ISSUES.length}, p99 ≥ ${formatMs(p99)}`,
        anchor: '—',
        ratio: '—',
        target: `p99 ≤ ${formatNumber(TARGET_P99_MS)} ms`,
        met: second.complete && p99 <= TARGET_P99_MS,
      },
    ];
    return { rows, mailsPerSecond, complete: first.complete, machine };
  } finally {
    await stack.stop();
  }
}
