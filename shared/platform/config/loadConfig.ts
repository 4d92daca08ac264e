import { ConfigError } from './ConfigError';
import { parseEncryptionKeyring, type EncryptionKeyring } from './encryptionKeyring';
import { settingsSchema, type Settings } from './settingsSchema';
import { toStorageTarget, type StorageTarget } from './storageTarget';

export interface AppConfig {
  settings: Settings;
  storage: StorageTarget;
  encryption: EncryptionKeyring;
}

/**
 * Reads and validates every setting at once. Throws one ConfigError that names every
 * missing or malformed setting, so an operator fixes them in one go, not one per restart.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const problems: string[] = [];
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.') || '(settings)';
      const message =
        issue.code === 'invalid_type' && env[name] === undefined ? issue.message.replace(/^Invalid input: /, '') : issue.message;
      problems.push(`${name}: ${message}`);
    }
  }
  if (parsed.success) {
    const { PROXY_MAX_BODY_BYTES: proxyLimit, FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: hostLimit } = parsed.data;
    // The host refuses a larger body before the proxy sees it: one figure on both sides.
    if (hostLimit !== undefined && proxyLimit > hostLimit) {
      problems.push(
        `PROXY_MAX_BODY_BYTES: ${proxyLimit} is above FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (${hostLimit}), the largest body the Functions host accepts; lower it or raise both`,
      );
    }
  }
  // Any tenant's admin can give users of that tenant our app's roles: the role means
  // "operator" only in the operator's own tenant, so it is never configured alone.
  if (parsed.success && (parsed.data.OPERATOR_ROLE === undefined) !== (parsed.data.OPERATOR_TENANT_ID === undefined))
    problems.push('OPERATOR_ROLE, OPERATOR_TENANT_ID: set both or neither (the role counts only for users of that tenant)');
  const storage = toStorageTarget(env);
  if (typeof storage === 'string') problems.push(storage);
  const keyText = env.DATA_ENCRYPTION_KEY;
  const encryption = keyText === undefined ? undefined : parseEncryptionKeyring(keyText);
  if (typeof encryption === 'string') problems.push(encryption);

  if (problems.length > 0 || !parsed.success || typeof storage === 'string' || encryption === undefined || typeof encryption === 'string') {
    throw new ConfigError(problems.sort());
  }
  return { settings: parsed.data, storage, encryption };
}
