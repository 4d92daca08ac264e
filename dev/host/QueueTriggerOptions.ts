/** The `extensions.queues` settings of host.json the local host honours, in its own units. */
export interface QueueTriggerOptions {
  /** Messages fetched per receive, 1 to 32. */
  batchSize: number;
  /** A new batch is fetched once no more than this many messages are still being processed. */
  newBatchThreshold: number;
  /** Upper bound of the empty-queue backoff, which starts at 100 ms and doubles. */
  maxPollingIntervalMs: number;
  /** How long a failed message stays invisible before it is retried. */
  visibilityTimeoutSeconds: number;
  /** A message that fails this many times moves to `<queue>-poison`. */
  maxDequeueCount: number;
  /** `base64` (the host's default) or `none` (plain text). */
  messageEncoding: 'base64' | 'none';
  /** Invisibility while a function runs; not renewed, so it bounds a run's length. */
  processingVisibilitySeconds: number;
}

/** The Functions host's own defaults (what applies when host.json says nothing). */
export const defaultQueueTriggerOptions: QueueTriggerOptions = {
  batchSize: 16,
  newBatchThreshold: 8,
  maxPollingIntervalMs: 60_000,
  visibilityTimeoutSeconds: 0,
  maxDequeueCount: 5,
  messageEncoding: 'base64',
  processingVisibilitySeconds: 600,
};
