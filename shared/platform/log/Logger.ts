import { isSpanContextValid, trace } from '@opentelemetry/api';
import { allowedLogAttributes, type LogAttributes } from './logAttributes';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Where records go: an `InvocationContext` fits. On Azure the Node.js worker joins a call's
 * arguments with `util.format` into one trace message (no custom dimensions, see
 * Azure/azure-functions-nodejs-library#227), at the level of the method called.
 */
export interface LogSink {
  debug(line: string): void;
  log(line: string): void;
  warn(line: string): void;
  error(line: string): void;
}

export interface LoggerInit {
  sink: LogSink;
  /** The least severe level written (LOG_LEVEL). */
  level: LogLevel;
  /** Carried by every record of this logger. */
  attributes?: LogAttributes;
}

/**
 * Structured records as one line each: a short message, then the allow-listed attributes
 * as JSON (`mail ignored: not_a_mail {"tenantId":"…","queue":"graph-notifications","traceId":"…"}`),
 * so an operator can `parse_json` the tail of a trace in Application Insights, and find a
 * mail's lines by the trace id its spans carry.
 */
export class Logger {
  private readonly sink: LogSink;
  private readonly level: LogLevel;
  private readonly attributes: LogAttributes;

  constructor(init: LoggerInit) {
    this.sink = init.sink;
    this.level = init.level;
    this.attributes = init.attributes ?? {};
  }

  /** The same sink and level, with more attributes on every record. */
  with(attributes: LogAttributes): Logger {
    return new Logger({ sink: this.sink, level: this.level, attributes: { ...this.attributes, ...attributes } });
  }

  debug(message: string, attributes?: LogAttributes): void {
    this.write('debug', message, attributes);
  }

  info(message: string, attributes?: LogAttributes): void {
    this.write('info', message, attributes);
  }

  warn(message: string, attributes?: LogAttributes): void {
    this.write('warn', message, attributes);
  }

  error(message: string, attributes?: LogAttributes): void {
    this.write('error', message, attributes);
  }

  private write(level: LogLevel, message: string, attributes: LogAttributes | undefined): void {
    // Below the level nothing is built: a debug record costs a comparison.
    if (RANK[level] < RANK[this.level]) return;
    const spanContext = trace.getActiveSpan()?.spanContext();
    const record = allowedLogAttributes({
      ...this.attributes,
      ...attributes,
      traceId: spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined,
    });
    // One record, one line: a line break in an interpolated word would start a forged record.
    const text = message.replace(/[\r\n]+/g, ' ');
    const line = Object.keys(record).length === 0 ? text : `${text} ${JSON.stringify(record)}`;
    switch (level) {
      case 'debug':
        return this.sink.debug(line);
      case 'info':
        return this.sink.log(line);
      case 'warn':
        return this.sink.warn(line);
      case 'error':
        return this.sink.error(line);
    }
  }
}
