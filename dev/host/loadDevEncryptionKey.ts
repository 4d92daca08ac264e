import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEncryptionKeyring } from '../../shared/platform/config/encryptionKeyring';

/**
 * A development `DATA_ENCRYPTION_KEY` (`dev:<32 random bytes>`), made once and kept in
 * `<localDir>/data-encryption-key` so a restart can still decrypt what it stored before.
 * Never used when the user gives the setting.
 */
export async function loadDevEncryptionKey(localDir: string): Promise<string> {
  const path = join(localDir, 'data-encryption-key');
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (typeof parseEncryptionKeyring(text) !== 'string') return text;
    throw new Error(`${path} does not hold a usable key (kid:base64 of 32 bytes); delete it to make a new one`);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  const key = `dev:${randomBytes(32).toString('base64')}`;
  await mkdir(localDir, { recursive: true });
  await writeFile(path, `${key}\n`, { encoding: 'utf8', mode: 0o600 });
  return key;
}
