import { isInstanceId } from '../jira/instanceId';

export interface PanelInstanceRef {
  tenantId: string;
  instanceId: string;
}

/** Tenant ids are Entra directory ids, lower case as the bearer authenticator stores them. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * How the Jira app names itself in the `iss` of its iframe tokens: `<tenantId>/<instanceId>`,
 * the key of its `instances` row. Instance ids are unique per tenant only, so the tenant is
 * part of the name; both parts are handed to the Jira admin with the shared secret.
 */
export function toPanelIssuer(ref: PanelInstanceRef): string {
  return `${ref.tenantId}/${ref.instanceId}`;
}

/** The instance an `iss` names, or undefined for anything `toPanelIssuer` cannot have produced. */
export function parsePanelIssuer(issuer: unknown): PanelInstanceRef | undefined {
  if (typeof issuer !== 'string') return undefined;
  const parts = issuer.split('/');
  if (parts.length !== 2) return undefined;
  const [tenantId, instanceId] = parts as [string, string];
  if (!TENANT_ID.test(tenantId) || !isInstanceId(instanceId)) return undefined;
  return { tenantId, instanceId };
}
