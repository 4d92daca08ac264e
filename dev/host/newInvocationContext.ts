import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { InvocationContext, type FunctionTrigger, type LogLevel } from '@azure/functions';
import type { HostLog, HostLogLevel } from './HostLog';

export interface NewInvocationContextInit {
  functionName: string;
  trigger: FunctionTrigger;
  /** Queue triggers only: the worker gives HTTP and timer functions none. */
  triggerMetadata?: Record<string, unknown>;
  log: HostLog;
}

const LEVELS: Record<LogLevel, HostLogLevel | undefined> = {
  trace: 'debug',
  debug: 'debug',
  information: 'info',
  warning: 'warn',
  error: 'error',
  critical: 'error',
  none: undefined,
};

/** A real `InvocationContext` whose `log`, `warn`, … go to the host log under the function's name. */
export function newInvocationContext(init: NewInvocationContextInit): InvocationContext {
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName: init.functionName,
    triggerMetadata: init.triggerMetadata,
    options: { trigger: init.trigger },
    logHandler: (level, ...args) => {
      const hostLevel = LEVELS[level];
      if (hostLevel) init.log.write(hostLevel, `[${init.functionName}] ${format(...args)}`);
    },
  });
}
