import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';

/** What the admin API shows of an instance: everything the Jira admin needs, no secret. */
export interface InstanceView {
  instanceId: string;
  baseUrl: string;
  displayName: string;
  serviceUser?: string;
  hasServiceToken: boolean;
  appKey?: string;
  /** For the application link's incoming authentication. */
  consumerKey: string;
  publicKeyPem: string;
  callbackUrl: string;
  createdAt: string;
  updatedAt: string;
}

export function toInstanceView(entity: InstanceEntity, callbackUrl: string): InstanceView {
  return {
    instanceId: entity.instanceId,
    baseUrl: entity.baseUrl,
    displayName: entity.displayName,
    ...(entity.serviceUser === undefined ? {} : { serviceUser: entity.serviceUser }),
    hasServiceToken: entity.encryptedServiceToken !== undefined,
    ...(entity.appKey === undefined ? {} : { appKey: entity.appKey }),
    consumerKey: entity.consumerKey,
    publicKeyPem: entity.publicKeyPem,
    callbackUrl,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
