import { context, trace, type Attributes, type Context, type Span, type SpanKind } from '@opentelemetry/api';
import { markSpanFailed } from './markSpanFailed';
import { tracer } from './tracer';

export interface SpanInit {
  name: string;
  kind: SpanKind;
  attributes?: Attributes;
  /** The parent (e.g. from a queue message's `traceparent`); the active context by default. */
  parent?: Context;
}

/**
 * Runs `work` inside a new active span, so spans and queue messages it starts belong to
 * the same trace; a thrown error marks the span failed (its code only) and is rethrown.
 */
export async function withSpan<T>(init: SpanInit, work: (span: Span) => Promise<T>): Promise<T> {
  const parent = init.parent ?? context.active();
  const span = tracer().startSpan(init.name, { kind: init.kind, attributes: init.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    markSpanFailed(error, span);
    throw error;
  } finally {
    span.end();
  }
}
