import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { anchorFunctions, type FloorAnswer } from '../../../bench/anchorFunctions';
import { createServices } from '../../../functions/compose';
import type { Services } from '../../../functions/Services';
import { loadConfig } from '../../../shared/platform/config/loadConfig';

const BASE = 'http://127.0.0.1:7071';

describe('the bench floor: a prepared answer, given back as it is', () => {
  let services: Services;
  const floor = anchorFunctions.find((row) => row.name === 'benchFloor');

  function call(method: 'GET' | 'POST', body?: string): Promise<HttpResponseInit> {
    if (floor?.kind !== 'http') throw new Error('no benchFloor row');
    const request = new HttpRequest({ method, url: `${BASE}/api/bench/floor`, ...(body === undefined ? {} : { body: { string: body } }) });
    return floor.handler(request, new InvocationContext({ functionName: 'benchFloor', logHandler: () => undefined }), services);
  }

  beforeAll(() => {
    services = createServices({
      config: loadConfig({
        AzureWebJobsStorage: 'UseDevelopmentStorage=true',
        DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        PUBLIC_BASE_URL: BASE,
        API_AUDIENCE: 'api://bench-floor-test',
        GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000a9e1',
        GRAPH_CLIENT_SECRET: 'test-only',
      }),
    });
  });
  afterAll(async () => {
    await services.http.close();
  });

  it('answers a problem, not an empty 200, until it is given an answer', async () => {
    const answer = await call('GET');
    expect(answer.status).toBe(409);
    expect(new Headers(answer.headers).get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('refuses an answer that is not { status, headers, body } as bad input', async () => {
    expect((await call('POST', '{"status":200,"headers":{"x":1},"body":""}')).status).toBe(400);
    expect((await call('POST', 'not json')).status).toBe(400);
  });

  it('gives back exactly the answer it was given, on every GET', async () => {
    const given: FloorAnswer = {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': '14', vary: 'Authorization, Origin' },
      body: '{"licensed":1}',
    };
    expect((await call('POST', JSON.stringify(given))).status).toBe(204);
    for (let i = 0; i < 2; i += 1) {
      const answer = await call('GET');
      expect(answer).toEqual({ status: 200, headers: given.headers, body: given.body });
    }
  });
});
