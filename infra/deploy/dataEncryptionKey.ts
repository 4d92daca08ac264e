import { parseEncryptionKeyring, type EncryptionKeyring } from '../../shared/platform/config/encryptionKeyring';
import { AppError } from '../../shared/platform/errors/AppError';

/** Where the key the app decrypts with lives now, read only when there is something to compare. */
export interface StoredDataKey {
  /** For messages: the Key Vault secret, or the app setting. */
  source: string;
  /** The keyring text; undefined when the referenced secret does not exist. */
  read(): Promise<string | undefined>;
}

export interface DataKeyInit {
  /** DATA_ENCRYPTION_KEY as given to this deployment; undefined when not given. */
  given: string | undefined;
  /** --rotate-data-key. */
  rotate: boolean;
  /** The key the deployed app uses; undefined on a first deployment. */
  stored: StoredDataKey | undefined;
}

export interface DataKeyDecision {
  /** The keyring to write to Key Vault; undefined leaves the stored secret as it is. */
  write: string | undefined;
  /** What happens, for the operator; key ids only, never key material. */
  line: string;
}

const KEEP_OR_ROTATE =
  'To keep the stored key, leave DATA_ENCRYPTION_KEY unset. To rotate, set DATA_ENCRYPTION_KEY to the new key alone, under a key id not in use (kid:base64 of 32 bytes), and add --rotate-data-key: the stored keys stay for decryption.';

/**
 * Decides what a deployment does with DATA_ENCRYPTION_KEY. A different key would make every
 * stored token and private key undecryptable, so it is written only on a first deployment,
 * unchanged, or as an explicit rotation that keeps every stored key after the new one.
 */
export async function decideDataEncryptionKey(init: DataKeyInit): Promise<DataKeyDecision> {
  const { given, rotate, stored } = init;
  if (given === undefined) {
    if (rotate) {
      throw new AppError({
        code: 'bad_request',
        detail: '--rotate-data-key: set DATA_ENCRYPTION_KEY to the new key (kid:base64 of 32 bytes, under a key id not in use)',
      });
    }
    if (!stored) {
      throw new AppError({
        code: 'bad_request',
        detail: 'dataEncryptionKey: required on the first deployment: set DATA_ENCRYPTION_KEY (docs/deployment.md)',
      });
    }
    return { write: undefined, line: `Data encryption key: kept (${stored.source}; DATA_ENCRYPTION_KEY not set).` };
  }

  const next = parseKeyring(given, 'DATA_ENCRYPTION_KEY');
  const storedText = stored ? await readStored(stored) : undefined;
  if (!stored || storedText === undefined) {
    const where = stored ? ` (${stored.source} does not exist yet)` : '';
    return { write: given, line: `Data encryption key: ${describe(next)} written${where}.` };
  }

  const current = parseKeyring(storedText, `the stored key (${stored.source})`);
  if (sameKeyring(next, current)) return { write: undefined, line: `Data encryption key: unchanged (${stored.source}).` };
  if (!rotate) {
    throw new AppError({
      code: 'data_key_change_refused',
      detail: `DATA_ENCRYPTION_KEY differs from the key the app decrypts with (${stored.source}, key ids ${ids(current)}): replacing it would make every stored token and private key undecryptable. ${KEEP_OR_ROTATE}`,
    });
  }
  if (current.keys.has(next.activeKeyId)) {
    throw new AppError({
      code: 'data_key_change_refused',
      detail: `--rotate-data-key: the new key needs a key id not in use; ${next.activeKeyId} is already one of ${ids(current)}`,
    });
  }
  for (const [keyId, key] of next.keys) {
    const kept = current.keys.get(keyId);
    if (kept && !kept.equals(key)) {
      throw new AppError({
        code: 'data_key_change_refused',
        detail: `--rotate-data-key: key id ${keyId} is in use with another key; a rotation adds a key, it never replaces one`,
      });
    }
  }
  const merged = new Map(next.keys);
  for (const [keyId, key] of current.keys) if (!merged.has(keyId)) merged.set(keyId, key);
  return {
    write: [...merged].map(([keyId, key]) => `${keyId}:${key.toString('base64')}`).join(','),
    line: `Data encryption key: rotated in ${stored.source}: ${next.activeKeyId} encrypts from now on; ${ids(current)} stay for decryption. Restart the app after the deployment (az functionapp restart) so it reads the new keyring now.`,
  };
}

/** The app setting as stored: a Key Vault reference (read through Key Vault) or the keyring itself. */
export function storedDataKeyOf(
  setting: string | undefined,
  readSecret: (url: string) => Promise<string | undefined>,
): StoredDataKey | undefined {
  if (setting === undefined || setting.trim() === '') return undefined;
  const url = keyVaultReferenceUrl(setting);
  if (url === undefined) return { source: 'the app setting DATA_ENCRYPTION_KEY', read: async () => setting };
  return { source: `Key Vault secret ${url}`, read: () => readSecret(url) };
}

/**
 * The secret URL of `@Microsoft.KeyVault(SecretUri=…)` or
 * `@Microsoft.KeyVault(VaultName=…;SecretName=…[;SecretVersion=…])`; undefined for a plain value.
 */
export function keyVaultReferenceUrl(setting: string): string | undefined {
  const inner = /^@Microsoft\.KeyVault\((.*)\)$/s.exec(setting.trim())?.[1];
  if (inner === undefined) return undefined;
  const fields = new Map(
    inner.split(';').map((part) => {
      const separator = part.indexOf('=');
      return [part.slice(0, separator).trim().toLowerCase(), part.slice(separator + 1).trim()] as const;
    }),
  );
  const secretUri = fields.get('secreturi');
  if (secretUri) return secretUri;
  const vault = fields.get('vaultname');
  const name = fields.get('secretname');
  if (!vault || !name) {
    throw new AppError({
      code: 'bad_request',
      detail: `the app setting DATA_ENCRYPTION_KEY is a Key Vault reference without a secret: ${setting}`,
    });
  }
  const version = fields.get('secretversion');
  return `https://${vault}.vault.azure.net/secrets/${name}${version ? `/${version}` : ''}`;
}

async function readStored(stored: StoredDataKey): Promise<string | undefined> {
  try {
    return await stored.read();
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') {
      throw new AppError({
        code: 'forbidden',
        detail: `DATA_ENCRYPTION_KEY is set, so it must be compared with the stored key, but ${stored.source} cannot be read (${error.detail ?? error.code}). Leave DATA_ENCRYPTION_KEY unset to keep the stored key, or give your sign-in the Key Vault Secrets User role on that secret.`,
        cause: error,
      });
    }
    throw error;
  }
}

function parseKeyring(text: string, what: string): EncryptionKeyring {
  const keyring = parseEncryptionKeyring(text);
  if (typeof keyring === 'string') {
    // The parser names the key id at most, never the material.
    throw new AppError({ code: 'bad_request', detail: `${what}: ${keyring.replace(/^DATA_ENCRYPTION_KEY: /, '')}` });
  }
  return keyring;
}

function sameKeyring(a: EncryptionKeyring, b: EncryptionKeyring): boolean {
  const left = [...a.keys];
  const right = [...b.keys];
  return left.length === right.length && left.every(([keyId, key], i) => right[i]?.[0] === keyId && right[i]?.[1].equals(key));
}

function ids(keyring: EncryptionKeyring): string {
  return [...keyring.keys.keys()].join(', ');
}

function describe(keyring: EncryptionKeyring): string {
  return keyring.keys.size === 1 ? `key ${keyring.activeKeyId}` : `keys ${ids(keyring)} (${keyring.activeKeyId} encrypts)`;
}
