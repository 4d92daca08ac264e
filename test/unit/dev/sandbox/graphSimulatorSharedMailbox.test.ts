import { startGraphSimulator, type GraphSimulator } from '../../../../dev/sandbox/graph/startGraphSimulator';
import { startTokenIssuer, type TokenIssuer } from '../../../../dev/sandbox/issuer/tokenIssuer';
import { newGuid } from '../../../../dev/sandbox/newGuid';

/**
 * The Graph simulator's on-behalf-of grant and delegated mailbox access, as the Microsoft
 * identity platform and Exchange answer them: the assertion must be the identity platform's,
 * for this tenant, addressed to the app that presents it (AADSTS50013 otherwise); a
 * delegated token reads the user's own mailbox, and with Mail.Read.Shared a shared mailbox
 * the user is a member of; anything else is 403 ErrorAccessDenied.
 */

const CLIENT_ID = newGuid();
const SECRET = 's3cret';
const API_AUDIENCE = `api://${CLIENT_ID}`;
const TENANT = newGuid();
const MEMBER = newGuid();
const OUTSIDER = newGuid();
const SHARED = 'support@contoso.example';
let issuer: TokenIssuer;
let simulator: GraphSimulator;

beforeAll(async () => {
  issuer = await startTokenIssuer();
  simulator = await startGraphSimulator({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    retryDelaysMs: [],
    onBehalfOf: { jwksUrl: issuer.jwksUrl, audiences: [API_AUDIENCE] },
  });
  simulator.state.addSharedMailbox(SHARED, [MEMBER]);
  for (const userId of [SHARED, MEMBER])
    simulator.putMail({ userId, tenantId: TENANT, conversationId: "conv-'quoted'", subject: 'S', from: 'a@example.test', notify: false });
});

afterAll(async () => {
  await simulator.stop();
  await issuer.stop();
});

async function onBehalfOf(assertion: string, scope = 'https://graph.microsoft.com/Mail.Read.Shared offline_access openid profile') {
  const response = await fetch(simulator.tokenUrl(TENANT), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion,
      scope,
      client_id: CLIENT_ID,
      client_secret: SECRET,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

const userToken = (userId: string, overrides: { audience?: string; tenantId?: string } = {}) =>
  issuer.mint({ tenantId: overrides.tenantId ?? TENANT, userId, audience: overrides.audience ?? API_AUDIENCE });

async function read(accessToken: string, mailbox: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const filter = encodeURIComponent("conversationId eq 'conv-''quoted'''");
  const response = await fetch(`${simulator.baseUrl}/users/${encodeURIComponent(mailbox)}/messages?$filter=${filter}&$top=1`, {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('the OBO grant refuses an assertion for another app, another tenant, or not signed by the identity platform', async () => {
  expect(await onBehalfOf(await userToken(MEMBER, { audience: 'api://someone-else' }))).toMatchObject({
    status: 400,
    body: { error: 'invalid_grant', error_description: expect.stringContaining('AADSTS50013') as unknown },
  });
  expect((await onBehalfOf(await userToken(MEMBER, { tenantId: newGuid() }))).body.error).toBe('invalid_grant');
  const genuine = await userToken(MEMBER);
  const [header, payload] = genuine.split('.');
  const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
  expect((await onBehalfOf(forged)).body.error).toBe('invalid_grant');
  expect((await onBehalfOf(genuine)).status).toBe(200);
});

test('a member reads the shared mailbox with Mail.Read.Shared; an outsider gets 403 ErrorAccessDenied; both read their own', async () => {
  const member = (await onBehalfOf(await userToken(MEMBER))).body.access_token!;
  const outsider = (await onBehalfOf(await userToken(OUTSIDER))).body.access_token!;
  const found = await read(member, SHARED);
  expect(found.status).toBe(200);
  expect(found.body.value).toHaveLength(1);
  expect(await read(outsider, SHARED)).toEqual({
    status: 403,
    body: {
      error: expect.objectContaining({
        code: 'ErrorAccessDenied',
        message: 'Access is denied. Check credentials and try again.',
      }) as unknown,
    },
  });
  expect(await read(outsider, MEMBER)).toMatchObject({ status: 403 });
  expect((await read(member, MEMBER)).status).toBe(200);

  // Without the .Shared scope a member reads only their own mailbox.
  const ownOnly = (await onBehalfOf(await userToken(MEMBER), 'https://graph.microsoft.com/Mail.Read')).body.access_token!;
  expect((await read(ownOnly, SHARED)).status).toBe(403);
  expect((await read(ownOnly, MEMBER)).status).toBe(200);
});

test('the sandbox control endpoint makes a shared mailbox with its members, and refuses a malformed one', async () => {
  const post = (body: unknown) =>
    fetch(`${simulator.url}/_sandbox/shared-mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await post({ mailboxId: 'Sales@Contoso.example', members: [OUTSIDER.toUpperCase()] })).status).toBe(204);
  expect(simulator.state.sharedMailboxes.get('sales@contoso.example')).toEqual(new Set([OUTSIDER]));
  expect((await post({ mailboxId: 'sales@contoso.example' })).status).toBe(400);
});
