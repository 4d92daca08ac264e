import { rewriteLocation } from '../../../../shared/proxy/rewriteLocation';

const base = {
  requestUrl: new URL('https://jira.example.com/jira/rest/api/2/issue/OLD-1'),
  baseUrl: 'https://jira.example.com/jira',
  proxyBase: 'https://app.example/api/jira/demo/proxy/',
};

describe('rewriteLocation', () => {
  it.each([
    ['https://jira.example.com/jira/rest/api/2/issue/DEMO-1', 'https://app.example/api/jira/demo/proxy/rest/api/2/issue/DEMO-1'],
    ['/jira/rest/api/2/issue/DEMO-1?expand=names', 'https://app.example/api/jira/demo/proxy/rest/api/2/issue/DEMO-1?expand=names'],
    ['DEMO-2', 'https://app.example/api/jira/demo/proxy/rest/api/2/issue/DEMO-2'],
    ['https://JIRA.example.com:443/jira/secure/attachment/1/a.png', 'https://app.example/api/jira/demo/proxy/secure/attachment/1/a.png'],
  ])('rewrites %s', (location, expected) => {
    expect(rewriteLocation({ ...base, location })).toBe(expected);
  });

  it.each([
    'https://evil.example/jira/rest/api/2/issue/DEMO-1',
    'http://jira.example.com/jira/rest/api/2/myself',
    'https://jira.example.com:8443/jira/rest/api/2/myself',
    'https://jira.example.com/rest/api/2/myself',
    'https://jira.example.com/jiraX/rest/api/2/myself',
    '/jira/login.jsp?os_destination=x',
    '/jira/secure/admin/x',
    'https://user:pw@jira.example.com/jira/rest/api/2/myself',
    'https://user@jira.example.com/jira/rest/api/2/myself',
    'https://:pw@jira.example.com/jira/rest/api/2/myself',
    // Outside the base path, though as long as it: cutting the base off would leave rest/….
    'https://jira.example.com/wiki/rest/api/2/myself',
    '//evil.example/x',
    'javascript:alert(1)',
    'http://[',
  ])('refuses %s', (location) => {
    expect(rewriteLocation({ ...base, location })).toBeUndefined();
  });
});
