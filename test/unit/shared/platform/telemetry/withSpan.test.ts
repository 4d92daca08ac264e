import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AppError } from '../../../../../shared/platform/errors/AppError';
import { registerTelemetry } from '../../../../../shared/platform/telemetry/registerTelemetry';
import { withSpan } from '../../../../../shared/platform/telemetry/withSpan';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
});
beforeEach(() => exporter.reset());

describe('a failed span', () => {
  it("records the AppError's code and class, never its message, and rethrows the error unchanged", async () => {
    const error = new AppError({ code: 'upstream_unreachable', detail: 'Merger plans for Contoso via https://jira/x?token=s3cret' });
    await expect(withSpan({ name: 'work', kind: SpanKind.INTERNAL }, () => Promise.reject(error))).rejects.toBe(error);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(span!.attributes).toEqual({ 'exception.type': 'AppError', 'app.problem_code': 'upstream_unreachable' });
    expect(span!.events.map((event) => [event.name, event.attributes])).toEqual([
      ['exception', { 'exception.type': 'AppError', 'app.problem_code': 'upstream_unreachable' }],
    ]);
    expect(JSON.stringify([span!.attributes, span!.events])).not.toMatch(/Merger|s3cret|token/);
  });

  it('any other error leaves only its class', async () => {
    await expect(withSpan({ name: 'work', kind: SpanKind.INTERNAL }, () => Promise.reject(new TypeError('secret')))).rejects.toThrow(
      TypeError,
    );
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({ 'exception.type': 'TypeError' });
  });
});
