import { InvocationContext } from '@azure/functions';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Logger, type LogLevel } from '../../../../../shared/platform/log/Logger';
import { LoggerFactory } from '../../../../../shared/platform/log/LoggerFactory';
import { registerTelemetry } from '../../../../../shared/platform/telemetry/registerTelemetry';
import { withSpan } from '../../../../../shared/platform/telemetry/withSpan';
import { parseLogRecord, type ParsedLogRecord } from '../../../../support/logRecords';

const TENANT = '8f0c2e4a-1b3d-4c5e-9f60-7a8b9c0d1e2f';
const INVOCATION = '3a1f6c9e-2d4b-4e8a-b7c5-0f9e8d7c6b5a';
const exporter = new InMemorySpanExporter();

/** What a real `InvocationContext` hands the worker: (level, the one formatted line). */
function capture(): { context: InvocationContext; written: [string, string][] } {
  const written: [string, string][] = [];
  const context = new InvocationContext({
    invocationId: INVOCATION,
    functionName: 'probe',
    logHandler: (level, ...args) => void written.push([level, args.map(String).join(' ')]),
  });
  return { context, written };
}

function logger(level: LogLevel): { log: Logger; written: [string, string][] } {
  const { context, written } = capture();
  return { log: new LoggerFactory({ level }).of(context, { queue: 'jira-notify' }), written };
}

/** The record a line holds: its message and its attributes (none: an empty object). */
function parse(line: string): ParsedLogRecord {
  return parseLogRecord(line) ?? { message: line, attributes: {} };
}

beforeAll(() => {
  expect(registerTelemetry({ spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
});

describe('Logger: one structured record per line', () => {
  it('writes the message and its attributes as one line, at the host level of the call', () => {
    const { log, written } = logger('debug');
    log.debug('claimed', { tenantId: TENANT });
    log.info('notified 2 watcher(s)', { tenantId: TENANT, instanceId: 'demo', issueKey: 'DEMO-12' });
    log.warn('not notified: jira_unavailable', { problemCode: 'jira_unavailable' });
    log.error('unexpected TypeError');
    expect(written.map(([level]) => level)).toEqual(['debug', 'information', 'warning', 'error']);
    expect(written[1]![1]).toBe(
      `notified 2 watcher(s) {"tenantId":"${TENANT}","instanceId":"demo","queue":"jira-notify","issueKey":"DEMO-12","invocationId":"${INVOCATION}"}`,
    );
    expect(parse(written[2]![1])).toEqual({
      message: 'not notified: jira_unavailable',
      attributes: { queue: 'jira-notify', problemCode: 'jira_unavailable', invocationId: INVOCATION },
    });
  });

  it('keeps a record to one line even when an interpolated word holds a line break', () => {
    const { log, written } = logger('info');
    log.info('mail ignored: a\nforged {"tenantId":"x"}\r\nline');
    expect(written).toHaveLength(1);
    expect(written[0]![1]).not.toMatch(/[\r\n]/);
    expect(written[0]![1].startsWith('mail ignored: a forged')).toBe(true);
  });

  it.each<[LogLevel, string[]]>([
    ['debug', ['debug', 'information', 'warning', 'error']],
    ['info', ['information', 'warning', 'error']],
    ['warn', ['warning', 'error']],
    ['error', ['error']],
  ])('at LOG_LEVEL %s writes only the records at that level and above', (level, levels) => {
    const { log, written } = logger(level);
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(written.map(([written]) => written)).toEqual(levels);
  });

  it('drops an attribute that is not on the allow-list, and one whose value has not its shape', () => {
    const { log, written } = logger('info');
    const forged = {
      subject: 'Merger plans',
      internetMessageId: '<CA+abc@mail.example>',
      token: 'eyJhbGciOi',
      url: 'https://jira.example/rest?oauth_token=abc',
      tenantId: 'Merger plans for Contoso',
      instanceId: 'https://jira.example/?q=1',
      queue: 'somewhere-else',
      issueKey: 'DEMO-1 Bearer abc',
      problemCode: 'a code with spaces and a secret',
    };
    // Not a fresh literal: the compiler lets the extra names through, so the allow-list is what stops them.
    log.info('mail ignored', forged);
    expect(written).toHaveLength(1);
    // A bad value replaces the logger's own (queue) and is dropped with it: only the invocation is left.
    expect(parse(written[0]![1])).toEqual({ message: 'mail ignored', attributes: { invocationId: INVOCATION } });
  });

  it('carries the active span’s trace id, and none outside a span', async () => {
    const { log, written } = logger('info');
    log.info('outside');
    const traceId = await withSpan({ name: 'probe', kind: SpanKind.INTERNAL }, (span) => {
      log.info('inside', { tenantId: TENANT });
      return Promise.resolve(span.spanContext().traceId);
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parse(written[0]![1]).attributes).not.toHaveProperty('traceId');
    expect(parse(written[1]![1]).attributes).toMatchObject({ tenantId: TENANT, traceId });
  });

  it('a child logger adds attributes to every record, and a record’s own win', () => {
    const { log, written } = logger('info');
    const issue = log.with({ tenantId: TENANT, instanceId: 'demo' });
    issue.info('one', { issueKey: 'DEMO-1' });
    issue.info('two', { instanceId: 'other' });
    expect(parse(written[0]![1]).attributes).toMatchObject({ tenantId: TENANT, instanceId: 'demo', issueKey: 'DEMO-1' });
    expect(parse(written[1]![1]).attributes).toMatchObject({ tenantId: TENANT, instanceId: 'other' });
    expect(parse(written[1]![1]).attributes).not.toHaveProperty('issueKey');
  });

  it('a caller cannot set the trace id: only the active span does', () => {
    const { log, written } = logger('info');
    log.info('x', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' } as unknown as Parameters<Logger['info']>[1]);
    expect(parse(written[0]![1]).attributes).not.toHaveProperty('traceId');
  });
});
