import dns from 'node:dns/promises';
import { validateBaseUrl } from '../../../../shared/jira/validateBaseUrl';

const strict = {
  allowInsecure: false,
  allowPrivateTargets: false,
  resolve: async (host: string) =>
    host === 'jira.example.com'
      ? ['93.184.215.14']
      : host === 'rebind.example.com'
        ? ['93.184.215.14', '127.0.0.1']
        : host === 'inside.example.com'
          ? ['10.1.2.3']
          : host === 'wireserver.example.com'
            ? ['168.63.129.16']
            : [],
};

describe('validateBaseUrl', () => {
  it.each([
    ['https://jira.example.com', 'https://jira.example.com'],
    ['https://JIRA.example.com:443/jira/', 'https://jira.example.com/jira'],
    ['https://jira.example.com:8443/a/b//', 'https://jira.example.com:8443/a/b'],
    ['https://8.8.8.8/jira', 'https://8.8.8.8/jira'],
    ['https://[2606:4700::1111]', 'https://[2606:4700::1111]'],
  ])('accepts %s as %s', async (raw, expected) => {
    await expect(validateBaseUrl(raw, strict)).resolves.toBe(expected);
  });

  it.each([
    ['https://169.254.169.254', 'target_not_allowed'],
    ['https://168.63.129.16', 'target_not_allowed'],
    ['https://wireserver.example.com', 'target_not_allowed'],
    ['https://127.0.0.1', 'target_not_allowed'],
    ['https://127.1', 'target_not_allowed'],
    ['https://0177.0.0.1', 'target_not_allowed'],
    ['https://0x7f000001', 'target_not_allowed'],
    ['https://[::1]', 'target_not_allowed'],
    ['https://[::ffff:127.0.0.1]', 'target_not_allowed'],
    ['https://[::ffff:a9fe:a9fe]', 'target_not_allowed'],
    ['https://[fe80::1]', 'target_not_allowed'],
    ['https://[fd00::1]', 'target_not_allowed'],
    ['https://10.0.0.1', 'target_not_allowed'],
    ['https://172.16.0.1', 'target_not_allowed'],
    ['https://100.64.0.1', 'target_not_allowed'],
    ['https://0.0.0.0', 'target_not_allowed'],
    ['https://inside.example.com', 'target_not_allowed'],
    ['https://rebind.example.com', 'target_not_allowed'],
    ['https://nowhere.example.com', 'target_not_allowed'],
    ['http://jira.example.com', 'instance_invalid'],
    ['https://user:pw@jira.example.com', 'instance_invalid'],
    ['https://user@jira.example.com', 'instance_invalid'],
    ['https://jira.example.com/?a=1', 'instance_invalid'],
    ['https://jira.example.com/#x', 'instance_invalid'],
    ['https://jira.example.com\\@evil.example', 'instance_invalid'],
    ['https://jira.example.com/\n', 'instance_invalid'],
    ['javascript:alert(1)', 'instance_invalid'],
    ['jira.example.com', 'instance_invalid'],
    ['', 'instance_invalid'],
  ])('refuses %j with %s', async (raw, code) => {
    await expect(validateBaseUrl(raw, strict)).rejects.toMatchObject({ code });
  });

  // The detail is what the admin reads next to the refused URL: each rule names itself.
  it.each([
    ['', 'baseUrl is not a URL we accept'],
    ['https://jira.example.com/\u0000', 'baseUrl is not a URL we accept'],
    ['https://jira.example.com\\@evil.example', 'baseUrl is not a URL we accept'],
    ['jira.example.com', 'baseUrl is not a URL'],
    ['http://jira.example.com', 'baseUrl must use https'],
    ['https://user@jira.example.com', 'baseUrl must not carry credentials'],
    ['https://jira.example.com/a@b', 'baseUrl must not carry credentials'],
    ['https://jira.example.com/?', 'baseUrl must not have a query or fragment'],
    ['https://jira.example.com/#', 'baseUrl must not have a query or fragment'],
    ['https://jira.example.com/#x', 'baseUrl must not have a query or fragment'],
    ['https://127.0.0.1', 'baseUrl is or resolves to a private, loopback or reserved address'],
    ['https://[::1]', 'baseUrl is or resolves to a private, loopback or reserved address'],
  ])('refuses %j saying %j', async (raw, detail) => {
    await expect(validateBaseUrl(raw, strict)).rejects.toMatchObject({ detail });
  });

  it('accepts a URL of 2048 characters and refuses one of 2049', async () => {
    const origin = 'https://jira.example.com/';
    const longest = origin + 'a'.repeat(2048 - origin.length);
    await expect(validateBaseUrl(longest, strict)).resolves.toBe(longest);
    await expect(validateBaseUrl(`${longest}b`, strict)).rejects.toMatchObject({
      code: 'instance_invalid',
      detail: 'baseUrl is not a URL we accept',
    });
  });

  it('refuses a scheme other than http even where http is allowed', async () => {
    for (const raw of ['ftp://jira.example.com', 'ws://jira.example.com', 'file://jira.example.com/x']) {
      await expect(validateBaseUrl(raw, { ...strict, allowInsecure: true })).rejects.toMatchObject({
        code: 'instance_invalid',
        detail: 'baseUrl must use https',
      });
    }
  });

  it('lets a resolver failure count as not resolving', async () => {
    const failing = { ...strict, resolve: () => Promise.reject(new Error('ENOTFOUND')) };
    await expect(validateBaseUrl('https://jira.example.com', failing)).rejects.toMatchObject({
      code: 'instance_invalid',
      detail: 'the host of baseUrl does not resolve',
    });
  });

  it('uses the system resolver: localhost is loopback', async () => {
    await expect(validateBaseUrl('https://localhost:8443', { allowInsecure: false, allowPrivateTargets: false })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
  });

  it('accepts a name the system resolver answers with public addresses only', async () => {
    // The name cannot reach a real DNS server here: the stand-in answers as `dns.promises.lookup`
    // does (an array of { address, family } only when asked for `all`), for this one name.
    const realLookup = dns.lookup.bind(dns);
    const lookup = jest.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: { all?: boolean }) =>
      hostname === 'jira.example.com'
        ? Promise.resolve(
            options.all
              ? [
                  { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
                  { address: '93.184.215.14', family: 4 },
                ]
              : { address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c', family: 6 },
          )
        : realLookup(hostname, options)) as typeof dns.lookup);
    try {
      const system = { allowInsecure: false, allowPrivateTargets: false };
      await expect(validateBaseUrl('https://jira.example.com/jira/', system)).resolves.toBe('https://jira.example.com/jira');
      expect(lookup).toHaveBeenCalledWith('jira.example.com', expect.objectContaining({ all: true }));
    } finally {
      lookup.mockRestore();
    }
  });

  it('allows http and private targets only where the sandbox settings say so', async () => {
    await expect(validateBaseUrl('http://127.0.0.1:8080/jira', { allowInsecure: true, allowPrivateTargets: true })).resolves.toBe(
      'http://127.0.0.1:8080/jira',
    );
    await expect(validateBaseUrl('http://127.0.0.1:8080', { allowInsecure: true, allowPrivateTargets: false })).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
    await expect(validateBaseUrl('http://jira.example.com', { ...strict, allowInsecure: true })).resolves.toBe('http://jira.example.com');
  });
});
