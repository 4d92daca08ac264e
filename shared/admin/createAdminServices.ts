import type { EncryptionKeyring } from '../platform/config/encryptionKeyring';
import type { SecretBox } from '../platform/crypto/SecretBox';
import type { InstanceService } from '../jira/InstanceService';
import type { Clock } from '../platform/clock';
import { QueueAdmin } from '../platform/storage/QueueAdmin';
import type { QueueClientFactory } from '../platform/storage/QueueClientFactory';
import type { Repositories } from '../platform/storage/Repositories';
import type { TableClientFactory } from '../platform/storage/TableClientFactory';
import { tableNames } from '../platform/storage/tableNames';
import { IframeJwtVerifier } from './IframeJwtVerifier';
import { PanelSecretIssuer } from './PanelSecretIssuer';
import { PanelSessions } from './PanelSessions';
import { ReportCounters } from './ReportCounters';
import { ReportRepository } from './ReportRepository';

export interface AdminServicesInit {
  encryption: EncryptionKeyring;
  clock: Clock;
  secrets: SecretBox;
  repositories: Pick<Repositories, 'instances'>;
  tableClients: TableClientFactory;
  queueClients: QueueClientFactory;
  /** So a new panel secret is seen at once by this process's instance cache. */
  instances: Pick<InstanceService, 'invalidate'>;
}

/** The administration panel's per-process parts. */
export interface AdminServices {
  /** Checks the Jira app's iframe tokens (`?jwt=`). */
  iframeTokens: IframeJwtVerifier;
  /** The panel's own short-lived sessions. */
  sessions: PanelSessions;
  /** Issues and rotates an instance's panel secret. */
  panelSecrets: PanelSecretIssuer;
  /** Daily counters of the report (`reports` table); the webhook and the poison path add to them. */
  reports: ReportCounters;
  /** Raw queue access: poison counts and replay. */
  queueAdmin: QueueAdmin;
}

/** Builds objects only: no I/O. */
export function createAdminServices(init: AdminServicesInit): AdminServices {
  const { clock, secrets } = init;
  return {
    iframeTokens: new IframeJwtVerifier({ repository: init.repositories.instances, secrets, clock }),
    sessions: new PanelSessions({ keyring: init.encryption, clock }),
    panelSecrets: new PanelSecretIssuer({
      repository: init.repositories.instances,
      secrets,
      clock,
      onChanged: (ref) => init.instances.invalidate(ref.tenantId, ref.instanceId),
    }),
    reports: new ReportCounters({ repository: new ReportRepository({ client: init.tableClients.get(tableNames.reports) }), clock }),
    queueAdmin: new QueueAdmin({ queues: init.queueClients }),
  };
}
