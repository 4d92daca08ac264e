import fc from 'fast-check';
import { AppError } from '../../../../shared/platform/errors/AppError';
import { assertDecodedPathSafe, parseProxyPath } from '../../../../shared/proxy/parseProxyPath';

describe('parseProxyPath', () => {
  it.each([
    ['rest/api/2/myself', 'rest/api/2/myself'],
    ['rest/api/2/issue/DEMO-1', 'rest/api/2/issue/{}'],
    ['rest/api/latest/issue/DEMO-1/comment/10000', 'rest/api/latest/issue/{}/comment/{}'],
    ['rest/agile/1.0/board/12/sprint', 'rest/agile/1.0/board/{}/sprint'],
    ['secure/attachment/10000/my%20file.pdf', 'secure/attachment/{}/{}'],
    ['rest/api/2/user/properties/alice', 'rest/api/2/user/properties/{}'],
    ['rest/api/2/issue/file%2Etxt', 'rest/api/2/issue/{}'],
    ['rest/api/2/issue/a:b', 'rest/api/2/issue/{}'],
  ])('accepts %s, logged as %s', (raw, template) => {
    expect(parseProxyPath(raw)).toEqual({ path: raw, template });
  });

  it.each([
    '',
    'rest',
    'secure/attachment',
    'secure/admin/x',
    'plugins/servlet/oauth/access-token',
    'login.jsp',
    'rest/../secure/admin',
    'rest/api/./myself',
    'rest/api/%2e%2e/x',
    'rest/api/%2E/x',
    'rest/api/.%2e/x',
    'rest/api/%2f/x',
    'rest/api/a%2Fb',
    'rest/api/a%5Cb',
    'rest/api/a%5cb',
    'rest\\api',
    'rest/api/..;/x',
    'rest/api/x;jsessionid=1',
    'rest/api/x%3bjsessionid=1',
    'rest//api',
    '/rest/api',
    '//evil.example/rest',
    'http://evil.example/rest/api',
    'rest/api/%00',
    'rest/api/%0d%0a',
    'rest/api/%7f',
    'rest/api/%C2%85',
    'rest/api/\u0001',
    'rest/api/%zz',
    'rest/api/%E0%A4%A',
    `rest/${'a'.repeat(4100)}`,
  ])('refuses %j', (raw) => {
    expect(() => parseProxyPath(raw)).toThrow(AppError);
    try {
      parseProxyPath(raw);
    } catch (error) {
      expect((error as AppError).code).toBe('invalid_path');
    }
  });

  it('never lets an accepted path resolve outside rest/ or secure/attachment/ under the base', () => {
    const pieces = [
      'rest',
      'secure',
      'attachment',
      'api',
      '2',
      '..',
      '.',
      '%2e',
      '%2E',
      '%2e%2e',
      '.%2e',
      '%2f',
      '%2F',
      '/',
      '\\',
      '%5c',
      ';',
      'a',
      '%25',
      '%252e',
      ':',
      '%3a',
      '%00',
      'ö',
      '%C3%B6',
      '%09',
    ];
    const roots = ['rest/', 'secure/attachment/', 'secure/', 'rest', ''];
    fc.assert(
      fc.property(fc.constantFrom(...roots), fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 10 }), (root, parts) => {
        const raw = root + parts.join('');
        let accepted: string;
        try {
          accepted = parseProxyPath(raw).path;
        } catch {
          return;
        }
        const resolved = new URL(`https://jira.example.com/ctx/${accepted}`);
        expect(resolved.origin).toBe('https://jira.example.com');
        expect(resolved.pathname.startsWith('/ctx/rest/') || resolved.pathname.startsWith('/ctx/secure/attachment/')).toBe(true);
        // Nothing was resolved away: as many segments as were sent, none of them a dot segment.
        expect(resolved.pathname.split('/')).toHaveLength(`/ctx/${accepted}`.split('/').length);
        expect(resolved.pathname.split('/').map((segment) => decodeURIComponent(segment))).not.toContain('..');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('assertDecodedPathSafe', () => {
  it.each(['rest/api/2/myself', 'secure/attachment/1/100%.txt', 'rest/api/2/issue/A-1'])('accepts %s', (path) => {
    expect(() => assertDecodedPathSafe(path)).not.toThrow();
  });

  it.each(['rest/../x', 'rest/%2e%2e/x', 'rest/%252e%252e/x', 'rest/..;/x', 'rest\\x', 'rest/\r\n/x', 'rest/./x'])('refuses %j', (path) => {
    expect(() => assertDecodedPathSafe(path)).toThrow(AppError);
  });
});

// The problem detail is what the caller reads to fix the request: each rule names itself.
describe('parseProxyPath details', () => {
  it('says which rule each refused path broke, and takes 4096 characters but not 4097', () => {
    const cases: [string, string][] = [
      ['', 'the path is empty or too long'],
      [`rest/${'a'.repeat(4092)}`, 'the path is empty or too long'],
      ['rest/api/\u0001', 'the path contains a forbidden character'],
      ['rest\\api', 'the path contains a forbidden character'],
      ['rest/api/x;jsessionid=1', 'the path contains a forbidden character'],
      ['rest/api/%C2%85', 'the path contains a forbidden character'],
      ['rest/api/%2f/x', 'the path contains a forbidden escape'],
      ['rest/api/%00', 'the path contains a forbidden escape'],
      ['http://evil.example/rest/api', 'the path is an absolute URL'],
      ['a1+.-:rest/api', 'the path is an absolute URL'],
      ['/rest/api', 'the path is an absolute URL'],
      ['rest/api/', 'the path has an empty segment'],
      ['rest//api', 'the path has an empty segment'],
      ['rest/api/%zz', 'the path has an invalid percent-encoding'],
      ['rest/api/%2e%2e/x', 'the path climbs out of the instance'],
      ['secure/admin/x', 'only rest/… and secure/attachment/… can be reached'],
    ];
    for (const [raw, detail] of cases) {
      expect(() => parseProxyPath(raw)).toThrow(expect.objectContaining({ code: 'invalid_path', detail }) as Error);
    }
    expect(parseProxyPath(`rest/${'a'.repeat(4091)}`).path).toHaveLength(4096);
  });

  it('says which rule each refused decoded path broke, and lets a name that merely starts with a dot through', () => {
    const cases: [string, string][] = [
      ['rest\\x', 'the path contains a forbidden character'],
      ['rest/\r\n/x', 'the path contains a forbidden character'],
      ['rest/a%5cb', 'the path climbs out of the instance'],
      ['rest/%0d/x', 'the path climbs out of the instance'],
      ['rest/..;/x', 'the path climbs out of the instance'],
    ];
    for (const [path, detail] of cases) {
      expect(() => assertDecodedPathSafe(path)).toThrow(expect.objectContaining({ code: 'invalid_path', detail }) as Error);
    }
    expect(() => assertDecodedPathSafe('secure/attachment/1/.gitignore')).not.toThrow();
    expect(() => assertDecodedPathSafe('secure/attachment/1/a;b')).not.toThrow();
  });
});
