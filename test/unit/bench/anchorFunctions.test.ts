import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { anchorFunctions, type FloorAnswer } from '../../../bench/anchorFunctions';
import { createServices } from '../../../functions/compose';
import type { Services } from '../../../functions/Services';
import { loadConfig } from '../../../shared/platform/config/loadConfig';

const BASE = 'http://127.0.0.1:7071';

let services: Services;

// One container for the file: the anchors take it as every handler does, and use none of it.
beforeAll(() => {
  services = createServices({
    config: loadConfig({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      DATA_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      PUBLIC_BASE_URL: BASE,
      API_AUDIENCE: 'api://bench-anchor-test',
      GRAPH_CLIENT_ID: '00000000-0000-4000-8000-00000000a9e1',
      GRAPH_CLIENT_SECRET: 'test-only',
    }),
  });
});
afterAll(async () => {
  await services.http.close();
});

describe('the bench floor: a prepared answer, given back as it is', () => {
  const floor = anchorFunctions.find((row) => row.name === 'benchFloor');

  function call(method: 'GET' | 'POST', body?: string): Promise<HttpResponseInit> {
    if (floor?.kind !== 'http') throw new Error('no benchFloor row');
    const request = new HttpRequest({ method, url: `${BASE}/api/bench/floor`, ...(body === undefined ? {} : { body: { string: body } }) });
    return floor.handler(request, new InvocationContext({ functionName: 'benchFloor', logHandler: () => undefined }), services);
  }

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

describe('the bench host relay: the GET sent on to the named upstream, nothing else', () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  const seen: { url?: string; authorization?: string; cookie?: string }[] = [];
  const row = (name: string) => {
    const found = anchorFunctions.find((candidate) => candidate.name === name);
    if (found?.kind !== 'http') throw new Error(`no ${name} row`);
    return found;
  };

  function call(name: string, init: ConstructorParameters<typeof HttpRequest>[0]): Promise<HttpResponseInit> {
    return row(name).handler(new HttpRequest(init), new InvocationContext({ functionName: name, logHandler: () => undefined }), services);
  }

  beforeAll(async () => {
    upstream = http.createServer((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization, cookie: request.headers.cookie });
      response.writeHead(203, { 'content-type': 'application/json', 'x-upstream': 'kept back' });
      response.end('{"payload":[1,2,3]}');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('answers a problem until it is given an upstream, and refuses one that is not a URL', async () => {
    const before = await call('benchRelay', { method: 'GET', url: `${BASE}/api/bench/relay/rest/x`, params: { path: 'rest/x' } });
    expect(before.status).toBe(409);
    const bad = { method: 'POST', url: `${BASE}/api/bench/relay-upstream`, body: { string: '{"upstream":"nowhere"}' } };
    expect((await call('benchRelayUpstream', bad)).status).toBe(400);
    expect(seen).toEqual([]);
  });

  it("relays the path with the caller's Authorization only, and gives back the upstream's status, content type and bytes", async () => {
    const set = {
      method: 'POST',
      url: `${BASE}/api/bench/relay-upstream`,
      body: { string: JSON.stringify({ upstream: `${upstreamUrl}/` }) },
    };
    expect((await call('benchRelayUpstream', set)).status).toBe(204);
    const answer = await call('benchRelay', {
      method: 'GET',
      url: `${BASE}/api/bench/relay/rest/api/2/bench/payload`,
      params: { path: 'rest/api/2/bench/payload' },
      headers: { authorization: 'Bearer pat-1', cookie: 'session=secret' },
    });
    const response = new HttpResponse(answer);
    expect(response.status).toBe(203);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-upstream')).toBeNull();
    expect(await response.text()).toBe('{"payload":[1,2,3]}');
    expect(seen).toEqual([{ url: '/rest/api/2/bench/payload', authorization: 'Bearer pat-1', cookie: undefined }]);
  });
});
