import type { ReceivedMessageItem } from '@azure/storage-queue';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { isAppError } from '../../shared/platform/errors/AppError';
import { deleteQueueMessage } from '../../shared/platform/storage/queue/deleteQueueMessage';
import type { StorageQueueClient } from '../../shared/platform/storage/QueueClientFactory';
import type { Services } from '../../functions/Services';
import { decodeQueueMessage } from './decodeQueueMessage';
import type { HostLog } from './HostLog';
import { newInvocationContext } from './newInvocationContext';
import type { QueueTriggerOptions } from './QueueTriggerOptions';
import { toQueueTriggerInput } from './toQueueTriggerInput';

export type QueueFunctionDefinition = Extract<FunctionDefinition, { kind: 'queue' }>;

export interface QueuePollerInit {
  definition: QueueFunctionDefinition;
  services: Services;
  /** A client per queue name; the poison queue is `<queue>-poison`. */
  queueClient(queueName: string): StorageQueueClient;
  options: QueueTriggerOptions;
  log: HostLog;
}

const MIN_POLLING_INTERVAL_MS = 100;

/**
 * One queue trigger, with the storage extension's semantics: batches of `batchSize`, a new
 * batch once no more than `newBatchThreshold` are running, exponential backoff up to
 * `maxPollingInterval` while the queue is empty, delete on success, visible again after
 * `visibilityTimeout` on failure, and `<queue>-poison` once a message has failed
 * `maxDequeueCount` times (or cannot be decoded at all).
 */
export class QueuePoller {
  private readonly init: QueuePollerInit;
  private readonly queue: StorageQueueClient;
  private readonly poisonName: string;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private poisonReady: Promise<unknown> | undefined;
  private stopped = false;

  constructor(init: QueuePollerInit) {
    this.init = init;
    this.queue = init.queueClient(init.definition.queueName);
    this.poisonName = `${init.definition.queueName}-poison`;
  }

  /** Creates the queue when it is missing, then polls until `stop()`. */
  async start(): Promise<void> {
    await this.queue.createIfNotExists();
    this.loop = this.poll();
  }

  /** Stops fetching and waits (up to `graceMs`) for the running invocations to finish. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wake?.();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
  }

  private async poll(): Promise<void> {
    const { options, log, definition } = this.init;
    let idleMs = MIN_POLLING_INTERVAL_MS;
    let failing = false;
    while (!this.stopped) {
      if (this.running.size > options.newBatchThreshold) {
        await this.sleep(undefined);
        continue;
      }
      let messages: ReceivedMessageItem[];
      try {
        const response = await this.queue.receiveMessages({
          numberOfMessages: options.batchSize,
          visibilityTimeout: options.processingVisibilitySeconds,
          abortSignal: this.abort.signal,
        });
        messages = response.receivedMessageItems;
        if (failing) log.write('info', `[${definition.name}] queue ${definition.queueName} answers again`);
        failing = false;
      } catch (error) {
        if (this.stopped) break;
        if (!failing) log.write('warn', `[${definition.name}] cannot read queue ${definition.queueName}: ${describe(error)}; retrying`);
        failing = true;
        messages = [];
      }
      if (messages.length === 0) {
        await this.sleep(idleMs);
        idleMs = Math.min(idleMs * 2, Math.max(options.maxPollingIntervalMs, MIN_POLLING_INTERVAL_MS));
        continue;
      }
      idleMs = MIN_POLLING_INTERVAL_MS;
      for (const message of messages) {
        const run = this.process(message).catch((error: unknown) => {
          log.write('error', `[${definition.name}] message ${message.messageId}: ${describe(error)}`);
        });
        this.running.add(run);
        void run.finally(() => {
          this.running.delete(run);
          this.wake?.();
        });
      }
    }
  }

  /** Waits `ms`, or (undefined) until an invocation finishes; `stop()` cuts either short. */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).then(() => {
      this.wake = undefined;
    });
  }

  private async process(message: ReceivedMessageItem): Promise<void> {
    const { options, log, definition } = this.init;
    const name = definition.name;
    if (message.dequeueCount > options.maxDequeueCount) {
      log.write(
        'warn',
        `[${name}] message ${message.messageId} has reached MaxDequeueCount of ${options.maxDequeueCount}; moving it to ${this.poisonName}`,
      );
      return this.moveToPoison(message);
    }
    const text = decodeQueueMessage(message.messageText, options.messageEncoding);
    if (text === undefined) {
      log.write(
        'warn',
        `[${name}] message ${message.messageId} cannot be decoded as ${options.messageEncoding}; moving it to ${this.poisonName}`,
      );
      return this.moveToPoison(message);
    }
    const context = newInvocationContext({
      functionName: name,
      trigger: { type: 'queueTrigger', name: 'message', queueName: definition.queueName, connection: 'AzureWebJobsStorage' },
      triggerMetadata: {
        id: message.messageId,
        dequeueCount: message.dequeueCount,
        insertionTime: message.insertedOn.toISOString(),
        expirationTime: message.expiresOn.toISOString(),
        nextVisibleTime: message.nextVisibleOn.toISOString(),
        popReceipt: message.popReceipt,
        queueTrigger: text,
      },
      log,
    });
    try {
      await definition.handler(toQueueTriggerInput(text), context, this.init.services);
    } catch (error) {
      log.write('warn', `[${name}] failed on message ${message.messageId} (dequeue count ${message.dequeueCount}): ${describe(error)}`);
      if (message.dequeueCount >= options.maxDequeueCount) {
        log.write(
          'warn',
          `[${name}] message ${message.messageId} has reached MaxDequeueCount of ${options.maxDequeueCount}; moving it to ${this.poisonName}`,
        );
        return this.moveToPoison(message);
      }
      await this.queue.updateMessage(message.messageId, message.popReceipt, undefined, options.visibilityTimeoutSeconds);
      return;
    }
    log.write('info', `[${name}] done with message ${message.messageId}`);
    await deleteQueueMessage(this.queue, message.messageId, message.popReceipt);
  }

  /** The same text (still base64) into `<queue>-poison`, then gone from the queue. */
  private async moveToPoison(message: ReceivedMessageItem): Promise<void> {
    const poison = this.init.queueClient(this.poisonName);
    this.poisonReady ??= poison.createIfNotExists().catch((error: unknown) => {
      this.poisonReady = undefined;
      throw error;
    });
    await this.poisonReady;
    await poison.sendMessage(message.messageText);
    await deleteQueueMessage(this.queue, message.messageId, message.popReceipt);
  }
}

/** The error's class and stable code: a message may carry a URL or a token. */
function describe(error: unknown): string {
  if (isAppError(error)) return `${error.name} ${error.code}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const status = (error as { statusCode?: unknown }).statusCode;
    return [error.constructor.name, typeof code === 'string' ? code : '', typeof status === 'number' ? String(status) : '']
      .filter(Boolean)
      .join(' ');
  }
  return typeof error;
}
