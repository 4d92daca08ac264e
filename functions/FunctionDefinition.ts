import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { Services } from './Services';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';

export type HttpServiceHandler = (request: HttpRequest, context: InvocationContext, services: Services) => Promise<HttpResponseInit>;
export type QueueServiceHandler = (message: unknown, context: InvocationContext, services: Services) => Promise<void>;
export type TimerServiceHandler = (timer: Timer, context: InvocationContext, services: Services) => Promise<void>;

/**
 * One row of the function table. The Azure registration and the local host both loop over
 * the same rows, so a function cannot exist in one and be missing in the other.
 */
export type FunctionDefinition =
  | { kind: 'http'; name: string; route: string; methods: HttpMethod[]; handler: HttpServiceHandler }
  | { kind: 'queue'; name: string; queueName: string; handler: QueueServiceHandler }
  | { kind: 'timer'; name: string; schedule: string; runOnStartup?: boolean; handler: TimerServiceHandler };
