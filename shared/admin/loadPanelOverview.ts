import type { LoadedInstance } from '../jira/InstanceService';
import { toInstanceView } from '../jira/InstanceView';
import type { LicenseAnswer } from '../licenses/LicenseAnswer';
import type { LicenseService } from '../licenses/LicenseService';
import { toPanelIssuer } from './panelIssuer';
import type { PanelSession } from './PanelSessions';

export type CredentialState =
  | { state: 'missing' }
  | { state: 'set'; kind: 'personalAccessToken'; serviceUser?: string }
  | { state: 'set'; kind: 'impersonation'; serviceUser: string };

export type PanelLicense = { state: 'checked'; answer: LicenseAnswer } | { state: 'notConfigured' };

/** The panel's first screen: what the Jira admin pastes into the application link, the credential, the license. */
export interface PanelOverview {
  instance: {
    instanceId: string;
    displayName: string;
    baseUrl: string;
    consumerKey: string;
    publicKeyPem: string;
    callbackUrl: string;
    appKey?: string;
    /** The `iss` the Jira app signs the panel's tokens with. */
    panelIssuer: string;
    panelSecretSet: boolean;
  };
  /** Whether a service credential is stored; whether Jira accepts it is what "test connection" tells. */
  credential: CredentialState;
  license: PanelLicense;
  session: { subject: string; via: PanelSession['via']; expiresAt: string };
}

export interface PanelOverviewDeps {
  licenses: Pick<LicenseService, 'check'>;
  callbackUrl: string;
}

/** No secret leaves: the private key, the token and the panel secret are only said to exist. */
export async function loadPanelOverview(instance: LoadedInstance, session: PanelSession, deps: PanelOverviewDeps): Promise<PanelOverview> {
  const { entity } = instance;
  const view = toInstanceView(entity, deps.callbackUrl);
  const license: PanelLicense =
    entity.appKey === undefined ? { state: 'notConfigured' } : { state: 'checked', answer: (await deps.licenses.check(instance)).answer };
  return {
    instance: {
      instanceId: view.instanceId,
      displayName: view.displayName,
      baseUrl: view.baseUrl,
      consumerKey: view.consumerKey,
      publicKeyPem: view.publicKeyPem,
      callbackUrl: view.callbackUrl,
      ...(view.appKey === undefined ? {} : { appKey: view.appKey }),
      panelIssuer: toPanelIssuer(entity),
      panelSecretSet: entity.encryptedAdminSecret !== undefined,
    },
    credential: toCredentialState(entity.encryptedServiceToken !== undefined, entity.serviceUser),
    license,
    session: { subject: session.subject, via: session.via, expiresAt: new Date(session.expiresAt * 1000).toISOString() },
  };
}

/** The same precedence as `authorizeServiceCall`: a stored token first, else 2-legged OAuth as the service user. */
function toCredentialState(hasToken: boolean, serviceUser: string | undefined): CredentialState {
  if (hasToken) return { state: 'set', kind: 'personalAccessToken', ...(serviceUser === undefined ? {} : { serviceUser }) };
  if (serviceUser !== undefined) return { state: 'set', kind: 'impersonation', serviceUser };
  return { state: 'missing' };
}
