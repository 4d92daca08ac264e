import { constants, createDecipheriv, createHmac, privateDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { EncryptedContent } from './notificationBatchSchema';

export type DecryptionFailure = 'unknown_certificate' | 'bad_data_key' | 'bad_signature' | 'bad_data';

export type DecryptionResult = { ok: true; value: unknown } | { ok: false; reason: DecryptionFailure };

export interface RichNotificationDecryptorInit {
  /** Private keys by the `encryptionCertificateId` we gave Graph; several while a certificate is rotated. */
  privateKeys: ReadonlyMap<string, KeyObject>;
}

/**
 * Decrypts `encryptedContent` the way Graph encrypts it (learn.microsoft.com, "Decrypting
 * resource data"): the data key is RSA-OAEP with SHA-1 (SHA-256 fails), the HMAC-SHA256 of
 * the base64-decoded data under that key is checked before anything is decrypted, and the
 * data is AES-256-CBC with PKCS7 padding and the key's first 16 bytes as IV.
 */
export class RichNotificationDecryptor {
  private readonly privateKeys: ReadonlyMap<string, KeyObject>;

  constructor(init: RichNotificationDecryptorInit) {
    this.privateKeys = init.privateKeys;
  }

  get certificateIds(): string[] {
    return [...this.privateKeys.keys()];
  }

  decrypt(content: EncryptedContent): DecryptionResult {
    const privateKey = this.privateKeys.get(content.encryptionCertificateId);
    if (!privateKey) return { ok: false, reason: 'unknown_certificate' };

    let key: Buffer;
    try {
      key = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        Buffer.from(content.dataKey, 'base64'),
      );
    } catch {
      return { ok: false, reason: 'bad_data_key' };
    }
    if (key.length !== 32) return { ok: false, reason: 'bad_data_key' };

    const data = Buffer.from(content.data, 'base64');
    const expected = Buffer.from(content.dataSignature, 'base64');
    const actual = createHmac('sha256', key).update(data).digest();
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad_signature' };

    try {
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
      const plain = Buffer.concat([decipher.update(data), decipher.final()]);
      return { ok: true, value: JSON.parse(plain.toString('utf8')) as unknown };
    } catch {
      return { ok: false, reason: 'bad_data' };
    }
  }
}
