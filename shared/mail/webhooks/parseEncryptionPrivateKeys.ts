import { createPrivateKey, type KeyObject } from 'node:crypto';
import { AppError } from '../../platform/errors/AppError';

/**
 * Parses `GRAPH_ENCRYPTION_PRIVATE_KEYS`: comma-separated `certificateId:base64`, where the
 * base64 is a PKCS#8 private key, either DER or the text of a PEM file. Keeping the old
 * certificate's key next to the new one lets notifications encrypted before a rotation
 * still be read.
 */
export function parseEncryptionPrivateKeys(text: string): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator).trim() : '';
    const encoded = separator > 0 ? entry.slice(separator + 1).trim() : '';
    if (!id || !encoded) throw invalid('expected certificateId:base64 entries');
    if (keys.has(id)) throw invalid(`certificate id ${id} is listed twice`);
    const bytes = Buffer.from(encoded, 'base64');
    try {
      const pem = bytes.subarray(0, 10).toString('latin1') === '-----BEGIN';
      const key = pem ? createPrivateKey(bytes.toString('utf8')) : createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
      if (key.asymmetricKeyType !== 'rsa') throw invalid(`the key for certificate id ${id} is not an RSA key`);
      keys.set(id, key);
    } catch (cause) {
      if (cause instanceof AppError) throw cause;
      throw invalid(`the key for certificate id ${id} is not a PKCS#8 private key`);
    }
  }
  return keys;
}

function invalid(detail: string): AppError {
  return new AppError({ code: 'config_invalid', detail: `GRAPH_ENCRYPTION_PRIVATE_KEYS: ${detail}` });
}
