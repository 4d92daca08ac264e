import { z } from 'zod';
import type { InstanceService } from '../jira/InstanceService';
import type { InstanceView } from '../jira/InstanceView';
import { registerInstanceBodySchema } from '../jira/registerInstanceBodySchema';
import { AppError } from '../platform/errors/AppError';

/**
 * What the panel may change of its own instance: the fields of `PUT manage/instances/{id}`
 * that a Jira admin of that Jira owns and that move no credential, with the same rules.
 */
export const panelInstanceEditSchema = registerInstanceBodySchema
  .pick({ displayName: true, baseUrl: true })
  .partial()
  .strict()
  .refine((edit) => edit.displayName !== undefined || edit.baseUrl !== undefined, 'expected displayName or baseUrl');

export type PanelInstanceEdit = z.output<typeof panelInstanceEditSchema>;

/**
 * Edits the panel session's own instance through the registration of the admin route
 * (`InstanceService.register`: the same base URL checks — https, no credentials, a public
 * address — the same optimistic concurrency, the same cache invalidation). Everything the
 * edit does not name is sent as stored, so nothing else changes.
 *
 * The base URL may change within its origin only (a context path, a trailing segment): the
 * panel's trust comes from a secret shared with the Jira at that origin, and moving the
 * instance to another host would hand that host every user's proxied requests and drop
 * their tokens. That stays with the tenant admin's bearer (`PUT manage/instances/{id}`),
 * as does registering an instance: a panel only exists for a registered one.
 */
export async function editPanelInstance(
  request: { tenantId: string; instanceId: string; edit: PanelInstanceEdit },
  deps: { instances: Pick<InstanceService, 'require' | 'register'> },
): Promise<InstanceView> {
  const { tenantId, instanceId, edit } = request;
  const stored = (await deps.instances.require(tenantId, instanceId)).entity;
  if (edit.baseUrl !== undefined && originOf(edit.baseUrl) !== undefined && originOf(edit.baseUrl) !== originOf(stored.baseUrl))
    throw new AppError({
      code: 'forbidden',
      detail: 'baseUrl: the panel changes the path within the same origin only; moving to another host is for the tenant admin',
    });
  const result = await deps.instances.register(tenantId, instanceId, {
    baseUrl: edit.baseUrl ?? stored.baseUrl,
    displayName: edit.displayName ?? stored.displayName,
    // Sent as stored: the registration replaces these, and names the kind so it asks Jira nothing.
    authKind: stored.authKind ?? 'oauth1',
    ...(stored.serviceUser === undefined ? {} : { serviceUser: stored.serviceUser }),
    ...(stored.appKey === undefined ? {} : { appKey: stored.appKey }),
  });
  return result.view;
}

/** Undefined for text that is no URL: the registration's own check then answers with its reason. */
function originOf(text: string): string | undefined {
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}
