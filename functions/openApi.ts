import { buildOpenApiDocument } from '../shared/platform/http/openapi/buildOpenApiDocument';
import { apiDescriptions } from './apiDescriptions';
import type { FunctionRow, HttpServiceHandler } from './FunctionDefinition';

/** The host's `extensions.http.routePrefix` (host.json keeps the default). */
const ROUTE_PREFIX = 'api';
/** The version of the description, raised when a route or a body changes shape. */
const API_DESCRIPTION_VERSION = '1.0.0';

/**
 * `GET /api/openapi.json`: the HTTP API as OpenAPI 3.1, built from the function table's rows
 * (passed as a getter: the table holds this function too) on the first call and kept, since
 * it changes only with a deployment. Anonymous: it describes routes, it holds no data.
 */
export function serveOpenApi(rows: () => readonly FunctionRow[]): HttpServiceHandler {
  let body: string | undefined;
  return () => {
    body ??= JSON.stringify(
      buildOpenApiDocument({
        title: 'jira-outlook-cloud',
        version: API_DESCRIPTION_VERSION,
        description:
          'The cloud side of the Outlook add-in for Jira Server and Data Center. Every error is application/problem+json whose `type` resolves to its documentation (/api/problems).',
        routePrefix: ROUTE_PREFIX,
        routes: rows().flatMap((row) =>
          row.kind === 'http'
            ? [
                {
                  name: row.name,
                  route: row.route,
                  methods: row.methods,
                  cors: row.cors !== undefined,
                  description: apiDescriptions[row.name],
                },
              ]
            : [],
        ),
      }),
    );
    return Promise.resolve({
      status: 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'public, max-age=3600',
        'X-Content-Type-Options': 'nosniff',
      },
      body,
    });
  };
}
