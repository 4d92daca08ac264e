import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Every string an exported span holds — its name, its attributes and its events' — as an exporter would send them. */
export function exportedSpanStrings(span: ReadableSpan): string[] {
  const values: unknown[] = [span.name, ...Object.entries(span.attributes).flat()];
  for (const event of span.events) values.push(event.name, ...Object.entries(event.attributes ?? {}).flat());
  return values.map(String);
}
