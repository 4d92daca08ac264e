import { checkProxyQuery } from '../../../../shared/proxy/checkProxyQuery';

describe('checkProxyQuery', () => {
  it.each(['', '?', '?jql=project%3DDEMO&fields=a&fields=b', '?a=b=c', '?x=%C3%B6+y', '?user_id=1'])('accepts %j', (search) => {
    expect(() => checkProxyQuery(search)).not.toThrow();
  });
  it.each([
    '?oauth_token=x',
    '?a=1&oauth_signature=x',
    '?OAUTH_nonce=1',
    '?xoauth_requestor_id=admin',
    '?%6Fauth_token=x',
    '?__proto__=x',
    '?a=%',
    '?a=%FF',
    `?a=${'x'.repeat(9000)}`,
  ])('refuses %j', (search) => {
    expect(() => checkProxyQuery(search)).toThrow(expect.objectContaining({ code: 'invalid_query' }) as Error);
  });
});
