import { SpanKind, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The span attribute the Application Insights exporter reads a consumer span's request name
 * from. For a SERVER span it derives the name itself (method and route, or the span name), but
 * for a CONSUMER span it only copies this attribute (`createTagsFromSpan` and
 * `readableSpanToEnvelope` in @azure/monitor-opentelemetry-exporter's utils/spanUtils.js), so
 * without it `process <queue>` arrives as a request with no name. The exporter keeps the
 * attribute out of the envelope's custom properties.
 */
export const AI_OPERATION_NAME_ATTRIBUTE = 'ai.operation.name';

/**
 * Names every consumer span's Application Insights request after the span. Registered ahead
 * of the exporter's processor, only when Application Insights export is on: the span keeps its
 * OpenTelemetry kind (a queue message is consumed, not served), and other exporters see one
 * attribute more.
 */
export class OperationNameProcessor implements SpanProcessor {
  onStart(span: Span, _parentContext: Context): void {
    if (span.kind === SpanKind.CONSUMER) span.setAttribute(AI_OPERATION_NAME_ATTRIBUTE, span.name);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
