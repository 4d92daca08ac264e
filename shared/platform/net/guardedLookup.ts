import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPublicAddress } from './isPublicAddress';

export class ForbiddenTargetError extends Error {
  readonly code = 'ERR_FORBIDDEN_TARGET';
  constructor(hostname: string) {
    super(`${hostname} resolves to an address that is not allowed`);
    this.name = 'ForbiddenTargetError';
  }
}

/** The resolver behind the guard: `dns.lookup` with `all: true`, or a stand-in in tests. */
export type ResolveAll = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for sockets that refuses private and reserved addresses at connection time,
 * so a name that resolved to a public address when an instance was registered cannot be
 * re-pointed at 169.254.169.254, 168.63.129.16 or localhost later (DNS rebinding). Every
 * address of the answer must be public: a mixed answer is refused whole, because the socket may try any.
 */
export function createGuardedLookup(resolveAll: ResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const list = addresses.filter((entry) => isPublicAddress(entry.address));
      if (list.length === 0 || list.length !== addresses.length) {
        callback(new ForbiddenTargetError(hostname), '', 0);
        return;
      }
      if (options.all) {
        (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
        return;
      }
      const first = list[0];
      callback(null, first?.address ?? '', first?.family ?? 4);
    });
  };
}

export const guardedLookup: LookupFunction = createGuardedLookup((hostname, options, callback) => dns.lookup(hostname, options, callback));
