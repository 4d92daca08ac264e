import type { Settings } from '../../platform/config/settingsSchema';
import { AppError } from '../../platform/errors/AppError';
import { GraphClientFactory } from '../graph/GraphClientFactory';
import type { OutboundClient } from '../../platform/http/OutboundClient';
import { LinkOwnership } from '../links/LinkOwnership';
import { LinkService } from '../links/LinkService';
import type { Clock } from '../../platform/clock';
import type { QueueSender } from '../../platform/storage/QueueSender';
import type { Repositories } from '../../platform/storage/Repositories';
import type { TableClientFactory } from '../../platform/storage/TableClientFactory';
import { tableNames } from '../../platform/storage/tableNames';
import type { GraphWebhooks } from '../webhooks/GraphWebhooks';
import { parseEncryptionPrivateKeys } from '../webhooks/parseEncryptionPrivateKeys';
import { RichNotificationDecryptor } from '../webhooks/RichNotificationDecryptor';
import { SubscriptionLookup } from '../webhooks/SubscriptionLookup';
import { ValidationTokenVerifier } from '../webhooks/ValidationTokenVerifier';
import { SubscriptionManager } from './SubscriptionManager';
import { toSubscriptionSettings } from './SubscriptionSettings';

export interface GraphServicesInit {
  settings: Settings;
  clock: Clock;
  http: OutboundClient;
  repositories: Repositories;
  queues: QueueSender;
  tableClients: TableClientFactory;
}

export interface GraphServices {
  /** Microsoft Graph, one client per customer tenant; MSAL and the SDK load on the first call. */
  graph: GraphClientFactory;
  /** The webhook side: cached subscription reads, validation tokens, rich notification keys. */
  graphWebhooks: GraphWebhooks;
  /** Creates, renews, recreates and removes mailbox subscriptions. */
  mailboxSubscriptions: SubscriptionManager;
  /** Which mailbox still owns a link (what keeps its subscription). */
  linkOwnership: LinkOwnership;
  links: LinkService;
}

/**
 * The Graph part of the services container. Builds objects only: no network I/O, no SDK
 * loaded. A certificate whose private key is not configured stops the app here, before a
 * subscription could ask Graph to encrypt with it.
 */
export function createGraphServices(init: GraphServicesInit): GraphServices {
  const { settings, clock, repositories } = init;
  const subscriptionSettings = toSubscriptionSettings(settings);
  const privateKeys = settings.GRAPH_ENCRYPTION_PRIVATE_KEYS ? parseEncryptionPrivateKeys(settings.GRAPH_ENCRYPTION_PRIVATE_KEYS) : new Map();
  const rich = subscriptionSettings.richNotifications;
  if (rich && !privateKeys.has(rich.certificateId)) {
    throw new AppError({ code: 'config_invalid', detail: `GRAPH_ENCRYPTION_PRIVATE_KEYS: no key for certificate id ${rich.certificateId}` });
  }

  const graph = new GraphClientFactory({
    clientId: settings.GRAPH_CLIENT_ID,
    clientSecret: settings.GRAPH_CLIENT_SECRET,
    authorityHost: settings.GRAPH_AUTHORITY_HOST,
    baseUrl: settings.GRAPH_BASE_URL,
    http: init.http,
    now: () => clock.now(),
  });
  const lookup = new SubscriptionLookup({
    load: async (subscriptionId) => {
      const entity = await repositories.subscriptions.get({ subscriptionId });
      return entity && { subscriptionId: entity.subscriptionId, tenantId: entity.tenantId, userId: entity.userId, clientStateHash: entity.clientStateHash };
    },
    now: () => clock.now(),
    missingTtlMs: 2000,
  });
  const graphWebhooks: GraphWebhooks = {
    subscriptions: lookup,
    validationTokens: new ValidationTokenVerifier({
      jwksUrl: settings.GRAPH_VALIDATION_JWKS_URL,
      audience: settings.GRAPH_CLIENT_ID,
      issuerTemplate: settings.GRAPH_VALIDATION_ISSUER_TEMPLATE,
    }),
    decryptor: privateKeys.size > 0 ? new RichNotificationDecryptor({ privateKeys }) : undefined,
  };
  const mailboxSubscriptions = new SubscriptionManager({
    graph,
    subscriptions: repositories.subscriptions,
    mailboxes: repositories.mailboxes,
    queues: init.queues,
    clock,
    settings: subscriptionSettings,
    onChange: (subscriptionId) => lookup.forget(subscriptionId),
  });
  const linkOwnership = new LinkOwnership({ client: init.tableClients.get(tableNames.links) });
  const links = new LinkService({ links: repositories.links, ownership: linkOwnership, instances: repositories.instances, subscriptions: mailboxSubscriptions, clock });
  return { graph, graphWebhooks, mailboxSubscriptions, linkOwnership, links };
}
