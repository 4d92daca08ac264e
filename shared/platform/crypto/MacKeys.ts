import { hkdfSync } from 'node:crypto';
import type { EncryptionKeyring } from '../config/encryptionKeyring';
import { AppError } from '../errors/AppError';

/**
 * HMAC keys derived by HKDF-SHA256 from the data keys of DATA_ENCRYPTION_KEY, one per key
 * id and purpose (`info`): a data key itself only ever encrypts, and a MAC of one purpose
 * (a panel session, a page token) never verifies as another's. Tokens name the key id, so
 * those of an older key stay readable while that key is still listed.
 */
export class MacKeys {
  private readonly keyring: EncryptionKeyring;
  private readonly info: string;
  private readonly derived = new Map<string, Buffer>();

  constructor(init: { keyring: EncryptionKeyring; info: string }) {
    this.keyring = init.keyring;
    this.info = init.info;
  }

  /** The key new tokens are signed with, and its id. */
  active(): { keyId: string; key: Buffer } {
    const keyId = this.keyring.activeKeyId;
    const key = this.get(keyId);
    if (!key) throw new AppError({ code: 'encryption_key_unknown', detail: `no data key "${keyId}" in DATA_ENCRYPTION_KEY` });
    return { keyId, key };
  }

  /** The key of this id, or undefined when DATA_ENCRYPTION_KEY lists no such key (any more). */
  get(keyId: string): Buffer | undefined {
    const cached = this.derived.get(keyId);
    if (cached) return cached;
    const dataKey = this.keyring.keys.get(keyId);
    if (!dataKey) return undefined;
    const key = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), this.info, 32));
    this.derived.set(keyId, key);
    return key;
  }
}
