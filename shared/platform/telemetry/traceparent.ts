import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { z } from 'zod';

/**
 * W3C Trace Context `traceparent`: version 00, 32 hex trace id, 16 hex parent id, 2 hex
 * flags (https://www.w3.org/TR/trace-context/#traceparent-header). Bounded so a queue
 * message or header cannot smuggle anything else into a span.
 */
export const traceparentSchema = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);

/** The active span as a `traceparent` for a queue message or an outbound header; undefined when nothing is traced. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const parsed = traceparentSchema.safeParse(carrier.traceparent);
  return parsed.success ? parsed.data : undefined;
}

/** The parent context a `traceparent` names; a missing or malformed one starts a new trace. */
export function contextFromTraceparent(value: unknown): Context {
  const parsed = traceparentSchema.safeParse(value);
  if (!parsed.success) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: parsed.data });
}
