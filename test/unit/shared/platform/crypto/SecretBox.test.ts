import { randomBytes } from 'node:crypto';
import { SecretBox } from '../../../../../shared/platform/crypto/SecretBox';
import { AppError } from '../../../../../shared/platform/errors/AppError';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const box = (active: string, keys: Record<string, Buffer>) =>
  new SecretBox({ keyring: { activeKeyId: active, keys: new Map(Object.entries(keys)) } });

describe('SecretBox', () => {
  it('opens what it sealed, and the sealed text does not contain the secret', () => {
    const sealed = box('a', { a: keyA }).seal('oauth-token-secret', 'jiraTokens/t1/u1');
    expect(sealed).not.toContain('oauth-token-secret');
    expect(box('a', { a: keyA }).open(sealed, 'jiraTokens/t1/u1')).toBe('oauth-token-secret');
  });

  it('seals the same secret differently each time (fresh IV)', () => {
    const b = box('a', { a: keyA });
    expect(b.seal('x', 'c')).not.toBe(b.seal('x', 'c'));
  });

  it('fails loudly with the wrong key, never returning garbage', () => {
    const sealed = box('a', { a: keyA }).seal('secret', 'ctx');
    expect(() => box('a', { a: keyB }).open(sealed, 'ctx')).toThrow(expect.objectContaining({ code: 'decryption_failed' }) as AppError);
  });

  it('fails when the sealed value is moved to another row (context is authenticated)', () => {
    const sealed = box('a', { a: keyA }).seal('secret', 'instances/t1/demo');
    expect(() => box('a', { a: keyA }).open(sealed, 'instances/t2/demo')).toThrow(AppError);
  });

  it('fails when a byte of the ciphertext is changed', () => {
    const sealed = box('a', { a: keyA }).seal('secret value', 'ctx');
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => box('a', { a: keyA }).open(parts.join('.'), 'ctx')).toThrow(
      expect.objectContaining({ code: 'decryption_failed' }) as AppError,
    );
  });

  it('reads values sealed under an older key after rotation and says they need re-sealing', () => {
    const old = box('a', { a: keyA }).seal('secret', 'ctx');
    const rotated = box('b', { b: keyB, a: keyA });
    expect(rotated.open(old, 'ctx')).toBe('secret');
    expect(rotated.needsRotation(old)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret', 'ctx'))).toBe(false);
  });

  it('names the missing key id when the key was removed', () => {
    const old = box('a', { a: keyA }).seal('secret', 'ctx');
    expect(() => box('b', { b: keyB }).open(old, 'ctx')).toThrow(
      expect.objectContaining({ code: 'encryption_key_unknown', detail: 'no data key "a" in DATA_ENCRYPTION_KEY' }) as AppError,
    );
  });

  it('writes v1.<key id>.<12-byte IV>.<ciphertext>.<16-byte tag> in base64url', () => {
    const sealed = box('k2024', { k2024: keyA }).seal('Grüße', 'ctx');
    const match = /^v1\.k2024\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(sealed);
    expect(match).not.toBeNull();
    const [, iv, ciphertext, tag] = match!;
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    // GCM is a stream cipher: as many bytes as the UTF-8 plaintext.
    expect(Buffer.from(ciphertext!, 'base64url')).toHaveLength(Buffer.byteLength('Grüße'));
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
  });

  it('opens a value sealed by an earlier release (the rows already stored)', () => {
    // Sealed by hand with node:crypto: AES-256-GCM, key 32 × 0x07, IV 00…0b, the context's UTF-8 as AAD.
    const stored = 'v1.k2024.AAECAwQFBgcICQoL.X_MqzN6WvGVXxor3hzZBiYRfxOts.pLkJZo4ZSZdYqZbcqOVyvg';
    const keyring = box('new', { new: keyB, k2024: Buffer.alloc(32, 7) });
    expect(keyring.open(stored, 'jiraTokens/t1/ü')).toBe('Grüße, token-secret');
    expect(keyring.needsRotation(stored)).toBe(true);
  });

  it.each([
    ['no value at all', () => ''],
    ['four parts', (sealed: string) => sealed.split('.').slice(0, 4).join('.')],
    ['six parts', (sealed: string) => `${sealed}.x`],
    ['another version', (sealed: string) => sealed.replace(/^v1\./, 'v2.')],
    ['no version', (sealed: string) => sealed.replace(/^v1\./, '.')],
  ])('refuses %s as not a sealed value, before looking for a key', (_, alter) => {
    const sealed = box('a', { a: keyA }).seal('secret', 'ctx');
    expect(() => box('a', { a: keyA }).open(alter(sealed), 'ctx')).toThrow(
      expect.objectContaining({ code: 'decryption_failed', detail: 'not a sealed value' }) as AppError,
    );
  });

  it('refuses a tag cut short, though every prefix of the real tag would verify in GCM', () => {
    const sealed = box('a', { a: keyA }).seal('secret', 'ctx');
    const parts = sealed.split('.');
    for (const bytes of [4, 8, 12, 15]) {
      const short = [...parts.slice(0, 4), Buffer.from(parts[4]!, 'base64url').subarray(0, bytes).toString('base64url')].join('.');
      expect(() => box('a', { a: keyA }).open(short, 'ctx')).toThrow(
        expect.objectContaining({ code: 'decryption_failed', detail: 'the value sealed with key "a" does not open' }) as AppError,
      );
    }
  });
});
