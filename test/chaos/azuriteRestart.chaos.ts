import { agent as stackAgent } from '../support/proxyStack';
import { startMailRun, type MailRun } from '../support/mailRun';
import { startRestartableAzurite, type RestartableAzurite } from '../support/restartableAzurite';

/**
 * Storage goes away twice during 1,000 mails: Azurite is stopped (as an operator would
 * stop it: it saves its state) for 10 s and started again on the same ports. Meanwhile the
 * webhook answers 503 (so Graph sends again), the queue triggers cannot read, and handlers
 * caught mid-write fail and are retried.
 */

const MAILS = Number(process.env.CHAOS_MAILS ?? 1000);
let azurite: RestartableAzurite;
let run: MailRun;

beforeAll(async () => {
  azurite = await startRestartableAzurite();
  run = await startMailRun({ name: 'azurite-restart', mails: MAILS, mailsPerSecond: 40, azurite });
}, 120_000);

afterAll(async () => {
  await run?.stop();
  await azurite?.stop();
  await stackAgent.close();
});

test('Azurite stopped and restarted twice during 1,000 mails: nothing lost', async () => {
  const sending = run.sendMails();
  let downMs = 0;
  const faults = (async () => {
    for (const at of [6_000, 14_000]) {
      await new Promise((resolve) => setTimeout(resolve, at === 6_000 ? at : 4_000));
      const stopped = Date.now();
      run.progress('stopping Azurite');
      await azurite.halt();
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await azurite.resume();
      downMs += Date.now() - stopped;
      run.progress(`Azurite back after ${Date.now() - stopped} ms`);
    }
  })();
  await Promise.all([sending, faults]);
  expect(await run.settle(8 * 60_000)).toBe(true);
  const counts = await run.report(`Azurite stopped 2×, ${(downMs / 1000).toFixed(1)} s down in all`);
  expect(counts).toMatchObject({ sent: MAILS, acknowledged: MAILS, lost: 0, otherDuplicates: 0, unexpected: 0 });
  expect(counts.notified + counts.poisoned).toBe(counts.expected);
});
