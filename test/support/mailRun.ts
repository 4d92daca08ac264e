import { join } from 'node:path';
import type { RunningAzurite } from '../../dev/azurite';
import type { QueueTriggerOptions } from '../../dev/host/QueueTriggerOptions';
import { newGuid } from '../../dev/sandbox/newGuid';
import { replayPoisonMessages } from '../../shared/mail/fanout/replayPoisonMessages';
import { fromJiraNotifyPack } from '../../shared/mail/fanout/fromJiraNotifyPack';
import { jiraNotifyQueueMessageSchema } from '../../shared/mail/fanout/jiraNotifyPack';
import { fromGraphNotificationPack } from '../../shared/mail/webhooks/fromGraphNotificationPack';
import { graphNotificationsQueueMessageSchema } from '../../shared/mail/webhooks/graphNotificationPack';
import { poisonQueueName, queueNames, type QueueName } from '../../shared/platform/storage/queueNames';
import { tableNames } from '../../shared/platform/storage/tableNames';
import { startAppStack, type AppStack } from './appStack';
import { FaultyRelay } from './faultyRelay';
import {
  countMailRun,
  formatCounts,
  pairKey,
  parseLedgerSentLine,
  type MailRunCounts,
  type MailRunEvidence,
  type SentMail,
} from './mailRunCounts';
import { startTypeScriptProcess, type TypeScriptProcess } from './startTypeScriptProcess';
import { watchLedgerSent } from './watchLedgerSent';

const WORKER = join(__dirname, 'chaosWorker.ts');
const MAILBOXES = 8;
const CONVERSATIONS = 12;
const MAIN_QUEUES: readonly QueueName[] = [queueNames.graphNotifications, queueNames.graphLifecycle, queueNames.jiraNotify];

export interface MailRunInit {
  name: string;
  mails?: number;
  mailsPerSecond?: number;
  /** Where the function table runs: in this process, or in a child process the run can kill. */
  worker?: 'inProcess' | 'childProcess';
  /** Storage to use (e.g. a restartable Azurite); a fresh in-memory one otherwise. */
  azurite?: RunningAzurite;
  env?: Record<string, string>;
  queues?: Partial<QueueTriggerOptions>;
  /** Graph's redelivery delays after a failed webhook post. */
  graphRetryDelaysMs?: number[];
}

export interface WorkerControl {
  /** Kills the worker with SIGKILL and starts another on the same port. */
  killAndRestart(downMs: number): Promise<void>;
  readonly kills: number;
}

export interface MailRun {
  stack: AppStack;
  /** Jira is registered behind it: cut it, slow it down. */
  jiraRelay: FaultyRelay;
  worker: WorkerControl | undefined;
  /** Puts the run's mails into the mailboxes at the configured rate (Graph notifies each). */
  sendMails(): Promise<void>;
  /** Waits until Graph has nothing left to deliver and the queues are empty; false on timeout. */
  settle(timeoutMs: number): Promise<boolean>;
  /** Moves both poison queues back (as `npm run replay-poison` does); answers how many moved. */
  replayPoison(): Promise<number>;
  counts(): Promise<MailRunCounts>;
  /** Counts, prints the line and answers the counts. */
  report(notes: string): Promise<MailRunCounts>;
  progress(line: string): void;
  stop(): Promise<void>;
}

/** A small seeded generator: the same run picks the same conversations. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A chaos run of the mail flow end to end: 8 subscribed mailboxes (linked through the
 * API, so Graph's subscriptions and handshakes are real) and 12 conversations — four
 * linked to one issue, four to two, four to none — then `mails` mails, each notified by
 * the Graph simulator to the webhook, fanned out and sent by Jira's notify. Counted from
 * the outside: Graph's delivery records, Jira's outbox, the poison queues, the ledger's
 * `sent` writes.
 */
export async function startMailRun(init: MailRunInit): Promise<MailRun> {
  const worker = init.worker ?? 'inProcess';
  const started = Date.now();
  const progress = (line: string) => process.stderr.write(`[${init.name} +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
  const ledgerSent = new Map<string, number>();
  const noteSent = (key: string | undefined) => {
    if (key !== undefined) ledgerSent.set(key, (ledgerSent.get(key) ?? 0) + 1);
  };

  const stack = await startAppStack({
    host: worker === 'inProcess',
    graphRetryDelaysMs: init.graphRetryDelaysMs ?? [500, 1000, 2000, 4000, 8000, 15_000, 30_000, 30_000, 30_000, 30_000],
    ...(init.azurite ? { azurite: init.azurite } : {}),
    queues: {
      batchSize: 16,
      newBatchThreshold: 16,
      maxPollingIntervalMs: 500,
      visibilityTimeoutSeconds: 2,
      processingVisibilitySeconds: 60,
      ...init.queues,
    },
    // A short storm-control window: its delayed flushes must fit in a run's settling time.
    env: { DELIVERY_LEASE: '30s', NOTIFY_RETRY_MAX_DELAY: '20s', NOTIFY_DIGEST_WINDOW: '2s', ...init.env },
  });
  if (worker === 'inProcess') {
    watchLedgerSent(stack.services.repositories.deliveries, (entity) => noteSent(pairKey(entity.internetMessageId, entity.issueKey)));
  }

  let child: TypeScriptProcess | undefined;
  let kills = 0;
  const startChild = async () => {
    child = startTypeScriptProcess(
      WORKER,
      {
        ...stack.env,
        PORT: String(stack.port),
        CHAOS_QUEUES: JSON.stringify({
          batchSize: 16,
          newBatchThreshold: 16,
          maxPollingIntervalMs: 500,
          visibilityTimeoutSeconds: 2,
          processingVisibilitySeconds: 60,
          ...init.queues,
        }),
      },
      (line) => noteSent(parseLedgerSentLine(line)),
    );
    await child.waitForLine('ready', 60_000);
  };
  if (worker === 'childProcess') await startChild();

  const jiraRelay = await FaultyRelay.start(Number(new URL(stack.jira.url).port));
  for (let i = 1; i <= CONVERSATIONS; i += 1)
    stack.jira.state.issues.set(`CH-${i}`, { key: `CH-${i}`, summary: `Chaos issue ${i}`, watchers: ['bob', 'carol'], reporter: 'alice' });
  await stack.registerInstance('demo', { baseUrl: jiraRelay.url });

  const mailboxes = await Promise.all(
    Array.from({ length: MAILBOXES }, async () => {
      const userId = newGuid();
      return { userId, token: await stack.mint({ tenantId: stack.users.tenantId, userId }) };
    }),
  );
  const conversations = Array.from({ length: CONVERSATIONS }, (_, index) => ({
    id: `AAQkAD-chaos-${index}-${newGuid()}`,
    issues: [] as string[],
  }));
  for (let index = 0; index < MAILBOXES; index += 1) {
    const conversation = conversations[index]!;
    const issueKeys = index < 4 ? [`CH-${index + 1}`] : [`CH-${index + 1}`, `CH-${index + 5}`];
    for (const issueKey of issueKeys) {
      const reply = await stack.link(mailboxes[index]!.token, { conversationId: conversation.id, instanceId: 'demo', issueKey });
      if (reply.status !== 201) throw new Error(`linking answered ${reply.status}: ${reply.text}`);
      conversation.issues.push(issueKey);
    }
  }
  if (stack.graph.state.subscriptions.size !== MAILBOXES)
    throw new Error(`expected ${MAILBOXES} subscriptions, Graph has ${stack.graph.state.subscriptions.size}`);
  progress(
    `ready: ${MAILBOXES} mailboxes subscribed, ${conversations.filter((c) => c.issues.length > 0).length} of ${CONVERSATIONS} conversations linked`,
  );

  const mails: SentMail[] = [];
  const random = seeded(Number(process.env.CHAOS_SEED ?? 7));

  const queueCounts = async (): Promise<number[]> => Promise.all(MAIN_QUEUES.map((queue) => stack.queues.approximateCount(queue)));

  const readPoison = async (queue: string): Promise<unknown[]> => {
    const bodies: unknown[] = [];
    const taken: { messageId: string; popReceipt: string }[] = [];
    for (;;) {
      const batch = await stack.queues.receive(queue, { max: 32, visibilityTimeoutSeconds: 60 });
      if (batch.length === 0) break;
      for (const message of batch) {
        bodies.push(message.body);
        taken.push(message);
      }
    }
    for (const message of taken) await stack.queues.release(queue, message);
    return bodies;
  };

  const evidence = async (): Promise<MailRunEvidence> => {
    const acknowledged = new Set<string>();
    for (const delivery of stack.graph.state.deliveries) {
      if (delivery.kind !== 'notification' || !delivery.delivered) continue;
      const item = (delivery.body as { value?: { resourceData?: { id?: unknown } }[] }).value?.[0];
      if (typeof item?.resourceData?.id === 'string') acknowledged.add(item.resourceData.id);
    }
    // Poison messages read as the app reads them: a pack stands for each of its items.
    const poisonedMails = new Set<string>();
    for (const body of await readPoison(poisonQueueName(queueNames.graphNotifications))) {
      const parsed = graphNotificationsQueueMessageSchema.safeParse(body);
      if (!parsed.success) continue;
      for (const item of parsed.data.version === 1 ? [parsed.data] : fromGraphNotificationPack(parsed.data))
        poisonedMails.add(item.messageId);
    }
    const poisonedPairs = new Set<string>();
    const poisonedDigests = new Set<string>();
    const digestOf = (conversationId: string, instanceId: string, issueKey: string) => `${conversationId}\n${instanceId}\n${issueKey}`;
    for (const body of await readPoison(poisonQueueName(queueNames.jiraNotify))) {
      const parsed = jiraNotifyQueueMessageSchema.safeParse(body);
      if (!parsed.success) continue;
      for (const item of parsed.data.version === 1 ? [parsed.data] : fromJiraNotifyPack(parsed.data)) {
        if (item.digest) poisonedDigests.add(digestOf(item.mail.conversationId, item.instanceId, item.issueKey));
        else poisonedPairs.add(pairKey(item.mail.internetMessageId, item.issueKey));
      }
    }
    // A poisoned digest flush holds its mails (rows in `digests`, kept until it is sent): a
    // replay sends them, as it does any other poisoned notification.
    if (poisonedDigests.size > 0) {
      for await (const row of stack.services.tableClients.get(tableNames.digests).listEntities()) {
        const { kind, conversationId, instanceId, issueKey, internetMessageId } = row;
        if (kind !== 'mail' || typeof internetMessageId !== 'string' || typeof issueKey !== 'string') continue;
        if (poisonedDigests.has(digestOf(String(conversationId), String(instanceId), issueKey)))
          poisonedPairs.add(pairKey(internetMessageId, issueKey));
      }
    }
    return { mails, acknowledged, outbox: stack.notifications.outbox, poisonedMails, poisonedPairs, ledgerSent };
  };

  return {
    stack,
    jiraRelay,
    worker:
      worker === 'childProcess'
        ? {
            killAndRestart: async (downMs) => {
              await child?.kill();
              kills += 1;
              await new Promise((resolve) => setTimeout(resolve, downMs));
              await startChild();
            },
            get kills() {
              return kills;
            },
          }
        : undefined,
    progress,
    sendMails: async () => {
      const total = init.mails ?? 1000;
      const perSecond = init.mailsPerSecond ?? 40;
      const begun = Date.now();
      for (let index = 0; index < total; index += 1) {
        const due = begun + (index * 1000) / perSecond;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const conversationIndex = Math.floor(random() * CONVERSATIONS);
        const conversation = conversations[conversationIndex]!;
        // A mail fans out only through links its own mailbox's owner made (mailbox i linked
        // conversation i): most mails of a linked conversation reach its owner, every fifth
        // another mailbox, which must notify nobody.
        const mailboxIndex = conversationIndex < MAILBOXES && index % 5 !== 0 ? conversationIndex : index % MAILBOXES;
        const mailbox = mailboxes[mailboxIndex]!;
        const owned = mailboxIndex === conversationIndex;
        const tag = `chaos-${String(index).padStart(6, '0')}`;
        const put = stack.graph.putMail({
          userId: mailbox.userId,
          tenantId: stack.users.tenantId,
          conversationId: conversation.id,
          subject: `Weekly status [${tag}]`,
          bodyPreview: `Body of ${tag}`,
          from: `Sender ${index} <sender-${index}@external.example>`,
        });
        mails.push({ tag, mailId: put.id, internetMessageId: put.internetMessageId, issues: owned ? [...conversation.issues] : [] });
        if ((index + 1) % 200 === 0) progress(`${index + 1} mails put, ${stack.notifications.outbox.length} notifications so far`);
      }
    },
    settle: async (timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      const graphIdle = stack.graph.idle();
      const timedOut = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      if ((await Promise.race([graphIdle.then(() => 'idle' as const), timedOut])) === 'timeout') return false;
      let quietRounds = 0;
      let lastOutbox = -1;
      while (Date.now() < deadline) {
        let counts: number[];
        try {
          counts = await queueCounts();
        } catch {
          counts = [-1];
        }
        const outbox = stack.notifications.outbox.length;
        quietRounds = counts.every((count) => count === 0) && outbox === lastOutbox ? quietRounds + 1 : 0;
        lastOutbox = outbox;
        if (quietRounds >= 3) return true;
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
      progress(`not settled: queues ${JSON.stringify(await queueCounts().catch(() => []))}`);
      return false;
    },
    replayPoison: async () => {
      let moved = 0;
      for (const queue of MAIN_QUEUES) moved += (await replayPoisonMessages(stack.queues, queue)).moved;
      return moved;
    },
    counts: async () => countMailRun(await evidence()),
    report: async (notes) => {
      const counts = countMailRun(await evidence());
      const line = formatCounts(init.name, counts, `${notes}; ${Math.round((Date.now() - started) / 1000)} s`);
      console.log(line);
      return counts;
    },
    stop: async () => {
      await child?.kill();
      await jiraRelay.stop();
      await stack.stop();
    },
  };
}
