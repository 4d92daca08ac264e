import { QueueClient } from '@azure/storage-queue';
import { encodeQueueMessage } from '../shared/platform/storage/queueMessageCodec';
import { EMPTY_QUEUE } from './anchorFunctions';
import { CpuMeter } from './CpuMeter';
import type { Stack } from './stack';

/** Enough for full receive batches and a CPU figure well above the meter's 10 ms tick. */
const MESSAGES = 2000;
const PUTS_IN_FLIGHT = 32;
/** Every message becomes visible this long after the first put, so the trigger meets a backlog, as in a burst. */
const LEAD_MS = 10_000;
const DRAIN_TIMEOUT_MS = 120_000;

export interface QueueTriggerCost {
  /** App CPU per message of a queue function that does nothing: the host's receive share, dispatch and delete. */
  cpuMsPerMessage: number;
  receivesPerMessage: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * What the local host's side of a queue trigger costs the app process per message, measured
 * on `benchEmptyQueue` (the stack must serve it): messages of a fan-out message's size are put
 * straight into its queue, all hidden until one moment, and the app's CPU is read from that
 * moment until it has deleted every one. In Azure the Functions host does this work in its own
 * process, so a queue-triggered path's app CPU can be read net of it.
 */
export async function measureQueueTriggerCost(stack: Pick<Stack, 'appPid' | 'azurite' | 'storageRequests'>): Promise<QueueTriggerCost> {
  const queue = new QueueClient(stack.azurite.connectionString, EMPTY_QUEUE);
  await queue.createIfNotExists();
  const deleted = `DELETE ${EMPTY_QUEUE}/messages/{id}`;
  const received = `GET ${EMPTY_QUEUE}/messages`;
  const before = await stack.storageRequests();
  // About the size of a jira-notify message of one mail × 3 issues.
  const text = encodeQueueMessage({ kind: 'bench', issues: ['BENCH-1', 'BENCH-2', 'BENCH-3'], pad: 'x'.repeat(300) });
  const visibleAt = Date.now() + LEAD_MS;
  let next = 0;
  const putter = async () => {
    while (next < MESSAGES) {
      next += 1;
      await queue.sendMessage(text, { visibilityTimeout: Math.max(1, Math.ceil((visibleAt - Date.now()) / 1000)) });
    }
  };
  await Promise.all(Array.from({ length: PUTS_IN_FLIGHT }, putter));
  if (Date.now() > visibleAt - 1000) throw new Error(`putting ${MESSAGES} messages took longer than ${LEAD_MS} ms`);
  // From here to the first visible message the app only polls its empty queues: a few polls, counted in.
  const meter = new CpuMeter({ appPid: stack.appPid });
  meter.begin();
  const deadline = visibleAt + DRAIN_TIMEOUT_MS;
  let after = before;
  while ((after[deleted] ?? 0) - (before[deleted] ?? 0) < MESSAGES) {
    if (Date.now() > deadline) throw new Error(`the empty queue function did not take ${MESSAGES} messages within ${DRAIN_TIMEOUT_MS} ms`);
    await sleep(100);
    after = await stack.storageRequests();
  }
  const cpu = meter.end();
  if (cpu.app === undefined) throw new Error('no /proc: the app CPU cannot be read');
  return {
    cpuMsPerMessage: cpu.app / MESSAGES,
    receivesPerMessage: ((after[received] ?? 0) - (before[received] ?? 0)) / MESSAGES,
  };
}
