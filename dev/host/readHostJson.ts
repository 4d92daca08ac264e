import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { defaultQueueTriggerOptions, type QueueTriggerOptions } from './QueueTriggerOptions';

export interface HostJsonOptions {
  routePrefix: string;
  queues: QueueTriggerOptions;
}

/** .NET TimeSpan text as host.json writes it: `[d.]hh:mm:ss[.fff]`. */
const TIME_SPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

const timeSpanMs = z.string().transform((text, ctx) => {
  const match = TIME_SPAN.exec(text.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'expected a TimeSpan such as 00:00:10' });
    return z.NEVER;
  }
  const [, days, hours, minutes, seconds, fraction] = match;
  return (
    (((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000 +
    Math.round(Number(`0.${fraction ?? 0}`) * 1000)
  );
});

const hostJsonSchema = z.object({
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().optional() }).optional(),
      queues: z
        .object({
          batchSize: z.number().int().min(1).max(32).optional(),
          newBatchThreshold: z.number().int().min(0).optional(),
          // The storage extension's QueuesOptions refuses less at start-up, with this message.
          maxPollingInterval: timeSpanMs
            .refine((ms) => ms >= 100, { message: 'MaxPollingInterval must not be less than 00:00:00.1000000.' })
            .optional(),
          visibilityTimeout: timeSpanMs.optional(),
          maxDequeueCount: z.number().int().min(1).optional(),
          messageEncoding: z.enum(['base64', 'none']).optional(),
        })
        .optional(),
    })
    .optional(),
});

/**
 * The parts of host.json the local host honours (route prefix, queue trigger settings),
 * over the host's defaults. A missing file means the defaults; a malformed one is an error.
 */
export async function readHostJson(path: string): Promise<HostJsonOptions> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { routePrefix: 'api', queues: { ...defaultQueueTriggerOptions } };
    throw error;
  }
  const parsed = hostJsonSchema.safeParse(JSON.parse(text) as unknown);
  if (!parsed.success) {
    throw new Error(`${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const queues = parsed.data.extensions?.queues ?? {};
  const batchSize = queues.batchSize ?? defaultQueueTriggerOptions.batchSize;
  return {
    routePrefix: parsed.data.extensions?.http?.routePrefix ?? 'api',
    queues: {
      ...defaultQueueTriggerOptions,
      batchSize,
      newBatchThreshold: queues.newBatchThreshold ?? Math.floor(batchSize / 2),
      maxPollingIntervalMs: queues.maxPollingInterval ?? defaultQueueTriggerOptions.maxPollingIntervalMs,
      visibilityTimeoutSeconds: Math.round((queues.visibilityTimeout ?? 0) / 1000),
      maxDequeueCount: queues.maxDequeueCount ?? defaultQueueTriggerOptions.maxDequeueCount,
      messageEncoding: queues.messageEncoding ?? defaultQueueTriggerOptions.messageEncoding,
    },
  };
}
