import type { InstanceEntity } from '../platform/storage/instances/instanceEntity';

/** What the admin API shows of an instance: everything the Jira admin needs, no secret. */
export interface InstanceView {
  instanceId: string;
  baseUrl: string;
  displayName: string;
  serviceUser?: string;
  hasServiceToken: boolean;
  appKey?: string;
  /** How users authorize. */
  authKind: 'oauth1' | 'oauth2';
  /** The incoming OAuth 2.0 link's client id; its secret is never shown. */
  oauth2ClientId?: string;
  hasOAuth2ClientSecret: boolean;
  /** For the application link's incoming authentication (OAuth 1.0a), or the redirect URL of the OAuth 2.0 link. */
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
    authKind: entity.authKind ?? 'oauth1',
    ...(entity.oauth2ClientId === undefined ? {} : { oauth2ClientId: entity.oauth2ClientId }),
    hasOAuth2ClientSecret: entity.encryptedOAuth2ClientSecret !== undefined,
    consumerKey: entity.consumerKey,
    publicKeyPem: entity.publicKeyPem,
    callbackUrl,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
