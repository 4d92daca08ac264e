/** Data keys by id; the first one encrypts, all of them decrypt (key rotation). */
export interface EncryptionKeyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Parses `kid:base64,kid2:base64`; returns a message when malformed. */
export function parseEncryptionKeyring(text: string): EncryptionKeyring | string {
  const keys = new Map<string, Buffer>();
  let activeKeyId: string | undefined;
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const separator = part.indexOf(':');
    const keyId = separator > 0 ? part.slice(0, separator) : '';
    const material = separator > 0 ? part.slice(separator + 1) : '';
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(keyId)) {
      return 'DATA_ENCRYPTION_KEY: each entry must be kid:base64 with a kid of 1-32 letters, digits, _ or -';
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32 || key.toString('base64').replace(/=+$/, '') !== material.replace(/=+$/, '')) {
      return `DATA_ENCRYPTION_KEY: key "${keyId}" must be 32 bytes in base64 (openssl rand -base64 32)`;
    }
    if (keys.has(keyId)) return `DATA_ENCRYPTION_KEY: key id "${keyId}" appears twice`;
    keys.set(keyId, key);
    activeKeyId ??= keyId;
  }
  if (activeKeyId === undefined) return 'DATA_ENCRYPTION_KEY: required: kid:base64(32 bytes)';
  return { activeKeyId, keys };
}
