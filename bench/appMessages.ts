import { z } from 'zod';

/** Parent → app process. */
export const appCommandSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    /** The app's settings, as environment variables would hold them. */
    settings: z.record(z.string(), z.string()),
    port: z.number().int().min(0).max(65535),
    /** Names of function-table rows to serve; all of them when absent. */
    functions: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('stop') }),
  /** Asks for the storage requests made so far. */
  z.object({ type: z.literal('stats') }),
]);
export type AppCommand = z.infer<typeof appCommandSchema>;

/** App process → parent. */
export const appEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string(), pid: z.number().int() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
  z.object({ type: z.literal('stopped'), errorLines: z.number().int(), errorKinds: z.record(z.string(), z.number()) }),
  /** Storage requests since start, by `METHOD resource` (e.g. `PUT jira-notify/messages`). */
  z.object({ type: z.literal('stats'), storageRequests: z.record(z.string(), z.number()) }),
]);
export type AppEvent = z.infer<typeof appEventSchema>;
