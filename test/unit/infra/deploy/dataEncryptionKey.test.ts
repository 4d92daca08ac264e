import { AppError } from '../../../../shared/platform/errors/AppError';
import { decideDataEncryptionKey, keyVaultReferenceUrl, storedDataKeyOf } from '../../../../infra/deploy/dataEncryptionKey';

const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
const stored = (text: string) => ({
  source: 'Key Vault secret https://kv.vault.azure.net/secrets/data-encryption-key',
  read: async () => text,
});

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof AppError)) throw new Error('expected an AppError');
  return error;
}

describe('decideDataEncryptionKey', () => {
  it('writes the given key on a first deployment and requires one there', async () => {
    await expect(decideDataEncryptionKey({ given: `k1:${key(1)}`, rotate: false, stored: undefined })).resolves.toEqual({
      write: `k1:${key(1)}`,
      line: 'Data encryption key: key k1 written.',
    });
    expect((await refusal(decideDataEncryptionKey({ given: undefined, rotate: false, stored: undefined }))).code).toBe('bad_request');
  });

  it('refuses a malformed key naming the key id, never the material', async () => {
    const error = await refusal(decideDataEncryptionKey({ given: 'k9:c2hvcnQ=', rotate: false, stored: stored(`k1:${key(1)}`) }));
    expect(error.detail).toBe('DATA_ENCRYPTION_KEY: key "k9" must be 32 bytes in base64 (openssl rand -base64 32)');
  });

  it('treats a keyring with the same keys in the same order as unchanged', async () => {
    const text = `k2:${key(2)},k1:${key(1)}`;
    await expect(
      decideDataEncryptionKey({ given: ` k2:${key(2)} , k1:${key(1)}`, rotate: false, stored: stored(text) }),
    ).resolves.toMatchObject({
      write: undefined,
    });
    // The same keys with another one first is a change of the encrypting key.
    expect((await refusal(decideDataEncryptionKey({ given: `k1:${key(1)},k2:${key(2)}`, rotate: false, stored: stored(text) }))).code).toBe(
      'data_key_change_refused',
    );
  });

  it('rotates onto a whole new keyring given with the stored keys after the new one, without doubling them', async () => {
    const decision = await decideDataEncryptionKey({
      given: `k3:${key(3)},k2:${key(2)}`,
      rotate: true,
      stored: stored(`k2:${key(2)},k1:${key(1)}`),
    });
    expect(decision.write).toBe(`k3:${key(3)},k2:${key(2)},k1:${key(1)}`);
  });

  it('never lets a rotation replace a stored key under its id', async () => {
    const error = await refusal(
      decideDataEncryptionKey({ given: `k3:${key(3)},k1:${key(9)}`, rotate: true, stored: stored(`k2:${key(2)},k1:${key(1)}`) }),
    );
    expect(error.detail).toBe('--rotate-data-key: key id k1 is in use with another key; a rotation adds a key, it never replaces one');
  });

  it('asks for the new key when --rotate-data-key comes without one', async () => {
    const error = await refusal(decideDataEncryptionKey({ given: undefined, rotate: true, stored: stored(`k1:${key(1)}`) }));
    expect(error.detail).toContain('--rotate-data-key: set DATA_ENCRYPTION_KEY to the new key');
  });

  it('writes the key when the app references a secret that does not exist yet', async () => {
    const missing = { source: 'Key Vault secret https://kv.vault.azure.net/secrets/data-encryption-key', read: async () => undefined };
    await expect(decideDataEncryptionKey({ given: `k1:${key(1)}`, rotate: false, stored: missing })).resolves.toEqual({
      write: `k1:${key(1)}`,
      line: 'Data encryption key: key k1 written (Key Vault secret https://kv.vault.azure.net/secrets/data-encryption-key does not exist yet).',
    });
  });
});

describe('the stored data key', () => {
  it('is read through Key Vault for a reference, in either reference form', async () => {
    expect(keyVaultReferenceUrl('@Microsoft.KeyVault(SecretUri=https://kv-a.vault.azure.net/secrets/data-encryption-key)')).toBe(
      'https://kv-a.vault.azure.net/secrets/data-encryption-key',
    );
    expect(keyVaultReferenceUrl('@Microsoft.KeyVault(VaultName=kv-a;SecretName=data-encryption-key;SecretVersion=abc)')).toBe(
      'https://kv-a.vault.azure.net/secrets/data-encryption-key/abc',
    );
    const reads: string[] = [];
    const storedKey = storedDataKeyOf('@Microsoft.KeyVault(VaultName=kv-a;SecretName=dek)', async (url) => {
      reads.push(url);
      return 'text';
    });
    await expect(storedKey?.read()).resolves.toBe('text');
    expect(reads).toEqual(['https://kv-a.vault.azure.net/secrets/dek']);
  });

  it('is the setting itself when it was set by hand, and absent when the app has none', async () => {
    const readSecret = async () => {
      throw new Error('no Key Vault read expected');
    };
    await expect(storedDataKeyOf(`k1:${key(1)}`, readSecret)?.read()).resolves.toBe(`k1:${key(1)}`);
    expect(storedDataKeyOf(undefined, readSecret)).toBeUndefined();
    expect(storedDataKeyOf('', readSecret)).toBeUndefined();
  });
});
