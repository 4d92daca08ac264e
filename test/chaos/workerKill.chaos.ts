import { agent as stackAgent } from '../support/proxyStack';
import { startMailRun, type MailRun } from '../support/mailRun';

/**
 * The worker — a child process serving the whole function table: Graph's webhook, the
 * queue triggers, the timers — is killed with SIGKILL at random moments during 1,000 mails
 * and started again on the same port a moment later. Graph's posts that found no worker
 * are sent again; messages a dead worker held come back when their lease runs out; a
 * delivery a dead worker had claimed is taken over when the ledger's lease runs out. The
 * one duplicate allowed is the documented crash window: killed after Jira's 2xx, before the
 * ledger recorded it.
 */

const MAILS = Number(process.env.CHAOS_MAILS ?? 1000);
const KILLS = Number(process.env.CHAOS_KILLS ?? 12);
let run: MailRun;

beforeAll(async () => {
  run = await startMailRun({
    name: 'worker-kill',
    mails: MAILS,
    mailsPerSecond: 25,
    worker: 'childProcess',
    env: { DELIVERY_LEASE: '15s' },
    queues: { processingVisibilitySeconds: 20 },
  });
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await stackAgent.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the worker killed at random points and restarted: nothing lost, duplicates only from the crash window', async () => {
  const worker = run.worker!;
  const sending = run.sendMails();
  const faults = (async () => {
    for (let kill = 0; kill < KILLS; kill += 1) {
      await sleep(2_000 + Math.random() * 5_000);
      const downMs = 300 + Math.random() * 1_500;
      await worker.killAndRestart(downMs);
      run.progress(
        `worker killed (${worker.kills}), down ${Math.round(downMs)} ms, restarted; ${run.stack.notifications.outbox.length} notifications so far`,
      );
    }
  })();
  await Promise.all([sending, faults]);
  expect(await run.settle(8 * 60_000)).toBe(true);
  const counts = await run.report(`worker killed with SIGKILL ${worker.kills}× at random points`);
  expect(counts).toMatchObject({ sent: MAILS, acknowledged: MAILS, lost: 0, otherDuplicates: 0, unexpected: 0 });
  expect(counts.notified + counts.poisoned).toBe(counts.expected);
  expect(worker.kills).toBe(KILLS);
});
