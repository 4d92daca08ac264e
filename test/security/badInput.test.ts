import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Agent, type Dispatcher } from 'undici';
import { newGuid } from '../../dev/sandbox/newGuid';
import type { FunctionDefinition } from '../../functions/FunctionDefinition';
import { functionTable } from '../../functions/functionTable';
import { agent as stackAgent, ADDIN_ORIGIN } from '../support/proxyStack';
import { startAppStack, type AppStack } from '../support/appStack';

/**
 * Bad input everywhere: every HTTP row of the function table, through the local host over
 * real HTTP, with random methods, path values, queries, headers, encodings and bodies of
 * every size. Whatever comes in: an answer within a bounded time, never a 5xx (nothing is
 * down here), problem+json on every error (browser pages excepted: they are HTML by
 * design, with a CSP, and never echo input), and the host still answers afterwards.
 */

type HttpRow = Extract<FunctionDefinition, { kind: 'http' }>;
const httpRows = functionTable.filter((row): row is HttpRow => row.kind === 'http');
/** Pages a browser opens (the OAuth dialog's begin URL and callback, the framed admin panel): HTML on errors too. */
const BROWSER_PAGES = new Set(['jiraOAuthBegin', 'jiraOAuthCallback', 'manageUi']);
/** Per route: bounded so the file stays well under a minute on two cores. */
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 80);
const MARKUP = '<script>alert("fz")</script>';

const fuzzAgent = new Agent({ connections: 16, headersTimeout: 20_000, bodyTimeout: 20_000 });

let stack: AppStack;
/** Route → status → how many answers: printed at the end, the counts docs/reliability.md quotes. */
const tally = new Map<string, Map<number, number>>();
/** Proxied requests Jira answered (its answer passed on as it is). */
let relayed = 0;

function count(route: string, status: number): void {
  const statuses = tally.get(route) ?? new Map<number, number>();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  tally.set(route, statuses);
}

beforeAll(async () => {
  stack = await startAppStack({ queues: false });
  await stack.registerInstance('demo');
  // The user's proxied calls reach Jira, so odd paths and queries are signed and sent for real.
  expect((await stack.authorize(stack.tokens.user, 'demo', 'alice')).status).toBe(200);
}, 60_000);

afterAll(async () => {
  const lines = [...tally].map(([route, statuses]) => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    return `${route.padEnd(22)} ${String(total).padStart(4)}  ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}×${n}`)
      .join(' ')}`;
  });
  console.log(
    `bad input: requests per route and the statuses they got (${relayed} proxied requests answered by Jira itself)\n${lines.join('\n')}`,
  );
  await stack?.stop();
  await fuzzAgent.close();
  await stackAgent.close();
});

// ---- arbitraries --------------------------------------------------------------------------

/** Bytes as a URL would carry them: percent-encoded random text, raw oddities, broken escapes. */
const segmentArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('demo', 'nothere', 'DEMO', 'a', '0', '-', 'demo-', 'x'.repeat(64), ''),
  fc.constantFrom(
    '..',
    '.',
    '%2e%2e',
    '%2E.',
    '..%2f..',
    '%2f',
    '%5c',
    '%00',
    '%0d%0a',
    '%ZZ',
    '%',
    '%e0%a4%a',
    '%c0%ae%c0%ae',
    '%ef%bc%8e',
    ';',
    '..;',
    '%3Cscript%3E',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => encodeURIComponent(text)),
  fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((text) => encodeURIComponent(text).replace(/%2F/g, '/')),
  fc.integer({ min: 300, max: 6000 }).map((length) => 'a'.repeat(length)),
  fc.constant(encodeURIComponent(MARKUP)),
);

const queryArb: fc.Arbitrary<string> = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'validationToken',
          'conversationId',
          'instanceId',
          'issueKey',
          'tenant',
          'oauth_token',
          'oauth_verifier',
          'jwt',
          'v',
          '__proto__',
          'constructor',
        ),
        fc.string({ maxLength: 10 }).map(encodeURIComponent),
      ),
      fc.oneof(segmentArb, fc.constant(encodeURIComponent(MARKUP)), fc.constant('demo'), fc.constant('DEMO-1')),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`));

const methodArb = fc.constantFrom<Dispatcher.HttpMethod>('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD');

type Credential = 'none' | 'user' | 'admin' | 'otherTenantAdmin' | 'garbage' | 'wrongScheme';
const credentialArb = fc.constantFrom<Credential>('none', 'user', 'admin', 'admin', 'otherTenantAdmin', 'garbage', 'wrongScheme');

/** Header values undici will send (no CR/LF/NUL: those are the raw-socket tests' job). */
const headerValueArb = fc.oneof(
  // Printable ASCII only: CR, LF and NUL are the raw-socket tests' job.
  fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((text) => [...text].filter((char) => char >= ' ' && char !== '\x7f').join('')),
  fc.constantFrom(MARKUP, 'null', '', ' ', '*', 'chunked', 'gzip', 'bytes=0-', '-1', '99999999999999999999', 'ÿ'),
);

const headersArb: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded',
        'text/plain',
        'multipart/form-data; boundary=x',
        'application/xml',
        '',
        'application/json; charset=ebcdic',
      ),
      'content-encoding': fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown'),
      accept: fc.constantFrom('*/*', 'text/html', 'application/json', MARKUP),
      origin: fc.constantFrom(ADDIN_ORIGIN, 'https://evil.example', 'null', MARKUP),
      host: fc.constantFrom('evil.example', 'localhost', '127.0.0.1:1', '[::1]:80'),
      cookie: headerValueArb,
      range: headerValueArb,
      'if-match': headerValueArb,
      'x-forwarded-host': headerValueArb,
      'x-admin-session': headerValueArb,
      'x-random-header': headerValueArb,
    },
    { requiredKeys: [] },
  )
  .map((headers) => Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')));

/** Shapes close to what each route expects, with hostile values: they get past the JSON parse. */
const nearMissJsonArb = fc.oneof(
  fc.record(
    {
      conversationId: fc.oneof(fc.string(), fc.constant(MARKUP)),
      instanceId: fc.oneof(fc.constant('demo'), fc.string()),
      issueKey: fc.oneof(fc.constant('DEMO-1'), fc.string()),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      baseUrl: fc.oneof(
        fc.webUrl(),
        fc.constantFrom('http://169.254.169.254', 'file:///etc/passwd', 'javascript:alert(1)', MARKUP, 'http://[::1]:1'),
      ),
      displayName: fc.oneof(fc.string(), fc.constant(MARKUP)),
      serviceUser: fc.string(),
      appKey: fc.string(),
      serviceToken: fc.oneof(fc.string(), fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      value: fc.array(
        fc.record(
          {
            subscriptionId: fc.oneof(fc.uuid(), fc.string()),
            clientState: fc.oneof(fc.string({ maxLength: 200 }), fc.constant(null)),
            changeType: fc.constantFrom('created', 'updated', 'deleted', ''),
            resource: fc.oneof(fc.string(), fc.constant(`Users/${newGuid()}/Messages/AAMk=`)),
            resourceData: fc.option(fc.record({ id: fc.string() }), { nil: undefined }),
            lifecycleEvent: fc.constantFrom('missed', 'subscriptionRemoved', 'reauthorizationRequired', 'other'),
            encryptedContent: fc.option(
              fc.record({
                data: fc.base64String(),
                dataKey: fc.base64String(),
                dataSignature: fc.base64String(),
                encryptionCertificateId: fc.string(),
              }),
              { nil: undefined },
            ),
          },
          { requiredKeys: [] },
        ),
        { maxLength: 30 },
      ),
      validationTokens: fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
    },
    { requiredKeys: [] },
  ),
);

type BodySpec =
  | { kind: 'none' }
  | { kind: 'bytes'; data: Uint8Array }
  | { kind: 'text'; text: string }
  | { kind: 'chunked'; chunks: Uint8Array[] }
  | { kind: 'large'; size: number };

const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  fc.constant<BodySpec>({ kind: 'none' }),
  fc.json({ maxDepth: 4 }).map((text): BodySpec => ({ kind: 'text', text })),
  nearMissJsonArb.map((value): BodySpec => ({ kind: 'text', text: JSON.stringify(value) })),
  fc.uint8Array({ maxLength: 4096 }).map((data): BodySpec => ({ kind: 'bytes', data })),
  fc.constantFrom<BodySpec>(
    { kind: 'text', text: MARKUP },
    { kind: 'text', text: '{"value":' },
    { kind: 'text', text: '\u0000\u0001\u0002' },
    { kind: 'text', text: '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}' },
    { kind: 'text', text: '['.repeat(5000) },
    { kind: 'bytes', data: new Uint8Array([0xff, 0xfe, 0x7b, 0x00]) },
  ),
  fc
    .array(fc.uint8Array({ minLength: 1, maxLength: 2048 }), { minLength: 1, maxLength: 8 })
    .map((chunks): BodySpec => ({ kind: 'chunked', chunks })),
  fc.constantFrom(16 * 1024 + 1, 64 * 1024 + 1, 300 * 1024, 2 * 1024 * 1024).map((size): BodySpec => ({ kind: 'large', size })),
);

// ---- one request --------------------------------------------------------------------------

interface Attempt {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  credential: Credential;
  body: BodySpec;
}

interface Outcome {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function pathFor(row: HttpRow, values: readonly string[], query: string): string {
  let index = 0;
  const below = row.route.replace(/\{\*?([A-Za-z]+)\??\}/g, () => values[index++] ?? 'x');
  return `/api/${below}${query}`;
}

function authorizationFor(credential: Credential): Record<string, string> {
  switch (credential) {
    case 'none':
      return {};
    case 'user':
      return { authorization: `Bearer ${stack.tokens.user}` };
    case 'admin':
      return { authorization: `Bearer ${stack.tokens.admin}` };
    case 'otherTenantAdmin':
      return { authorization: `Bearer ${stack.tokens.otherTenantAdmin}` };
    case 'garbage':
      return { authorization: `Bearer ${Buffer.from(MARKUP).toString('base64url')}.e30.x` };
    case 'wrongScheme':
      return { authorization: 'Basic YWRtaW46YWRtaW4=' };
  }
}

function toBody(spec: BodySpec): string | Uint8Array | Readable | undefined {
  switch (spec.kind) {
    case 'none':
      return undefined;
    case 'bytes':
      return spec.data;
    case 'text':
      return spec.text;
    case 'chunked':
      return Readable.from(spec.chunks.map((chunk) => Buffer.from(chunk)));
    case 'large':
      return Buffer.alloc(spec.size, 0x61);
  }
}

async function attempt(input: Attempt): Promise<Outcome> {
  const canHaveBody = input.method !== 'GET' && input.method !== 'HEAD';
  const response = await fuzzAgent.request({
    origin: stack.url,
    method: input.method,
    path: input.path,
    headers: { ...input.headers, ...authorizationFor(input.credential) },
    ...(canHaveBody && input.body.kind !== 'none' ? { body: toBody(input.body) } : {}),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text };
}

/** Strings of the request that, echoed into markup, would be an injection. */
function dangerousFragments(input: Attempt): string[] {
  const fragments = new Set<string>([MARKUP]);
  const add = (text: string) => {
    if (/[<>"']/.test(text) && text.length >= 4) fragments.add(text);
  };
  for (const value of Object.values(input.headers)) add(value);
  for (const part of input.path.split(/[/?&=]/)) {
    try {
      add(decodeURIComponent(part));
    } catch {
      add(part);
    }
  }
  if (input.body.kind === 'text') add(input.body.text);
  return [...fragments];
}

function header(outcome: Outcome, name: string): string {
  const value = outcome.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** Everything the contract promises about any answer to any input. */
function checkOutcome(row: HttpRow, input: Attempt, outcome: Outcome): void {
  const where = `${input.method} ${input.path.slice(0, 200)} (${input.credential}, body ${input.body.kind})`;
  const contentType = header(outcome, 'content-type');
  if (outcome.status >= 500) throw new Error(`${where} → ${outcome.status} ${outcome.text.slice(0, 300)}`);
  if (outcome.status === 431) {
    // Node's parser (the front end, in Azure) refuses a request head over 16 KB before the app sees it.
    const headSize =
      input.path.length + Object.entries(input.headers).reduce((size, [name, value]) => size + name.length + value.length + 4, 0);
    if (headSize < 12 * 1024) throw new Error(`${where} → 431 for a ${headSize}-byte head`);
    return;
  }
  if (outcome.status >= 400) {
    const browserPage = BROWSER_PAGES.has(row.name) && contentType.startsWith('text/html');
    if (!browserPage && !contentType.startsWith('application/problem+json'))
      throw new Error(`${where} → ${outcome.status} as "${contentType}"`);
    if (!browserPage && input.method !== 'HEAD') {
      const problem = JSON.parse(outcome.text) as { status?: unknown; code?: unknown };
      if (problem.status !== outcome.status || typeof problem.code !== 'string')
        throw new Error(`${where} → a problem without its status or code: ${outcome.text.slice(0, 200)}`);
    }
  }
  if (contentType.startsWith('text/html')) {
    if (!header(outcome, 'content-security-policy').includes("default-src 'none'"))
      throw new Error(`${where} → HTML without a restrictive CSP`);
    for (const fragment of dangerousFragments(input)) {
      if (outcome.text.includes(fragment)) throw new Error(`${where} → the HTML answer echoes input: ${fragment.slice(0, 80)}`);
    }
  }
  if (outcome.text.includes('    at ') && /\.ts:\d+|\.js:\d+/.test(outcome.text)) throw new Error(`${where} → a stack trace in the answer`);
}

const routeNames = httpRows.map((row) => [row.name, row] as const);

describe('bad input on every HTTP route of the function table', () => {
  it('covers every HTTP row of the function table', () => {
    // A new row is fuzzed automatically; this keeps the list honest if the table is filtered.
    expect(routeNames.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'health',
        'jiraProxy',
        'jiraOAuthStart',
        'jiraOAuthBegin',
        'jiraOAuthCallback',
        'links',
        'licenseCheck',
        'manageInstances',
        'graphNotifications',
        'graphLifecycle',
      ]),
    );
  });

  it.each(routeNames)(
    '%s: any request gets a bounded, well-formed, non-5xx answer',
    async (_name, row) => {
      const placeholders = (row.route.match(/\{/g) ?? []).length;
      let requests = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...row.methods) }, { weight: 1, arbitrary: methodArb }),
          // Half the time the id of the real instance, so requests get past the lookup to the handler's logic.
          fc.array(fc.oneof(fc.constant('demo'), segmentArb), { minLength: placeholders, maxLength: placeholders }),
          // A catch-all takes several segments: give it a path of its own too.
          fc.oneof(
            fc.constant(''),
            fc.array(segmentArb, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/')),
          ),
          queryArb,
          headersArb,
          credentialArb,
          bodyArb,
          async (method, values, rest, query, headers, credential, body) => {
            const filled = row.route.includes('{*') && rest !== '' ? [...values.slice(0, -1), `rest/api/2/${rest}`] : values;
            const input: Attempt = { method, path: pathFor(row, filled, query), headers, credential, body };
            requests += 1;
            const jiraSeen = stack.jira.requests.length;
            const outcome = await attempt(input);
            count(row.name, outcome.status);
            // The proxy passes Jira's own answer on, whatever it is: only what the app answers itself is checked.
            if (row.name === 'jiraProxy' && stack.jira.requests.length > jiraSeen) {
              relayed += 1;
              return;
            }
            checkOutcome(row, input, outcome);
          },
        ),
        // A new sample every run; a failure prints its seed, and FUZZ_SEED replays it.
        { numRuns: RUNS_PER_ROUTE, endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
      );
      expect(requests).toBeGreaterThanOrEqual(RUNS_PER_ROUTE);
      // Still standing, still honest about its dependencies.
      const health = await stack.send('GET', '/api/health');
      expect(health.status).toBe(200);
    },
    120_000,
  );

  it('answers unknown routes and unknown methods with problem+json too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segmentArb, { minLength: 0, maxLength: 5 }), methodArb, async (segments, method) => {
        const path = `/${['api', 'nope', ...segments].join('/')}`;
        const outcome = await attempt({ method, path, headers: {}, credential: 'none', body: { kind: 'none' } });
        count('(no route)', outcome.status);
        expect([404, 405]).toContain(outcome.status);
        expect(header(outcome, 'content-type')).toBe('application/problem+json');
      }),
      { numRuns: 30 },
    );
  });
});
