import { checkProxyForm, checkProxyQuery } from '../../../../shared/proxy/checkProxyQuery';
import { parseFormPairs } from '../../../../shared/jira/parseFormPairs';

describe('checkProxyQuery', () => {
  it.each([
    '',
    '?',
    '?jql=project%3DDEMO&fields=a&fields=b',
    '?a=b=c',
    '?x=%C3%B6+y',
    '?userid=1',
    '?username=admin',
    // Only the whole name is reserved: these are ordinary parameters Jira may define.
    '?myoauth_token=1',
    '?no_user_id=1',
    '?user_ids=1',
    // 8192 characters in all, the longest query passed on.
    `?a=${'x'.repeat(8189)}`,
  ])('accepts %j', (search) => {
    expect(() => checkProxyQuery(search)).not.toThrow();
  });
  it.each([
    '?oauth_token=x',
    '?a=1&oauth_signature=x',
    '?OAUTH_nonce=1',
    '?xoauth_requestor_id=admin',
    '?user_id=admin',
    '?User_Id=admin',
    '?%75ser_id=admin',
    '?%6Fauth_token=x',
    '?__proto__=x',
    '?a=%',
    '?a=%FF',
    `?a=${'x'.repeat(9000)}`,
  ])('refuses %j', (search) => {
    expect(() => checkProxyQuery(search)).toThrow(expect.objectContaining({ code: 'invalid_query' }) as Error);
  });

  // The problem detail tells the caller which rule the query broke.
  it.each([
    [`?a=${'x'.repeat(8190)}`, 'the query string is too long'],
    ['?a=%', 'the query string has an invalid percent-encoding'],
    ['?a=1&xoauth_requestor_id=admin', 'the query string carries a reserved OAuth or impersonation parameter'],
    // Without its `?`, the query is read from its first character.
    ['oauth_token=x', 'the query string carries a reserved OAuth or impersonation parameter'],
  ])('says why %j is refused', (search, detail) => {
    expect(() => checkProxyQuery(search)).toThrow(expect.objectContaining({ code: 'invalid_query', detail }) as Error);
  });
});

describe('checkProxyForm', () => {
  const pairs = (form: string) => parseFormPairs(form) ?? [];

  it.each(['', 'body=hello', 'comment=user_id%3Dadmin', 'userid=1&username=x'])('accepts %j', (form) => {
    expect(() => checkProxyForm(pairs(form))).not.toThrow();
  });
  it.each([
    'xoauth_requestor_id=admin',
    'a=1&user_id=admin',
    'USER_ID=admin',
    '%78oauth_requestor_id=admin',
    'oauth_token=x',
    '__proto__=x',
  ])('refuses %j with the query’s code', (form) => {
    expect(() => checkProxyForm(pairs(form))).toThrow(
      expect.objectContaining({
        code: 'invalid_query',
        detail: 'the form body carries a reserved OAuth or impersonation parameter',
      }) as Error,
    );
  });
});
