import { randomBytes } from 'node:crypto';

/** 256 bits: the HS256 key of the Jira app's iframe tokens. */
const SECRET_BYTES = 32;

/** The SecretBox context (AAD) of an instance's panel secret: a sealed value copied to another row fails to open. */
export function panelSecretContext(tenantId: string, instanceId: string): string {
  return `instances/${tenantId}/${instanceId}/adminSecret`;
}

/**
 * A new shared secret, as text (base64url): the Jira app stores this text and uses its
 * UTF-8 bytes as the HMAC key, as Atlassian Connect apps do with their shared secret.
 */
export function newPanelSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** The HMAC key of a shared secret as the Jira app uses it. */
export function panelSecretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}
