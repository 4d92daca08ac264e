import { isPublicAddress } from '../../../../../shared/platform/net/isPublicAddress';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '168.63.129.16',
    '::ffff:168.63.129.16',
    '::ffff:a83f:8110',
    '0:0:0:0:0:ffff:a83f:8110',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:7f00:0001',
    '::ffff:a00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:10.0.0.1',
    '2001:db8::1',
    '::127.0.0.1',
    // IPv4-compatible (::/96, deprecated by RFC 4291 §2.5.5.1): not IPv4-mapped, whatever
    // public IPv4 address its low bits spell.
    '::8.8.8.8',
    // Mapped addresses spelled with a group before '::', and with a first octet of three digits.
    '0::ffff:127.0.0.1',
    '0:0::ffff:7f00:1',
    '::ffff:100.64.0.1',
    '::808:808',
    // A zone index marks a non-global address (RFC 4007 §6), and must not hide a mapped loopback.
    '::ffff:127.0.0.1%1',
    '::ffff:7f00:1%eth0',
    'fe80::1%eth0',
    '2606:4700:4700::1111%1',
    'localhost',
    'example.com',
    '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '20.190.160.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    // A public prefix with ffff:<loopback> in its low bits is not IPv4-mapped.
    '2606:4700::ffff:7f00:1',
    '168.63.129.15',
    '168.63.129.17',
  ])('allows %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});
