import { createHash } from 'node:crypto';
import { request } from 'undici';
import { startJiraSimulator, type JiraSimulator } from '../../../../../dev/sandbox/jira/startJiraSimulator';

/**
 * The simulated Jira DC OAuth 2.0 provider is no more lenient than the real one: PKCE
 * checked, codes single use and 10 minutes long, refresh tokens rotated, scopes and
 * access token expiry enforced on the REST API, the redirect URL of the link only.
 */
let now = Date.now();
const clock = { now: () => now };
let simulator: JiraSimulator;
let client: { clientId: string; clientSecret: string; redirectUri: string };
const REDIRECT = 'https://app.example/api/jira/oauth/callback';
const VERIFIER = 'v'.repeat(43);
const challenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

beforeAll(async () => {
  simulator = await startJiraSimulator({ clock });
  client = simulator.addOAuth2Client(REDIRECT);
});
afterAll(() => simulator.stop());
beforeEach(() => {
  now = Date.now();
});

function authorizeUrl(params: Record<string, string> = {}): string {
  const url = new URL(`${simulator.url}/rest/oauth2/latest/authorize`);
  const all = {
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'WRITE',
    state: 'state-1',
    code_challenge: challenge(VERIFIER),
    code_challenge_method: 'S256',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.toString();
}

function codeOf(params: Record<string, string> = {}, user = 'alice'): string {
  const back = new URL(simulator.approveOAuth2(authorizeUrl(params), user).callbackUrl);
  expect(back.searchParams.get('state')).toBe('state-1');
  return back.searchParams.get('code') ?? '';
}

async function token(params: Record<string, string>) {
  const response = await request(`${simulator.url}/rest/oauth2/latest/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uri: REDIRECT,
      ...params,
    }).toString(),
  });
  return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
}

const exchange = (code: string, verifier = VERIFIER) => token({ grant_type: 'authorization_code', code, code_verifier: verifier });

async function rest(method: 'GET' | 'POST', path: string, bearer: string) {
  const response = await request(`${simulator.url}/${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(method === 'POST' ? { body: JSON.stringify({ jql: 'project = DEMO' }) } : {}),
  });
  await response.body.dump();
  return response.statusCode;
}

describe('simulated Jira DC OAuth 2.0 provider', () => {
  it('grants a code once, with the right PKCE verifier, and its bearer token reads as the user', async () => {
    const code = codeOf();
    const granted = await exchange(code);
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: 'WRITE' });
    expect(await rest('GET', 'rest/api/2/myself', String(granted.json.access_token))).toBe(200);
    expect(await exchange(code)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    // The replayed code revokes what it granted (RFC 6749 §4.1.2).
    expect(await rest('GET', 'rest/api/2/myself', String(granted.json.access_token))).toBe(401);
  });

  it('refuses a wrong verifier, an expired code, another redirect URL and a wrong client secret', async () => {
    expect(await exchange(codeOf(), 'w'.repeat(43))).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    const late = codeOf();
    now += 10 * 60_000 + 1;
    expect(await exchange(late)).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    expect(() => simulator.approveOAuth2(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }), 'alice')).toThrow(/redirect_uri/);
    expect(await token({ grant_type: 'authorization_code', code: codeOf(), code_verifier: VERIFIER, client_secret: 'nope' })).toMatchObject(
      {
        status: 401,
        json: { error: 'invalid_client' },
      },
    );
  });

  it('rotates refresh tokens: the new pair works, the used refresh token no longer does', async () => {
    const first = (await exchange(codeOf())).json;
    const second = await token({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) });
    expect(second.status).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(await rest('GET', 'rest/api/2/myself', String(second.json.access_token))).toBe(200);
    expect(await token({ grant_type: 'refresh_token', refresh_token: String(first.refresh_token) })).toMatchObject({
      status: 400,
      json: { error: 'invalid_grant' },
    });
  });

  it('enforces scope (a READ token cannot POST) and access token expiry', async () => {
    const read = (await exchange(codeOf({ scope: 'READ' }))).json;
    expect(await rest('GET', 'rest/api/2/myself', String(read.access_token))).toBe(200);
    expect(await rest('POST', 'rest/api/2/search', String(read.access_token))).toBe(403);
    const write = (await exchange(codeOf())).json;
    expect(await rest('POST', 'rest/api/2/search', String(write.access_token))).toBe(200);
    now += 7200_000 + 1;
    expect(await rest('GET', 'rest/api/2/myself', String(write.access_token))).toBe(401);
  });

  it('sends a denial back to the redirect URL with the state', () => {
    const back = new URL(simulator.denyOAuth2(authorizeUrl()).callbackUrl);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-1');
  });
});
