import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../shared/platform/clock';
import { deliverToWebhook } from './deliverToWebhook';
import { encryptResourceData } from './encryptResourceData';
import type { DeliveryRecord, GraphSimulatorState, SimulatedMail, SimulatedSubscription } from './GraphSimulatorState';
import { newGraphId } from './newGraphId';
import type { ValidationTokenMinter } from './ValidationTokenMinter';

export interface PutMailInput {
  userId: string;
  conversationId: string;
  subject: string;
  /** An address, `Name <address>`, or Graph's `{ emailAddress: { name, address } }`. */
  from: string | { emailAddress: { name?: string; address: string } };
  tenantId?: string;
  bodyPreview?: string;
  /** Defaults to the simulator clock's now. */
  receivedDateTime?: string;
  /** `false` stores the mail without any notification, as when Graph drops them (`missed`). */
  notify?: boolean;
  /** A saved draft rather than a received mail: it has no transport headers. */
  isDraft?: boolean;
  /** Headers beyond the ones every received mail has (e.g. `Auto-Submitted`, `Precedence`). */
  headers?: readonly { name: string; value: string }[];
  /** The mail's Message-ID, e.g. Jira's `<JIRA.…@host>`; a fresh one by default. */
  internetMessageId?: string;
}

export interface PutMailResult {
  id: string;
  internetMessageId: string;
  mail: SimulatedMail;
  /** Settles when every notification for the mail is delivered or out of retries. */
  delivered: Promise<DeliveryRecord[]>;
}

export interface NotificationPayload {
  value: Record<string, unknown>[];
  validationTokens?: string[];
}

export interface SimulatedGraphInit {
  state: GraphSimulatorState;
  clock: Clock;
  minter: ValidationTokenMinter;
  retryDelaysMs: readonly number[];
  notificationTimeoutMs: number;
}

export const LIFECYCLE_EVENTS = ['missed', 'subscriptionRemoved', 'reauthorizationRequired'] as const;
export type SimulatedLifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** The behaviour behind the simulator's routes: mail, notifications, lifecycle events. */
export class SimulatedGraph {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly init: SimulatedGraphInit) {}

  get state(): GraphSimulatorState {
    return this.init.state;
  }

  putMail(input: PutMailInput): PutMailResult {
    const from =
      typeof input.from === 'string'
        ? parseAddress(input.from)
        : {
            emailAddress: {
              name: input.from.emailAddress.name ?? input.from.emailAddress.address,
              address: input.from.emailAddress.address,
            },
          };
    const id = newGraphId();
    const internetMessageId = input.internetMessageId ?? `<${randomUUID()}@sandbox.graph.local>`;
    const received = input.receivedDateTime ?? new Date(this.init.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const isDraft = input.isDraft ?? false;
    const mail: SimulatedMail = {
      id,
      userId: input.userId,
      tenantId: input.tenantId,
      internetMessageId,
      conversationId: input.conversationId,
      subject: input.subject,
      from,
      receivedDateTime: received,
      bodyPreview: input.bodyPreview ?? `${input.subject} (sandbox mail)`,
      webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      isDraft,
      // A draft was never transported: Graph has no Internet headers for it.
      internetMessageHeaders: isDraft
        ? null
        : [
            { name: 'Received', value: `from sandbox.graph.local; ${new Date(received).toUTCString()}` },
            { name: 'Message-ID', value: internetMessageId },
            { name: 'Subject', value: input.subject },
            ...(input.headers ?? []).map((header) => ({ name: header.name, value: header.value })),
          ],
    };
    this.state.mails.set(id, mail);
    const delivered = input.notify === false ? Promise.resolve([]) : this.notifyNewMail(mail);
    return { id, internetMessageId: mail.internetMessageId, mail, delivered };
  }

  /** What Graph would post for this mail to this subscription. */
  async notificationFor(subscription: SimulatedSubscription, mail: SimulatedMail): Promise<NotificationPayload> {
    const resource = `Users/${subscription.userId}/Messages/${mail.id}`;
    const item: Record<string, unknown> = {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
      changeType: 'created',
      resource,
      resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': resource, '@odata.etag': `W/"${randomUUID()}"`, id: mail.id },
      clientState: subscription.clientState ?? null,
      tenantId: subscription.tenantId,
    };
    if (!subscription.includeResourceData || !subscription.encryptionCertificate || !subscription.encryptionCertificateId)
      return { value: [item] };
    item.encryptedContent = encryptResourceData(
      subscription.encryptionCertificate,
      subscription.encryptionCertificateId,
      selectFields(mail, subscription.selectFields),
    );
    const token = await this.init.minter.mint({ tenantId: subscription.tenantId, audience: subscription.applicationId });
    return { value: [item], validationTokens: [token] };
  }

  async postLifecycleEvent(subscriptionId: string, lifecycleEvent: SimulatedLifecycleEvent): Promise<DeliveryRecord | undefined> {
    const subscription = this.state.subscriptions.get(subscriptionId);
    if (!subscription?.lifecycleNotificationUrl) return undefined;
    // Graph has already removed the subscription when it says so.
    if (lifecycleEvent === 'subscriptionRemoved') this.state.subscriptions.delete(subscriptionId);
    const body = {
      value: [
        {
          subscriptionId,
          subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
          tenantId: subscription.tenantId,
          clientState: subscription.clientState ?? null,
          lifecycleEvent,
        },
      ],
    };
    return this.deliver({
      kind: 'lifecycle',
      url: subscription.lifecycleNotificationUrl,
      subscriptionId,
      body,
      attempts: [],
      delivered: false,
    });
  }

  /** Resolves when no delivery (first tries and retries) is under way. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
  }

  private async notifyNewMail(mail: SimulatedMail): Promise<DeliveryRecord[]> {
    const now = this.init.clock.now();
    const targets = [...this.state.subscriptions.values()].filter(
      (subscription) => subscription.userId === mail.userId && subscription.changeType.includes('created') && subscription.expiresAt > now,
    );
    return Promise.all(
      targets.map(async (subscription) => {
        const body = await this.notificationFor(subscription, mail);
        return this.deliver({
          kind: 'notification',
          url: subscription.notificationUrl,
          subscriptionId: subscription.id,
          body,
          attempts: [],
          delivered: false,
        });
      }),
    );
  }

  private async deliver(record: DeliveryRecord): Promise<DeliveryRecord> {
    this.state.deliveries.push(record);
    const run = deliverToWebhook({
      record,
      retryDelaysMs: this.init.retryDelaysMs,
      timeoutMs: this.init.notificationTimeoutMs,
      isStopped: () => this.stopped,
    });
    this.pending.add(run);
    try {
      await run;
    } finally {
      this.pending.delete(run);
    }
    return record;
  }
}

function parseAddress(text: string): { emailAddress: { name: string; address: string } } {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(text);
  if (match?.[2]) return { emailAddress: { name: match[1] || match[2], address: match[2] } };
  return { emailAddress: { name: text.trim(), address: text.trim() } };
}

/** The mail as Graph serializes it, limited to `$select` (plus `id`, always present). */
export function selectFields(mail: SimulatedMail, fields: readonly string[] | undefined): Record<string, unknown> {
  const full: Record<string, unknown> = {
    '@odata.etag': `W/"${mail.id.slice(-12)}"`,
    id: mail.id,
    internetMessageId: mail.internetMessageId,
    conversationId: mail.conversationId,
    subject: mail.subject,
    from: mail.from,
    sender: mail.from,
    receivedDateTime: mail.receivedDateTime,
    bodyPreview: mail.bodyPreview,
    webLink: mail.webLink,
    isDraft: mail.isDraft,
  };
  if (!fields || fields.length === 0) return full;
  // Graph returns the headers only when they are `$select`-ed (message resource, v1.0 docs).
  full.internetMessageHeaders = mail.internetMessageHeaders;
  const selected: Record<string, unknown> = { '@odata.etag': full['@odata.etag'], id: mail.id };
  for (const field of fields) {
    const key = Object.keys(full).find((name) => name.toLowerCase() === field.toLowerCase());
    if (key) selected[key] = full[key];
  }
  return selected;
}
