import { AppError } from '../platform/errors/AppError';
import { bearerChallenge } from './bearerChallenge';
import type { Caller } from './Caller';

/** Who may act on the whole deployment: users of one tenant holding one app role (OPERATOR_ROLE, OPERATOR_TENANT_ID). */
export interface OperatorPolicy {
  role: string;
  /** Lower case, as callers' tenant ids are. */
  tenantId: string;
}

/**
 * Refuses a caller who is not the deployment's operator. The app is multi-tenant and every
 * customer's admin can assign its app roles within their own tenant, so the role counts
 * only in the operator's tenant. Without a policy nobody is an operator over HTTP: the
 * CLI (storage credentials) remains.
 */
export function requireOperator(caller: Caller, policy: OperatorPolicy | undefined): void {
  if (policy !== undefined && caller.tenantId === policy.tenantId && caller.roles.includes(policy.role)) return;
  const description = "Deployment-wide operations need the operator app role in the operator's tenant";
  throw new AppError({
    code: 'operator_role_required',
    detail: description,
    headers: { 'WWW-Authenticate': bearerChallenge({ error: 'insufficient_scope', description }) },
  });
}
