import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { isAppError } from '../errors/AppError';

/** Span attribute of a failure's stable code (`AppError.code`). */
export const PROBLEM_CODE_ATTRIBUTE = 'app.problem_code';

/**
 * Marks a span failed with what is safe to export: the stable AppError code, or only the
 * error's class. Never `recordException`: a message or stack can carry a URL with a query,
 * a token or a mail's subject.
 */
export function markSpanFailed(error: unknown, span: Span | undefined = trace.getActiveSpan()): void {
  if (!span) return;
  const type = error instanceof Error ? error.constructor.name : typeof error;
  const attributes: Record<string, string> = { 'exception.type': type };
  if (isAppError(error)) attributes[PROBLEM_CODE_ATTRIBUTE] = error.code;
  span.setAttributes(attributes);
  span.addEvent('exception', attributes);
  span.setStatus({ code: SpanStatusCode.ERROR });
}
