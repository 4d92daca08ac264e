import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKeyring } from '../config/encryptionKeyring';
import { AppError } from '../errors/AppError';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBoxInit {
  keyring: EncryptionKeyring;
}

/**
 * AES-256-GCM envelope for secrets at rest: `v1.<kid>.<iv>.<ciphertext>.<tag>` (base64url).
 * The key id lets old rows be read after a rotation; `context` is bound as additional
 * authenticated data, so a sealed value copied into another row fails to open.
 */
export class SecretBox {
  private readonly keyring: EncryptionKeyring;

  constructor(init: SecretBoxInit) {
    this.keyring = init.keyring;
  }

  seal(plaintext: string, context: string): string {
    const keyId = this.keyring.activeKeyId;
    const key = this.keyFor(keyId);
    const iv = randomBytes(IV_BYTES);
    // GCM's tag is 16 bytes unless told otherwise; the length matters where the tag is checked.
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return [VERSION, keyId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(
      '.',
    );
  }

  /** Throws `decryption_failed` for a wrong key, a tampered value or another context — never returns garbage. */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (!isFiveParts(parts) || parts[0] !== VERSION) throw new AppError({ code: 'decryption_failed', detail: 'not a sealed value' });
    const [, keyId, iv, ciphertext, tag] = parts;
    const key = this.keyFor(keyId);
    try {
      // Without the tag length the decipher accepts a tag cut short, down to 4 bytes, and any
      // prefix of the real tag verifies: a forger would have to guess 32 bits, not 128.
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString();
    } catch (cause) {
      throw new AppError({ code: 'decryption_failed', detail: `the value sealed with key "${keyId}" does not open`, cause });
    }
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.keyring.activeKeyId;
  }

  private keyFor(keyId: string): Buffer {
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new AppError({ code: 'encryption_key_unknown', detail: `no data key "${keyId}" in DATA_ENCRYPTION_KEY` });
    return key;
  }
}

function isFiveParts(parts: string[]): parts is [string, string, string, string, string] {
  return parts.length === 5;
}
