import type { HandshakeRecord } from './runValidationHandshake';

export interface SimulatedMail {
  id: string;
  userId: string;
  tenantId: string | undefined;
  internetMessageId: string;
  conversationId: string;
  subject: string;
  from: { emailAddress: { name: string; address: string } };
  receivedDateTime: string;
  bodyPreview: string;
  webLink: string;
  isDraft: boolean;
  /** Null for a draft, as Graph has none for it. */
  internetMessageHeaders: { name: string; value: string }[] | null;
}

export interface SimulatedSubscription {
  id: string;
  tenantId: string;
  applicationId: string;
  resource: string;
  userId: string;
  changeType: string[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | undefined;
  clientState: string | undefined;
  expiresAt: number;
  includeResourceData: boolean;
  encryptionCertificate: string | undefined;
  encryptionCertificateId: string | undefined;
  /** The `$select` of a rich subscription's resource: what its encrypted content carries. */
  selectFields: string[] | undefined;
}

export interface DeliveryAttempt {
  status?: number;
  error?: string;
  /** Above Graph's 3-second budget: Graph would mark the endpoint slow. */
  slow: boolean;
}

export interface DeliveryRecord {
  kind: 'notification' | 'lifecycle';
  url: string;
  subscriptionId: string;
  body: unknown;
  attempts: DeliveryAttempt[];
  delivered: boolean;
}

export interface Fault {
  status: number;
  retryAfterSeconds: number | undefined;
  remaining: number;
  /** Which calls fail: Graph API calls (default) or token requests. */
  scope: 'graph' | 'token';
  /** Only the calls for this one message (`…/messages/{id}`): Graph can fail one item and serve its neighbours. */
  messageId?: string;
}

/** A directory user, as `GET /users/{id}` shows one. */
export interface SimulatedUser {
  id: string;
  tenantId: string;
  displayName: string;
  /** Null on Graph for a user without a mailbox. */
  mail?: string;
  userPrincipalName: string;
}

export interface AccessTokenGrant {
  tenantId: string;
  clientId: string;
  expiresAt: number;
  /** A delegated token (on-behalf-of): the user it acts for, and its delegated scopes. App-only tokens have neither. */
  userId?: string;
  scopes?: string[];
}

/** Everything the simulator holds, in memory. */
export class GraphSimulatorState {
  readonly mails = new Map<string, SimulatedMail>();
  readonly subscriptions = new Map<string, SimulatedSubscription>();
  readonly handshakes: HandshakeRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  readonly faults: Fault[] = [];
  readonly accessTokens = new Map<string, AccessTokenGrant>();
  /** Shared mailbox (its id or address, lower case) → the users with full access to it (lower case). */
  readonly sharedMailboxes = new Map<string, Set<string>>();
  /** Directory users by object id (lower case). */
  readonly users = new Map<string, SimulatedUser>();
  /** Tenants (lower case) whose admin did not consent `User.Read.All`: user reads are 403. */
  readonly directoryDenied = new Set<string>();
  tokenRequests = 0;
  readonly graphRequests: { method: string; path: string }[] = [];
  /**
   * Runs once Graph holds a new subscription and before its creator gets the 201: Graph
   * notifies from the moment it creates a subscription, so mail arriving in this window is
   * notified before the creator can know the subscription's id (a test puts mail here).
   */
  afterSubscriptionCreated: ((subscription: SimulatedSubscription) => Promise<void>) | undefined;

  /** The next fault for a call of this scope (and, for a fault of one message, of that message's path), consumed. */
  takeFault(scope: Fault['scope'], path = ''): Fault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.scope === scope &&
        candidate.remaining > 0 &&
        (candidate.messageId === undefined ||
          decodeURIComponent(path).toLowerCase().endsWith(`/messages/${candidate.messageId.toLowerCase()}`)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
    return fault;
  }

  /** A shared mailbox whose delegated access its members have (Exchange's "Full Access"); the app reads it as any mailbox. */
  addSharedMailbox(mailboxId: string, members: readonly string[]): void {
    this.sharedMailboxes.set(mailboxId.toLowerCase(), new Set(members.map((member) => member.toLowerCase())));
  }

  putUser(user: SimulatedUser): void {
    this.users.set(user.id.toLowerCase(), user);
  }

  /** By object id or userPrincipalName, as Graph's `/users/{id | userPrincipalName}`. */
  userOf(idOrPrincipalName: string): SimulatedUser | undefined {
    const key = idOrPrincipalName.toLowerCase();
    return this.users.get(key) ?? [...this.users.values()].find((user) => user.userPrincipalName.toLowerCase() === key);
  }

  mailsOf(userId: string): SimulatedMail[] {
    return [...this.mails.values()].filter((mail) => mail.userId === userId);
  }

  liveSubscription(id: string, now: number): SimulatedSubscription | undefined {
    const subscription = this.subscriptions.get(id);
    if (subscription && subscription.expiresAt <= now) {
      // Graph removes an expired subscription; renewing it afterwards is a 404.
      this.subscriptions.delete(id);
      return undefined;
    }
    return subscription;
  }
}
