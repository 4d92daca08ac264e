import { generateKeyPairSync, verify } from 'node:crypto';
import { baseStringUri, parseAuthorizationHeader, parseFormEncoded, signatureBaseString } from '../../../../dev/sandbox/jira/rfc5849';
import { authorizeServiceCall, IMPERSONATION_PARAMETER } from '../../../../shared/jira/authorizeServiceCall';
import { OAuthSigner } from '../../../../shared/jira/OAuthSigner';
import type { LoadedInstance } from '../../../../shared/jira/InstanceService';
import type { InstanceEntity } from '../../../../shared/platform/storage/instances/instanceEntity';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = new OAuthSigner({ consumerKey: 'ck', privateKey: keys.privateKey, clock: { now: () => Date.now() } });
const entity: InstanceEntity = {
  tenantId: 't',
  instanceId: 'demo',
  baseUrl: 'https://jira.example.com',
  displayName: 'Demo',
  consumerKey: 'ck',
  publicKeyPem: '',
  encryptedPrivateKey: '',
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};
const instance = (overrides: Partial<InstanceEntity>, token?: string): LoadedInstance => ({
  entity: { ...entity, ...overrides },
  signer,
  serviceToken: () => token,
});

describe('authorizeServiceCall', () => {
  it('uses the personal access token as a bearer when there is one', async () => {
    const url = new URL('https://jira.example.com/rest/api/2/issue/DEMO-1/notify');
    expect(await authorizeServiceCall(instance({ serviceUser: 'svc' }, 'pat-1'), { method: 'POST', url })).toEqual({
      url,
      authorization: 'Bearer pat-1',
    });
  });

  it('signs 2-legged OAuth with xoauth_requestor_id in the signed query, as the service user or asUser', async () => {
    const url = new URL('https://jira.example.com/rest/api/2/issue/DEMO-1/watchers?expand=x y');
    const call = await authorizeServiceCall(instance({ serviceUser: 'jira service' }), { method: 'GET', url });
    expect(IMPERSONATION_PARAMETER).toBe('xoauth_requestor_id');
    expect(call.url.searchParams.get('xoauth_requestor_id')).toBe('jira service');
    expect(call.url.searchParams.get('expand')).toBe('x y');
    const header = parseAuthorizationHeader(call.authorization)!;
    expect(header.find(([name]) => name === 'oauth_token')).toBeUndefined();
    const signed = [...parseFormEncoded(call.url.search.slice(1))!, ...header.filter(([name]) => name !== 'oauth_signature')];
    const base = signatureBaseString('GET', baseStringUri('https', call.url.host, call.url.pathname), signed);
    expect(
      verify('sha1', Buffer.from(base), keys.publicKey, Buffer.from(header.find(([n]) => n === 'oauth_signature')![1], 'base64')),
    ).toBe(true);

    const asAdmin = await authorizeServiceCall(instance({ serviceUser: 'svc' }, 'pat-1'), { method: 'GET', url, asUser: 'admin' });
    expect(asAdmin.url.searchParams.get('xoauth_requestor_id')).toBe('admin');
    expect(asAdmin.authorization).toMatch(/^OAuth /);
  });

  it('refuses when the instance has neither credential', async () => {
    await expect(
      authorizeServiceCall(instance({}), { method: 'GET', url: new URL('https://jira.example.com/rest/api/2/myself') }),
    ).rejects.toThrow(expect.objectContaining({ code: 'jira_service_credential_missing' }) as Error);
  });
});
