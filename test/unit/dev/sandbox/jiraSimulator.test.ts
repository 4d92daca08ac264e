import { generateKeyPairSync } from 'node:crypto';
import { request } from 'undici';
import { startJiraSimulator, type JiraSimulator } from '../../../../dev/sandbox/jira/startJiraSimulator';
import { OAuthSigner } from '../../../../shared/jira/OAuthSigner';
import { contentBlock } from '../../../../dev/sandbox/jira/generatedContent';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let now = Date.now();
const clock = { now: () => now };
let simulator: JiraSimulator;
const signer = new OAuthSigner({ consumerKey: 'consumer-1', privateKey: keys.privateKey, clock });

beforeAll(async () => {
  simulator = await startJiraSimulator({ clock, basePath: '/jira' });
  simulator.registerConsumer({ consumerKey: 'consumer-1', publicKeyPem, twoLeggedUser: 'jira-service', allowImpersonation: true });
});
afterAll(() => simulator.stop());
beforeEach(() => {
  now = Date.now();
  simulator.clearRequests();
});

const form = (text: string) => Object.fromEntries(new URLSearchParams(text));
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

async function call(method: 'GET' | 'POST', path: string, authorization?: string, headers: Record<string, string> = {}, body?: string) {
  const response = await request(`${simulator.url}/${path}`, {
    method,
    headers: { ...headers, ...(authorization ? { authorization } : {}) },
    body,
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

async function dance(user = 'alice'): Promise<{ key: string; secret: string }> {
  const requestUrl = new URL(`${simulator.url}/plugins/servlet/oauth/request-token`);
  const first = await call(
    'POST',
    'plugins/servlet/oauth/request-token',
    await signer.authorization({ method: 'POST', url: requestUrl, protocol: { oauth_callback: 'https://app.example/cb?x=1' } }),
  );
  expect(first.status).toBe(200);
  const requestToken = form(first.text);
  expect(requestToken.oauth_callback_confirmed).toBe('true');
  const { verifier, callbackUrl } = simulator.approve(requestToken.oauth_token!, user);
  const back = new URL(callbackUrl);
  expect(back.searchParams.get('x')).toBe('1');
  expect(back.searchParams.get('oauth_token')).toBe(requestToken.oauth_token);
  expect(back.searchParams.get('oauth_verifier')).toBe(verifier);
  const accessUrl = new URL(`${simulator.url}/plugins/servlet/oauth/access-token`);
  const token = { key: requestToken.oauth_token!, secret: requestToken.oauth_token_secret! };
  const second = await call(
    'POST',
    'plugins/servlet/oauth/access-token',
    await signer.authorization({ method: 'POST', url: accessUrl, token, protocol: { oauth_verifier: verifier } }),
  );
  expect(second.status).toBe(200);
  const access = form(second.text);
  return { key: access.oauth_token!, secret: access.oauth_token_secret! };
}

describe('the Jira simulator', () => {
  it('runs the OAuth dance and serves myself to the access token, recording what it saw', async () => {
    const token = await dance('bob');
    const url = new URL(`${simulator.url}/rest/api/2/myself`);
    const answer = await call('GET', 'rest/api/2/myself', await signer.authorization({ method: 'GET', url, token }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ name: 'bob', displayName: 'Bob Example' });
    expect(answer.headers['x-ratelimit-limit']).toBeDefined();
    expect(answer.headers['set-cookie']).toBeDefined();
    expect(simulator.requests.map((r) => r.url)).toEqual([
      '/plugins/servlet/oauth/request-token',
      '/plugins/servlet/oauth/access-token',
      '/rest/api/2/myself',
    ]);
    expect(simulator.requests[2]?.auth).toEqual({ kind: 'oauth', consumerKey: 'consumer-1', user: 'bob' });
  });

  it('refuses a request token that is used twice or was never approved', async () => {
    const requestUrl = new URL(`${simulator.url}/plugins/servlet/oauth/request-token`);
    const first = form(
      (
        await call(
          'POST',
          'plugins/servlet/oauth/request-token',
          await signer.authorization({ method: 'POST', url: requestUrl, protocol: { oauth_callback: 'oob' } }),
        )
      ).text,
    );
    const accessUrl = new URL(`${simulator.url}/plugins/servlet/oauth/access-token`);
    const token = { key: first.oauth_token!, secret: first.oauth_token_secret! };
    const early = await call(
      'POST',
      'plugins/servlet/oauth/access-token',
      await signer.authorization({ method: 'POST', url: accessUrl, token, protocol: { oauth_verifier: 'x' } }),
    );
    expect(form(early.text).oauth_problem).toBe('permission_unknown');
    const { verifier } = simulator.approve(first.oauth_token!, 'alice');
    const ok = await call(
      'POST',
      'plugins/servlet/oauth/access-token',
      await signer.authorization({ method: 'POST', url: accessUrl, token, protocol: { oauth_verifier: verifier } }),
    );
    expect(ok.status).toBe(200);
    const again = await call(
      'POST',
      'plugins/servlet/oauth/access-token',
      await signer.authorization({ method: 'POST', url: accessUrl, token, protocol: { oauth_verifier: verifier } }),
    );
    expect(again.status).toBe(401);
    expect(form(again.text).oauth_problem).toBe('token_rejected');
  });

  it('answers Jira oauth_problems: reused nonce, stale timestamp, bad signature, unknown consumer, revoked and expired tokens', async () => {
    const token = await dance();
    const url = new URL(`${simulator.url}/rest/api/2/myself`);
    const header = await signer.authorization({ method: 'GET', url, token });
    expect((await call('GET', 'rest/api/2/myself', header)).status).toBe(200);
    const replay = await call('GET', 'rest/api/2/myself', header);
    expect(replay.status).toBe(401);
    expect(replay.headers['www-authenticate']).toContain('oauth_problem="nonce_used"');

    now -= 301_000;
    const stale = await signer.authorization({ method: 'GET', url, token });
    now += 301_000;
    expect(form((await call('GET', 'rest/api/2/myself', stale)).text).oauth_problem).toBe('timestamp_refused');

    const otherUrl = await signer.authorization({ method: 'GET', url: new URL(`${simulator.url}/rest/api/2/myself?x=1`), token });
    expect(form((await call('GET', 'rest/api/2/myself', otherUrl)).text).oauth_problem).toBe('signature_invalid');

    const wrongKey = await new OAuthSigner({ consumerKey: 'consumer-1', privateKey: otherKeys.privateKey, clock }).authorization({
      method: 'GET',
      url,
      token,
    });
    expect(form((await call('GET', 'rest/api/2/myself', wrongKey)).text).oauth_problem).toBe('signature_invalid');

    const unknown = await new OAuthSigner({ consumerKey: 'nobody', privateKey: keys.privateKey, clock }).authorization({
      method: 'GET',
      url,
      token,
    });
    expect(form((await call('GET', 'rest/api/2/myself', unknown)).text).oauth_problem).toBe('consumer_key_unknown');

    const expiring = await dance('carol');
    simulator.expireAccessTokens('carol');
    expect(
      form((await call('GET', 'rest/api/2/myself', await signer.authorization({ method: 'GET', url, token: expiring }))).text)
        .oauth_problem,
    ).toBe('token_expired');
    simulator.revokeAccessTokens('alice');
    expect(
      form((await call('GET', 'rest/api/2/myself', await signer.authorization({ method: 'GET', url, token }))).text).oauth_problem,
    ).toBe('token_rejected');
  });

  it('verifies form bodies as signed parameters and ignores JSON bodies', async () => {
    const token = await dance();
    const url = new URL(`${simulator.url}/rest/api/2/search`);
    const jsonBody = JSON.stringify({ jql: 'project = DEMO' });
    const jsonAnswer = await call(
      'POST',
      'rest/api/2/search',
      await signer.authorization({ method: 'POST', url, token }),
      { 'content-type': 'application/json' },
      jsonBody,
    );
    expect(jsonAnswer.status).toBe(200);
    expect(json(jsonAnswer.text).total).toBe(3);
    const formSigned = await signer.authorization({ method: 'POST', url, token, form: [['a', 'b c']] });
    expect(
      (await call('POST', 'rest/api/2/search', formSigned, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b+c')).status,
    ).toBe(200);
    const formUnsigned = await signer.authorization({ method: 'POST', url, token });
    const refused = await call('POST', 'rest/api/2/search', formUnsigned, { 'content-type': 'application/x-www-form-urlencoded' }, 'a=b+c');
    expect(form(refused.text).oauth_problem).toBe('signature_invalid');
  });

  it('accepts personal access tokens and 2-legged OAuth with xoauth_requestor_id', async () => {
    const pat = simulator.addPersonalAccessToken('carol');
    expect(json((await call('GET', 'rest/api/2/myself', `Bearer ${pat}`)).text).name).toBe('carol');
    expect((await call('GET', 'rest/api/2/myself', 'Bearer nope')).status).toBe(401);
    expect((await call('GET', 'rest/api/2/myself')).status).toBe(401);

    const asBob = new URL(`${simulator.url}/rest/api/2/myself?xoauth_requestor_id=bob`);
    expect(
      json((await call('GET', 'rest/api/2/myself?xoauth_requestor_id=bob', await signer.authorization({ method: 'GET', url: asBob }))).text)
        .name,
    ).toBe('bob');
    const plain = new URL(`${simulator.url}/rest/api/2/myself`);
    expect(json((await call('GET', 'rest/api/2/myself', await signer.authorization({ method: 'GET', url: plain }))).text).name).toBe(
      'jira-service',
    );
    expect(simulator.requests.at(-1)?.auth?.kind).toBe('oauth-2lo');
  });

  it('streams generated attachments, counts uploads, redirects and fails on demand', async () => {
    const pat = simulator.addPersonalAccessToken('alice');
    const attachment = simulator.addAttachment({ size: 200_000, filename: 'a b.bin', issueKey: 'DEMO-1' });
    const download = await request(`${simulator.url}/${attachment.path}`, { headers: { authorization: `Bearer ${pat}` } });
    const bytes = Buffer.from(await download.body.arrayBuffer());
    expect(download.statusCode).toBe(200);
    expect(bytes.length).toBe(200_000);
    expect(bytes.subarray(65_536, 65_546)).toEqual(contentBlock.subarray(0, 10));

    const body = '--b\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\nhello\r\n--b--\r\n';
    const noXsrf = await call(
      'POST',
      'rest/api/2/issue/DEMO-1/attachments',
      `Bearer ${pat}`,
      { 'content-type': 'multipart/form-data; boundary=b' },
      body,
    );
    expect(noXsrf.status).toBe(403);
    const uploaded = await call(
      'POST',
      'rest/api/2/issue/DEMO-1/attachments',
      `Bearer ${pat}`,
      { 'content-type': 'multipart/form-data; boundary=b', 'x-atlassian-token': 'no-check' },
      body,
    );
    expect(uploaded.status).toBe(200);
    expect(simulator.uploads.at(-1)).toMatchObject({ issueKey: 'DEMO-1', bytes: Buffer.byteLength(body), filename: 'x.txt' });

    simulator.redirect('/rest/api/2/issue/OLD-1', `${simulator.url}/rest/api/2/issue/DEMO-1`);
    const moved = await call('GET', 'rest/api/2/issue/OLD-1', `Bearer ${pat}`);
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe(`${simulator.url}/rest/api/2/issue/DEMO-1`);

    simulator.fail({ status: 429, retryAfter: 2, count: 1 });
    const throttled = await call('GET', 'rest/api/2/issue/DEMO-1', `Bearer ${pat}`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('2');
    expect((await call('GET', 'rest/api/2/issue/DEMO-1', `Bearer ${pat}`)).status).toBe(200);
  });

  it('records nothing for sandbox control calls and 404s outside its base path', async () => {
    const control = await request(`${new URL(simulator.url).origin}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ status: 503, count: 1 }),
    });
    await control.body.text();
    expect(simulator.requests).toHaveLength(0);
    const outside = await request(`${new URL(simulator.url).origin}/rest/api/2/myself`);
    await outside.body.text();
    expect(outside.statusCode).toBe(404);
    simulator.state.fault = undefined;
  });
});
