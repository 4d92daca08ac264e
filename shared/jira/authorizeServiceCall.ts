import { AppError } from '../platform/errors/AppError';
import type { LoadedInstance } from './InstanceService';
import type { FormPair } from './parseFormPairs';

/**
 * The parameter that names the impersonated user in 2-legged OAuth. Atlassian's own
 * application links send `xoauth_requestor_id` in the query, signed
 * (`TwoLeggedOAuthWithImpersonationRequest` in applinks); `user_id` appears only in
 * third-party clients, so this is what Jira's "allow user impersonation" link accepts.
 */
export const IMPERSONATION_PARAMETER = 'xoauth_requestor_id';

export interface ServiceCall {
  method: string;
  url: URL;
  /** Parameters of an `application/x-www-form-urlencoded` body, which are signed. */
  form?: readonly FormPair[];
  /** Act as this Jira user instead of the service user (2-legged OAuth with impersonation only). */
  asUser?: string;
}

export interface AuthorizedCall {
  /** The URL to send: with 2LO impersonation it carries `xoauth_requestor_id`. */
  url: URL;
  authorization: string;
}

/**
 * Credentials for background calls (notifications, license checks), where no user is
 * present: the service user's personal access token (`Authorization: Bearer`, Jira DC
 * 8.14+) when one is stored, else 2-legged OAuth signed with the instance's key,
 * impersonating the service user (or `asUser`).
 */
export async function authorizeServiceCall(instance: LoadedInstance, call: ServiceCall): Promise<AuthorizedCall> {
  const token = instance.serviceToken();
  if (token !== undefined && call.asUser === undefined) return { url: call.url, authorization: `Bearer ${token}` };
  const user = call.asUser ?? instance.entity.serviceUser;
  if (user === undefined) {
    throw new AppError({
      code: 'jira_service_credential_missing',
      detail: 'register a service user (2-legged OAuth with impersonation) or a personal access token for this instance',
    });
  }
  const url = new URL(call.url);
  url.searchParams.append(IMPERSONATION_PARAMETER, user);
  return {
    url,
    authorization: await instance.signer.authorization({ method: call.method, url, ...(call.form ? { form: call.form } : {}) }),
  };
}
