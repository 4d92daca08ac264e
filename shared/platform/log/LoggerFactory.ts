import type { LogAttributes } from './logAttributes';
import { Logger, type LogLevel, type LogSink } from './Logger';

/** An invocation as the logger needs it: an `InvocationContext` fits. */
export interface InvocationSink extends LogSink {
  invocationId: string;
}

export interface LoggerFactoryInit {
  /** LOG_LEVEL: the app filters too, so a record below it is never formatted, on any host. */
  level: LogLevel;
}

/** Built once per process (the level is a setting); hands each invocation its logger. */
export class LoggerFactory {
  private readonly level: LogLevel;

  constructor(init: LoggerFactoryInit) {
    this.level = init.level;
  }

  /** A logger writing through the invocation's context, its records carrying the invocation id and `attributes`. */
  of(invocation: InvocationSink, attributes?: LogAttributes): Logger {
    return new Logger({ sink: invocation, level: this.level, attributes: { invocationId: invocation.invocationId, ...attributes } });
  }
}
