import { createAdminServices } from '../shared/admin/createAdminServices';
import { BearerAuthenticator } from '../shared/auth/BearerAuthenticator';
import type { AppConfig } from '../shared/platform/config/loadConfig';
import { SecretBox } from '../shared/platform/crypto/SecretBox';
import { createFanoutServices } from '../shared/mail/fanout/createFanoutServices';
import { OutboundClient } from '../shared/platform/http/OutboundClient';
import { createJiraServices } from '../shared/jira/createJiraServices';
import { createLicenseService } from '../shared/licenses/createLicenseService';
import { createStorageServices } from '../shared/platform/storage/createStorageServices';
import { createGraphServices } from '../shared/mail/subscriptions/createGraphServices';
import { systemClock, type Clock } from '../shared/platform/clock';
import type { Services } from './Services';

export interface ServicesInit {
  config: AppConfig;
  clock?: Clock;
}

/** Builds the process's services once: clients and caches live as long as the worker. */
export function createServices(init: ServicesInit): Services {
  const clock = init.clock ?? systemClock;
  const { settings } = init.config;
  const http = new OutboundClient({
    connectTimeoutMs: settings.OUTBOUND_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: settings.OUTBOUND_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: settings.OUTBOUND_BODY_TIMEOUT_MS,
    connectionsPerOrigin: settings.OUTBOUND_CONNECTIONS_PER_ORIGIN,
    allowPrivateNetworkTargets: settings.ALLOW_PRIVATE_NETWORK_TARGETS,
  });
  const auth = new BearerAuthenticator({
    audiences: settings.API_AUDIENCE,
    issuerTemplate: settings.AUTH_ISSUER_TEMPLATE,
    jwksUrl: settings.AUTH_JWKS_URL,
    allowedTenants: settings.AUTH_ALLOWED_TENANTS,
    clockSkewSeconds: settings.AUTH_CLOCK_SKEW,
    adminRole: settings.ADMIN_ROLE,
    clock,
  });
  const secrets = new SecretBox({ keyring: init.config.encryption });
  const storage = createStorageServices(init.config.storage);
  const licenses = createLicenseService({ settings, clock, http, repository: storage.repositories.licenses });
  const jira = createJiraServices({ settings, clock, http, secrets, repositories: storage.repositories });
  const graph = createGraphServices({ settings, clock, http, repositories: storage.repositories, queues: storage.queues, tableClients: storage.tableClients });
  const fanout = createFanoutServices({ settings, clock, repositories: storage.repositories, jiraService: jira.jiraService });
  const admin = createAdminServices({
    encryption: init.config.encryption,
    clock,
    secrets,
    repositories: storage.repositories,
    tableClients: storage.tableClients,
    queueClients: storage.queueClients,
    instances: jira.instances,
  });
  return { config: init.config, clock, auth, http, secrets, ...storage, licenses, ...jira, ...graph, fanout, admin };
}
