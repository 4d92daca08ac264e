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
    expect(() => box('b', { b: keyB }).open(old, 'ctx')).toThrow(expect.objectContaining({ code: 'encryption_key_unknown' }) as AppError);
  });
});
