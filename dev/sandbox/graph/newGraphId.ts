import { randomBytes } from 'node:crypto';

/**
 * An Exchange-style item id: long base64 with `/`, `+` and `=` in it, like Graph's, so
 * whatever stores it must encode or hash it before it becomes a table key.
 */
export function newGraphId(prefix = 'AAMkAG'): string {
  const body = randomBytes(48).toString('base64');
  return `${prefix}${body.slice(0, 20)}/${body.slice(20, 40)}+${body.slice(40)}=`;
}
