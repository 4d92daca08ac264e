import type { SecretBox } from '../platform/crypto/SecretBox';
import type { Settings } from '../platform/config/settingsSchema';
import type { OutboundClient } from '../platform/http/OutboundClient';
import { InstanceService } from './InstanceService';
import type { BaseUrlPolicy } from './validateBaseUrl';
import { JiraProxy } from '../proxy/JiraProxy';
import type { Clock } from '../platform/clock';
import type { Repositories } from '../platform/storage/Repositories';
import { JiraServiceClient } from './JiraServiceClient';
import { JiraTokenStore } from './JiraTokenStore';
import { OAuthDance } from './OAuthDance';

export interface JiraServicesInit {
  settings: Settings;
  clock: Clock;
  http: OutboundClient;
  secrets: SecretBox;
  repositories: Pick<Repositories, 'instances' | 'jiraTokens'>;
  /** Tests inject a resolver; the system's otherwise. */
  resolve?: BaseUrlPolicy['resolve'];
}

export interface JiraServices {
  /** Registered Jira instances, cached per process with their parsed keys. */
  instances: InstanceService;
  /** Users' access tokens and pending request tokens, encrypted, access tokens cached. */
  jiraTokenStore: JiraTokenStore;
  oauthDance: OAuthDance;
  jiraProxy: JiraProxy;
  /** Background calls with the service credential (PAT or 2-legged OAuth with impersonation). */
  jiraService: JiraServiceClient;
}

/** The Jira side of the services: one of each per process, sharing caches and the HTTP client. */
export function createJiraServices(init: JiraServicesInit): JiraServices {
  const { settings, clock, http, secrets } = init;
  const jiraTokenStore = new JiraTokenStore({ repository: init.repositories.jiraTokens, secrets, clock });
  const instances = new InstanceService({
    repository: init.repositories.instances,
    secrets,
    clock,
    publicBaseUrl: settings.PUBLIC_BASE_URL,
    baseUrlPolicy: {
      allowInsecure: settings.ALLOW_INSECURE_JIRA,
      allowPrivateTargets: settings.ALLOW_PRIVATE_NETWORK_TARGETS,
      ...(init.resolve ? { resolve: init.resolve } : {}),
    },
    onInstanceMoved: (tenantId, instanceId) => jiraTokenStore.dropInstance(tenantId, instanceId),
  });
  return {
    instances,
    jiraTokenStore,
    oauthDance: new OAuthDance({ instances, tokens: jiraTokenStore, http, clock }),
    jiraProxy: new JiraProxy({ instances, tokens: jiraTokenStore, http, maxBodyBytes: settings.PROXY_MAX_BODY_BYTES }),
    jiraService: new JiraServiceClient({ instances, http }),
  };
}
