import { createHash } from 'node:crypto';
import { AppError } from '../errors/AppError';

/**
 * Table keys forbid `/ \ # ?` and control characters, and Graph ids carry `/`, `+` and `=`.
 * A key part keeps letters, digits, `-` and `_` as they are (so tenant GUIDs and instance
 * ids stay readable in Storage Explorer) and writes every other UTF-8 byte as `~XX`.
 * The output uses only URL-unreserved characters, so no layer (URL path, OData literal)
 * has to escape it again, and `.` never occurs inside a part, which makes it the separator.
 */
export const KEY_SEPARATOR = '.';

/** Azure Table Storage allows up to 1 KiB per PartitionKey and RowKey. */
export const MAX_KEY_LENGTH = 1024;

/** One code point (`u`) that is not kept as it is. */
const NOT_KEPT = /[^A-Za-z0-9_-]/gu;
const LONE_SURROGATE = /\p{Cs}/u;

/** Reversible, table-safe encoding of one id; throws on text that is not well-formed Unicode. */
export function encodeKeyPart(text: string): string {
  // UTF-8 would turn a lone surrogate into U+FFFD, so two different ids could share a key.
  if (LONE_SURROGATE.test(text)) {
    throw new AppError({ code: 'storage_key_invalid', detail: 'the identifier is not well-formed Unicode' });
  }
  return text.replace(NOT_KEPT, (char) => {
    let escaped = '';
    for (const byte of Buffer.from(char)) escaped += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return escaped;
  });
}

/** The inverse of `encodeKeyPart`; throws on anything `encodeKeyPart` cannot have produced. */
export function decodeKeyPart(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length;) {
    if (encoded[i] === '~') {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(encoded.charCodeAt(i));
      i += 1;
    }
  }
  const text = Buffer.from(bytes).toString();
  // Only the canonical form is a key we wrote, and this one check refuses everything else:
  // `~41` (decodes to `A`), `~zz` or a lone `~` (to NUL), a character never kept as it is, and
  // bytes that are not UTF-8 (to U+FFFD, which encodes as other bytes) all encode otherwise.
  if (encodeKeyPart(text) !== encoded) throw invalidEncoding();
  return text;
}

/** SHA-256 of the UTF-8 text in base64url: 43 table-safe characters, for ids too long or too private to keep. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Joins encoded parts; different (non-empty) part lists always give different keys. */
export function compositeKey(first: string, ...rest: readonly string[]): string {
  return [first, ...rest].map(encodeKeyPart).join(KEY_SEPARATOR);
}

/** The parts of a `compositeKey`, decoded. */
export function splitCompositeKey(key: string): string[] {
  return key.split(KEY_SEPARATOR).map(decodeKeyPart);
}

/** Throws when a key exceeds what Table Storage accepts, before a request is made. */
export function assertKeyLength(key: string): string {
  if (key.length > MAX_KEY_LENGTH) {
    throw new AppError({
      code: 'storage_key_invalid',
      detail: `the identifier is too long to store (key of ${key.length} characters, at most ${MAX_KEY_LENGTH})`,
    });
  }
  return key;
}

function invalidEncoding(): AppError {
  return new AppError({ code: 'storage_key_invalid', detail: 'not an encoded key part' });
}
