import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import type { FunctionDefinition, FunctionRow, HttpServiceHandler } from '../../../functions/FunctionDefinition';
import { functionTable } from '../../../functions/functionTable';
import { wrapFunction } from '../../../functions/wrapFunction';
import type { Services } from '../../../functions/Services';
import { createServices } from '../../../functions/compose';
import { AppError } from '../../../shared/platform/errors/AppError';
import { loadConfig } from '../../../shared/platform/config/loadConfig';
import { queueNames } from '../../../shared/platform/storage/queueNames';

const ORIGIN = 'https://addin.example';
const policy = { allowHeaders: ['authorization'], exposeHeaders: ['retry-after'] };

function toRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => (record[name] = value));
  return record;
}

describe('wrapFunction: the one place handlers are wrapped', () => {
  let services: Services;

  beforeAll(() => {
    services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 4).toString('base64')}`,
        PUBLIC_BASE_URL: 'http://127.0.0.1:7071',
        API_AUDIENCE: 'api://wrap-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-000000000009',
        GRAPH_CLIENT_SECRET: 'test-only',
        ALLOWED_ORIGINS: ORIGIN,
      }),
    });
  });
  afterAll(async () => {
    await services.http.close();
  });

  function http(handler: HttpServiceHandler, extra: Partial<Extract<FunctionRow, { kind: 'http' }>> = {}): HttpServiceHandler {
    const wrapped = wrapFunction({
      kind: 'http',
      name: 'probe',
      route: 'probe',
      methods: ['GET', 'POST', 'OPTIONS'],
      cors: policy,
      handler,
      ...extra,
    });
    if (wrapped.kind !== 'http') throw new Error('not an http definition');
    return wrapped.handler;
  }

  async function call(handler: HttpServiceHandler, method: string, headers: Record<string, string> = { origin: ORIGIN }) {
    const context = new InvocationContext({ functionName: 'probe', logHandler: () => undefined });
    const response = new HttpResponse(
      await handler(new HttpRequest({ method, url: 'http://127.0.0.1:7071/api/probe', headers }), context, services),
    );
    return { status: response.status, headers: toRecord(response.headers), body: await response.text() };
  }

  it("answers a preflight itself, without the handler, granting the row's methods", async () => {
    const handler = jest.fn<ReturnType<HttpServiceHandler>, Parameters<HttpServiceHandler>>();
    const preflight = await call(http(handler), 'OPTIONS', { origin: ORIGIN, 'access-control-request-method': 'POST' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization',
    });
    expect(handler).not.toHaveBeenCalled();
  });

  it('adds CORS to an answer whose headers are a Headers object, keeping its Vary', async () => {
    const answer = await call(
      http(async () => ({ status: 200, headers: new Headers({ 'content-type': 'text/plain', vary: 'Authorization' }), body: 'ok' })),
      'GET',
    );
    expect(answer).toMatchObject({ status: 200, body: 'ok' });
    expect(answer.headers).toMatchObject({
      'content-type': 'text/plain',
      vary: 'Authorization, Origin',
      'access-control-allow-origin': ORIGIN,
      'access-control-expose-headers': 'retry-after',
    });
  });

  it.each([
    ['an AppError', new AppError({ code: 'unauthenticated', headers: { 'WWW-Authenticate': 'Bearer' } }), 401, 'unauthenticated'],
    ['an unexpected error', new Error('secret'), 500, 'internal'],
  ])('adds CORS to the problem the edge makes of %s', async (_name, error, status, code) => {
    const problem = await call(
      http(() => Promise.reject(error)),
      'GET',
    );
    expect(problem.status).toBe(status);
    expect(problem.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'access-control-allow-origin': ORIGIN,
      vary: 'Origin',
    });
    expect(JSON.parse(problem.body)).toMatchObject({ code });
    expect(problem.body).not.toContain('secret');
  });

  it('gives another origin no grant, and a row without CORS no CORS headers at all', async () => {
    const ok: HttpServiceHandler = async () => ({ status: 200, headers: { 'x-a': '1' } });
    expect((await call(http(ok), 'GET', { origin: 'https://evil.example' })).headers).toEqual({ 'x-a': '1', vary: 'Origin' });
    expect((await call(http(ok, { cors: undefined }), 'GET')).headers).toEqual({ 'x-a': '1' });
  });

  it('refuses a row that declares CORS but does not take OPTIONS', () => {
    expect(() => http(async () => ({ status: 200 }), { methods: ['GET'] })).toThrow('probe declares CORS but does not take OPTIONS');
  });

  it('counts the last failed attempt of a queue message once', async () => {
    const add = jest.spyOn(services.admin.reports, 'add').mockResolvedValue(undefined);
    const wrapped = wrapFunction({
      kind: 'queue',
      name: 'q',
      queueName: queueNames.jiraNotify,
      handler: () => Promise.reject(new Error('boom')),
    });
    const context = new InvocationContext({ functionName: 'q', triggerMetadata: { dequeueCount: 5 }, logHandler: () => undefined });
    if (wrapped.kind !== 'queue') throw new Error('not a queue definition');
    await expect(wrapped.handler({}, context, services)).rejects.toThrow('boom');
    expect(add).toHaveBeenCalledTimes(1);
    add.mockRestore();
  });

  it("has the table's add-in routes take OPTIONS for their preflight, licenses included", () => {
    const http = functionTable.filter((row): row is Extract<FunctionDefinition, { kind: 'http' }> => row.kind === 'http');
    const withOptions = http.filter((row) => row.methods.includes('OPTIONS')).map((row) => row.name);
    expect(withOptions.sort()).toEqual(['jiraOAuthStart', 'jiraProxy', 'licenseCheck', 'links']);
  });
});
