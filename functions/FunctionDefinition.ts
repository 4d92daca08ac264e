import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import type { CorsPolicy } from '../shared/platform/http/cors';
import type { QueueName } from '../shared/platform/storage/queueNames';
import type { Services } from './Services';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'HEAD';

export type HttpServiceHandler = (request: HttpRequest, context: InvocationContext, services: Services) => Promise<HttpResponseInit>;
export type QueueServiceHandler = (message: unknown, context: InvocationContext, services: Services) => Promise<void>;
export type TimerServiceHandler = (timer: Timer, context: InvocationContext, services: Services) => Promise<void>;

/**
 * One row of the function table as written: the handler, and what the edge must add around
 * it. `wrapFunction` turns it into a `FunctionDefinition`; nothing else wraps a handler.
 */
export type FunctionRow =
  | {
      kind: 'http';
      name: string;
      route: string;
      methods: HttpMethod[];
      /** Answered cross-origin: `OPTIONS` must be among `methods`, for the preflight. */
      cors?: CorsPolicy;
      handler: HttpServiceHandler;
    }
  | { kind: 'queue'; name: string; queueName: QueueName; handler: QueueServiceHandler }
  | { kind: 'timer'; name: string; schedule: string; runOnStartup?: boolean; handler: TimerServiceHandler };

/**
 * A function ready to register, its handler already wrapped. The Azure registration and the
 * local host both loop over the same definitions and only bind them, so a function cannot
 * exist in one and be missing (or behave differently) in the other.
 */
export type FunctionDefinition =
  | { kind: 'http'; name: string; route: string; methods: HttpMethod[]; handler: HttpServiceHandler }
  | { kind: 'queue'; name: string; queueName: string; handler: QueueServiceHandler }
  | { kind: 'timer'; name: string; schedule: string; runOnStartup?: boolean; handler: TimerServiceHandler };
