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

const KEPT = /^[A-Za-z0-9_-]$/;
const ENCODED_PART = /^(?:[A-Za-z0-9_-]|~[0-9A-F]{2})*$/;
const LONE_SURROGATE = /\p{Cs}/u;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Reversible, table-safe encoding of one id; throws on text that is not well-formed Unicode. */
export function encodeKeyPart(text: string): string {
  // UTF-8 would turn a lone surrogate into U+FFFD, so two different ids could share a key.
  if (LONE_SURROGATE.test(text)) {
    throw new AppError({ code: 'storage_key_invalid', detail: 'the identifier is not well-formed Unicode' });
  }
  let encoded = '';
  for (const char of text) {
    if (KEPT.test(char)) {
      encoded += char;
    } else {
      for (const byte of Buffer.from(char, 'utf8')) encoded += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return encoded;
}

/** The inverse of `encodeKeyPart`; throws on anything `encodeKeyPart` cannot have produced. */
export function decodeKeyPart(encoded: string): string {
  if (!ENCODED_PART.test(encoded)) throw invalidEncoding();
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
  let text: string;
  try {
    text = strictUtf8.decode(Uint8Array.from(bytes));
  } catch {
    throw invalidEncoding();
  }
  // `~41` would decode to `A` too; only the canonical form is a key we wrote.
  if (encodeKeyPart(text) !== encoded) throw invalidEncoding();
  return text;
}

/** SHA-256 of the UTF-8 text in base64url: 43 table-safe characters, for ids too long or too private to keep. */
export function hashKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url');
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
