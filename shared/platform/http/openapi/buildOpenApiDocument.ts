import { z } from 'zod';
import { errorCodes, type ErrorCode } from '../../errors/errorCodes';
import { PROBLEM_CONTENT_TYPE } from '../problemResponse';
import type { OperationDescription, ResponseDescription, RouteDescription, SecurityName } from './RouteDescription';
import { toOpenApiPaths } from './toOpenApiPaths';

/** An HTTP route of the function table, with its description when it has one. */
export interface DescribedRoute {
  name: string;
  route: string;
  methods: readonly string[];
  /** Answers CORS preflights: its OPTIONS is the preflight. */
  cors: boolean;
  description?: RouteDescription;
}

export interface OpenApiInit {
  title: string;
  version: string;
  description: string;
  /** The host's route prefix (`api`), which the routes of the table leave out. */
  routePrefix: string;
  routes: readonly DescribedRoute[];
}

type JsonObject = Record<string, unknown>;

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
/** Every operation can answer this one: the edge turns any unexpected exception into it. */
const ALWAYS: readonly ErrorCode[] = ['internal'];

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the function table and the zod
 * schemas the handlers validate with, so the description cannot drift from what is checked.
 * Schemas are JSON Schema 2020-12, OpenAPI 3.1's own dialect. A route without a description
 * is still listed, marked `x-undescribed`, so the document never hides a route.
 */
export function buildOpenApiDocument(init: OpenApiInit): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const tags = new Set<string>();
  for (const route of init.routes) {
    const routePaths = toOpenApiPaths(init.routePrefix, route.route);
    if (route.description) tags.add(route.description.tag);
    for (const method of route.methods) {
      const placed = method === 'OPTIONS' ? preflights(route, routePaths) : operationsOf(route, method, routePaths);
      for (const { path, operation } of placed) {
        const item = (paths[path] ??= {});
        item[method.toLowerCase()] = operation;
      }
    }
  }
  return {
    openapi: '3.1.1',
    info: { title: init.title, version: init.version, description: init.description },
    // No `servers`: the default is `/`, the host that served the document (OAS 3.1 §4.8.1).
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: securitySchemes(),
      schemas: { Problem: problemSchema() },
    },
  };
}

function preflights(route: DescribedRoute, routePaths: readonly string[]): { path: string; operation: JsonObject }[] {
  return routePaths.map((path, index) => ({
    path,
    operation: {
      operationId: `${route.name}Preflight${index === 0 ? '' : index}`,
      ...(route.description ? { tags: [route.description.tag] } : {}),
      summary: 'CORS preflight',
      description:
        'Answered for the origins of ALLOWED_ORIGINS only, without authentication (a browser sends none); a page of another origin gets no CORS header.',
      security: [],
      parameters: pathParameters(path, {}),
      responses: { 204: { description: 'The preflight answer, with the CORS headers when the origin is allowed' } },
    },
  }));
}

function operationsOf(route: DescribedRoute, method: string, routePaths: readonly string[]): { path: string; operation: JsonObject }[] {
  const described = route.description?.operations[method as keyof RouteDescription['operations']];
  if (!described) {
    return routePaths.map((path, index) => ({
      path,
      operation: {
        operationId: `${route.name}${capitalize(method)}${index === 0 ? '' : index}`,
        summary: `${route.name} ${method}`,
        'x-undescribed': true,
        parameters: pathParameters(path, {}),
        responses: problemResponses(ALWAYS),
      },
    }));
  }
  const list = Array.isArray(described) ? described : [described];
  const fullPath = routePaths[routePaths.length - 1] ?? '/';
  return list.map((operation, index) => {
    const path = operation.path ?? fullPath;
    if (!routePaths.includes(path)) throw new Error(`${route.name} ${method}: ${path} is not a path of route ${route.route}`);
    return {
      path,
      operation: toOperation(
        operation,
        `${route.name}${capitalize(method)}${list.length > 1 ? index + 1 : ''}`,
        route.description?.tag,
        path,
      ),
    };
  });
}

function toOperation(operation: OperationDescription, operationId: string, tag: string | undefined, path: string): JsonObject {
  const parameters = [...pathParameters(path, operation.pathParams ?? {}), ...queryParameters(operation.query)];
  const responses: JsonObject = { ...problemResponses([...ALWAYS, ...operation.problems]) };
  for (const [status, response] of Object.entries(operation.responses)) responses[status] = toResponse(response);
  return {
    operationId,
    ...(tag ? { tags: [tag] } : {}),
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    security: operation.security.map((name: SecurityName) => ({ [name]: [] })),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.requestBody
      ? {
          requestBody: {
            required: operation.requestBody.required ?? true,
            content: { [operation.requestBody.type]: { schema: toSchema(operation.requestBody.schema, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

function pathParameters(path: string, schemas: Record<string, z.ZodType>): JsonObject[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path',
    required: true,
    schema: schemas[name] ? toSchema(schemas[name], 'input') : { type: 'string' },
  }));
}

function queryParameters(query: z.ZodObject | undefined): JsonObject[] {
  if (!query) return [];
  return Object.entries(query.shape as Record<string, z.ZodType>).map(([name, schema]) => ({
    name,
    in: 'query',
    // Whatever accepts an absent value (optional, or with a default) need not be sent.
    required: !schema.safeParse(undefined).success,
    schema: toSchema(schema, 'input'),
  }));
}

function toResponse(response: ResponseDescription): JsonObject {
  return {
    description: response.description,
    ...(response.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(response.headers).map(([name, header]) => [name, { ...header, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    ...(response.content
      ? { content: { [response.content.type]: response.content.schema ? { schema: toSchema(response.content.schema, 'output') } : {} } }
      : {}),
  };
}

/** One response per status, naming every code the operation may answer with it. */
function problemResponses(codes: readonly ErrorCode[]): JsonObject {
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of codes) {
    const { status } = errorCodes[code];
    const set = byStatus.get(status) ?? new Set<ErrorCode>();
    set.add(code);
    byStatus.set(status, set);
  }
  return Object.fromEntries(
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, set]) => [
        String(status),
        {
          description: [...set].map((code) => `\`${code}\`: ${errorCodes[code].title}`).join('; '),
          content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
        },
      ]),
  );
}

/** JSON Schema 2020-12 of a zod schema; `$schema` goes, the document's dialect says it once. */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonObject;
  return rest;
}

function securitySchemes(): JsonObject {
  return {
    bearer: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token of the Microsoft identity platform for the API (v1.0 or v2.0); admin routes need the admin app role.',
    },
    panelSession: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Panel-Session',
      description: 'The administration panel session token (POST manage/panel/session).',
    },
    panelJwt: { type: 'apiKey', in: 'query', name: 'jwt', description: "The Jira app's per-URL JWT that opens the panel." },
  } satisfies Record<SecurityName, JsonObject>;
}

function problemSchema(): JsonObject {
  return {
    type: 'object',
    description: 'RFC 9457 problem details. Some codes add members (jira_authorization_required: startUrl).',
    properties: {
      type: { type: 'string', description: 'Names the problem type; resolves to its documentation.' },
      title: { type: 'string' },
      status: { type: 'integer' },
      code: { type: 'string', enum: Object.keys(errorCodes).sort() },
      detail: { type: 'string' },
      instance: { type: 'string' },
    },
    required: ['type', 'title', 'status', 'code'],
  };
}

function capitalize(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}
