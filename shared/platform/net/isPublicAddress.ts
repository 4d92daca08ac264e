import { BlockList, isIP } from 'node:net';

// Loopback, private, link-local (cloud metadata 169.254.169.254), CGNAT, multicast,
// documentation and other special-purpose ranges (IANA registries for IPv4 and IPv6), and
// Azure's platform address 168.63.129.16: public by its number, but inside Azure it is the
// wire server (DNS, DHCP, health probes, the VM agent's host channel) that every VM and App
// Service worker can reach, so it is as much a metadata endpoint as 169.254.169.254.
// Two lists: node's BlockList matches IPv4 addresses against IPv4-mapped IPv6 subnets.
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['168.63.129.16', 32],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blockedV4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blockedV6.addSubnet(network, prefix, 'ipv6');
}

/** True only for a literal IP address that is routable on the public internet. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // A zone index (`fe80::1%eth0`, which isIP accepts) belongs to non-global addresses only
    // (RFC 4007 §6); it also hid `::ffff:127.0.0.1%1` from the IPv4-mapped rule below.
    if (address.includes('%')) return false;
    // IPv4-mapped IPv6 (::ffff:127.0.0.1, or ::ffff:7f00:1 as URL parsers write it) would
    // otherwise slip past the IPv4 rules.
    const mapped = mappedIPv4(address);
    if (mapped !== undefined) return isPublicAddress(mapped);
    return !blockedV6.check(address, 'ipv6');
  }
  return !blockedV4.check(address, 'ipv4');
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:0:0/96`), in any spelling. */
function mappedIPv4(address: string): string | undefined {
  const hextets = expandIPv6(address);
  if (hextets.slice(0, 5).some((h) => h !== 0) || hextets[5] !== 0xffff) return undefined;
  const high = hextets[6] ?? 0;
  const low = hextets[7] ?? 0;
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * The eight hextets of an address that `isIP` has accepted as IPv6, without a zone index:
 * its syntax is not checked again (eight groups in all, at most one `::`, each group hex of
 * at most four digits, a dotted quad only at the end), so the expansion cannot fail.
 */
function expandIPv6(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const octets = dotted[1].split('.').map(Number);
    text = `${text.slice(0, -dotted[1].length)}${(((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16)}:${(((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((h) => parseInt(h, 16));
}
