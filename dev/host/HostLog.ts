export type HostLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where the local host writes its own lines and the functions' `context.log` calls. The
 * host's own lines carry method, function name, status and time, never a body, a header
 * value or a query string.
 */
export interface HostLog {
  write(level: HostLogLevel, line: string): void;
}
