import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { IframeJwtVerifier, type IframeCheck } from '../../../../shared/admin/IframeJwtVerifier';
import { UsedPanelTokens } from '../../../../shared/admin/UsedPanelTokens';
import { newPanelSecret, panelSecretContext } from '../../../../shared/admin/panelSecret';
import { SecretBox } from '../../../../shared/platform/crypto/SecretBox';
import type { InstanceEntity } from '../../../../shared/platform/storage/instances/instanceEntity';
import { connectQsh, signConnectJwt } from '../../../../dev/sandbox/jira/connectJwt';
import { memoryUsedPanelTokenTable } from './memoryUsedPanelTokenTable';

const tenantId = '6f1c2a4e-8b0d-4c7e-9a51-3d2f0e6b7c18';
const instanceId = 'demo';
const issuer = `${tenantId}/${instanceId}`;
const pageUrl = new URL('https://app.example/api/manage/ui?lic=active&xdm_e=https%3A%2F%2Fjira.example');

/**
 * The verifier against the sandbox's Jira-app signer (written separately from the verifier,
 * from Atlassian Connect's JWT description), a real SecretBox and the used-token set over an
 * in-memory table with Table Storage's insert-once semantics.
 */
function setUp() {
  let now = Date.UTC(2025, 5, 1, 12);
  const clock = { now: () => now };
  const box = new SecretBox({ keyring: { activeKeyId: 'k1', keys: new Map([['k1', randomBytes(32)]]) } });
  const secret = newPanelSecret();
  const instance: InstanceEntity = {
    tenantId,
    instanceId,
    baseUrl: 'https://jira.example',
    displayName: 'Jira',
    consumerKey: 'outlook',
    publicKeyPem: '-----BEGIN PUBLIC KEY-----',
    encryptedPrivateKey: 'sealed',
    encryptedAdminSecret: box.seal(secret, panelSecretContext(tenantId, instanceId)),
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
  };
  const table = memoryUsedPanelTokenTable();
  const usedTokens = new UsedPanelTokens({ clock, repository: table });
  const verifier = new IframeJwtVerifier({
    repository: { get: (key) => Promise.resolve(key.tenantId === tenantId && key.instanceId === instanceId ? instance : undefined) },
    secrets: box,
    usedTokens,
    clock,
  });
  const nowSeconds = () => Math.floor(now / 1000);
  const sign = (init: { issuedAt?: number; lifetimeSeconds?: number; url?: URL; sharedSecret?: string; jti?: string } = {}) =>
    signConnectJwt({
      issuer,
      sharedSecret: init.sharedSecret ?? secret,
      jiraUser: 'admin',
      method: 'GET',
      url: init.url ?? pageUrl,
      issuedAt: init.issuedAt ?? nowSeconds(),
      lifetimeSeconds: init.lifetimeSeconds ?? 180,
      ...(init.jti === undefined ? {} : { jti: init.jti }),
    });
  const verify = (token: string, url: URL = pageUrl, method = 'GET'): Promise<IframeCheck> =>
    verifier.verify(token, { method, path: url.pathname, query: url.searchParams });
  /** A token of the Jira app with these claims, signed with the panel secret (HS256). */
  const signClaims = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: issuer, sub: 'admin', iat: nowSeconds(), exp: nowSeconds() + 180, qsh: connectQsh('GET', pageUrl), ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
  return {
    secret,
    instance,
    table,
    sign,
    signClaims,
    verify,
    nowSeconds,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function reasonOf(check: IframeCheck): string {
  return check.ok ? 'accepted' : check.reason;
}

describe('IframeJwtVerifier', () => {
  it('accepts a token of the Jira app for this page and names the instance and the Jira user', async () => {
    const { sign, verify } = setUp();
    const check = await verify(await sign());
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.identity).toMatchObject({ tenantId, instanceId, jiraUser: 'admin' });
    expect(check.identity.instance.instanceId).toBe(instanceId);
  });

  it('accepts a lifetime of 600 seconds and refuses 601', async () => {
    const { sign, verify } = setUp();
    expect(reasonOf(await verify(await sign({ lifetimeSeconds: 600 })))).toBe('accepted');
    expect(reasonOf(await verify(await sign({ lifetimeSeconds: 601 })))).toBe('lifetime');
  });

  it('refuses a token issued in the future beyond the 60 s skew, and accepts one within it', async () => {
    const { sign, verify, nowSeconds } = setUp();
    expect(reasonOf(await verify(await sign({ issuedAt: nowSeconds() + 61 })))).toBe('issued_in_future');
    expect(reasonOf(await verify(await sign({ issuedAt: nowSeconds() + 60 })))).toBe('accepted');
  });

  it('refuses an expired token, and accepts it within the skew after exp', async () => {
    const { sign, verify, advance } = setUp();
    const late = await sign({ lifetimeSeconds: 180, jti: 'late' });
    const later = await sign({ lifetimeSeconds: 180, jti: 'later' });
    advance((180 + 59) * 1000);
    expect(reasonOf(await verify(late))).toBe('accepted');
    advance(2000);
    expect(reasonOf(await verify(later))).toBe('expired');
  });

  it('refuses a token whose qsh is for another query, another path or another method', async () => {
    const { sign, verify } = setUp();
    const token = await sign();
    const otherQuery = new URL(pageUrl);
    otherQuery.searchParams.set('lic', 'none');
    expect(reasonOf(await verify(token, otherQuery))).toBe('qsh');
    expect(reasonOf(await verify(token, new URL('https://app.example/api/manage/other?lic=active&xdm_e=https%3A%2F%2Fjira.example')))).toBe(
      'qsh',
    );
    expect(reasonOf(await verify(token, pageUrl, 'POST'))).toBe('qsh');
    // None of the refusals spent the token: it still opens its own page.
    expect(reasonOf(await verify(token))).toBe('accepted');
  });

  it('refuses a token signed with another secret, or with its signature altered', async () => {
    const { sign, verify } = setUp();
    expect(reasonOf(await verify(await sign({ sharedSecret: newPanelSecret() })))).toBe('signature');
    const [header, payload, signature = ''] = (await sign()).split('.');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(reasonOf(await verify(`${header}.${payload}.${flipped}`))).toBe('signature');
  });

  it('refuses the shared secret used with another algorithm than HS256', async () => {
    const { secret, verify, nowSeconds } = setUp();
    const token = await new SignJWT({ qsh: connectQsh('GET', pageUrl) })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer(issuer)
      .setSubject('admin')
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + 180)
      .sign(new TextEncoder().encode(secret));
    expect(reasonOf(await verify(token))).toBe('claims');
  });

  it('refuses a token without qsh, and an issuer that names no instance of ours', async () => {
    const { secret, verify, nowSeconds, sign } = setUp();
    const noQsh = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer)
      .setSubject('admin')
      .setIssuedAt(nowSeconds())
      .setExpirationTime(nowSeconds() + 180)
      .sign(new TextEncoder().encode(secret));
    expect(reasonOf(await verify(noQsh))).toBe('claims');
    expect(reasonOf(await verify('not.a.jwt'))).toBe('malformed');
    const foreign = (await sign()).split('.');
    const payload = JSON.parse(Buffer.from(foreign[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const renamed = Buffer.from(JSON.stringify({ ...payload, iss: `${tenantId}/other` })).toString('base64url');
    expect(reasonOf(await verify(`${foreign[0]}.${renamed}.${foreign[2]}`))).toBe('unknown_instance');
  });

  it('opens the page once per token: a second use is refused as replayed', async () => {
    const { sign, verify } = setUp();
    const token = await sign();
    expect(reasonOf(await verify(token))).toBe('accepted');
    expect(reasonOf(await verify(token))).toBe('replayed');
  });

  it('refuses an issuer that is no <tenantId>/<instanceId> of ours, or none', async () => {
    const { signClaims, verify } = setUp();
    expect(reasonOf(await verify(await signClaims({ iss: 'jira:7a3b4c77-cfc3-4071-aae5-a887d197dc9d' })))).toBe('unknown_issuer');
    expect(reasonOf(await verify(await signClaims({ iss: undefined })))).toBe('unknown_issuer');
  });

  it('refuses every token of an instance that has no panel secret (yet)', async () => {
    const { sign, verify, instance } = setUp();
    const token = await sign();
    delete instance.encryptedAdminSecret;
    expect(reasonOf(await verify(token))).toBe('no_panel_secret');
  });

  it.each([
    ['a qsh with a character before the hash', (qsh: string) => `x${qsh}`],
    ['a qsh with a character after the hash', (qsh: string) => `${qsh}0`],
    ['a qsh in upper case', (qsh: string) => qsh.toUpperCase()],
  ])('refuses %s as malformed claims', async (_what, spoil) => {
    const { signClaims, verify } = setUp();
    expect(reasonOf(await verify(await signClaims({ qsh: spoil(connectQsh('GET', pageUrl)) })))).toBe('claims');
  });

  it('refuses a token without sub, iat or exp, and one whose sub is empty', async () => {
    const { signClaims, verify } = setUp();
    for (const claim of ['sub', 'iat', 'exp']) expect(reasonOf(await verify(await signClaims({ [claim]: undefined })))).toBe('claims');
    expect(reasonOf(await verify(await signClaims({ sub: '' })))).toBe('claims');
  });

  it('opens the page for each new token of the Jira app, with or without jti', async () => {
    const { sign, verify, advance } = setUp();
    const first = await sign();
    advance(1000);
    const second = await sign();
    expect(reasonOf(await verify(first))).toBe('accepted');
    expect(reasonOf(await verify(second))).toBe('accepted');
    const [one, two] = [await sign({ jti: 'one' }), await sign({ jti: 'two' })];
    expect(reasonOf(await verify(one))).toBe('accepted');
    expect(reasonOf(await verify(two))).toBe('accepted');
  });

  it('refuses a token re-signed with a jti already used, whatever else changed', async () => {
    const { sign, verify, advance } = setUp();
    expect(reasonOf(await verify(await sign({ jti: 'once' })))).toBe('accepted');
    advance(1000);
    expect(reasonOf(await verify(await sign({ jti: 'once' })))).toBe('replayed');
  });

  it('refuses a used token spelt with another signature ending that decodes alike', async () => {
    const { sign, verify } = setUp();
    const token = await sign();
    // 32 bytes in 43 base64url characters: the last one's 2 low bits are unused.
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelt = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1] ?? ''}`;
    expect(respelt).not.toBe(token);
    expect(reasonOf(await verify(token))).toBe('accepted');
    expect(reasonOf(await verify(respelt))).toBe('replayed');
  });

  it('keeps a used token refused until it can no longer be accepted: exp plus the skew', async () => {
    const { sign, verify, advance } = setUp();
    const token = await sign({ lifetimeSeconds: 180 });
    expect(reasonOf(await verify(token))).toBe('accepted');
    advance((180 + 30) * 1000);
    // Another page opens, which cleans up the expired rows of the tenant.
    expect(reasonOf(await verify(await sign()))).toBe('accepted');
    expect(reasonOf(await verify(token))).toBe('replayed');
  });

  it('stores a hash naming the token, never the token', async () => {
    const { sign, verify, table } = setUp();
    const token = await sign();
    expect(reasonOf(await verify(token))).toBe('accepted');
    const [row] = [...table.rows.values()];
    expect(row?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(row?.tokenHash);
  });
});
