import type { z } from 'zod';
import type { ErrorCode } from '../../errors/errorCodes';

/** The ways a caller proves who it is, as the document's `components.securitySchemes` names them. */
export type SecurityName = 'bearer' | 'panelSession' | 'panelJwt';

export interface ResponseDescription {
  description: string;
  /** Absent for an answer without a body (204, 302). */
  content?: { type: string; schema?: z.ZodType };
  headers?: Record<string, { description: string }>;
}

/** One method of one route, written beside the schemas the handler validates with. */
export interface OperationDescription {
  summary: string;
  description?: string;
  /** Any one of these is enough; empty: anonymous (the app checks something else, said in `description`). */
  security: readonly SecurityName[];
  /** The OpenAPI path this operation lives on when the route has an optional segment; default: the full route. */
  path?: string;
  query?: z.ZodObject;
  /** Path parameters that are narrower than any string. */
  pathParams?: Record<string, z.ZodType>;
  requestBody?: { type: string; schema: z.ZodType; required?: boolean };
  responses: Record<number, ResponseDescription>;
  /** The problem codes the operation may answer besides the edge's own (`internal`). */
  problems: readonly ErrorCode[];
}

/** What a function's HTTP route does, per method; OPTIONS of a CORS route is described by the generator. */
export interface RouteDescription {
  tag: string;
  operations: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', OperationDescription | OperationDescription[]>>;
}
